import { createUuidV7Generator } from '@cashin/shared';
import { describe, expect, it } from 'vitest';
import type { SetAsideRetryOutcome } from './remote-set-aside-retry.js';
import { RemoteSetAsideRetry } from './remote-set-aside-retry.js';

const newId = createUuidV7Generator();

/** A retry whose runs the test finishes by hand, one at a time, counting runs and ready reports. */
function harness(
  outcome: SetAsideRetryOutcome = { requeued: 2, synced: 1, setAsideAgain: 1, errorCode: null },
) {
  let runs = 0;
  let ready = 0;
  let finish: ((fails: boolean) => void) | undefined;
  const retry = new RemoteSetAsideRetry({
    run: () => {
      runs += 1;
      return new Promise((resolve, reject) => {
        finish = (fails) => (fails ? reject(new Error('the journal is gone')) : resolve(outcome));
      });
    },
    onReportReady: () => (ready += 1),
  });
  const settle = async (fails = false) => {
    finish?.(fails);
    finish = undefined;
    await expect.poll(() => ready).toBeGreaterThan(0);
  };
  return { retry, settle, runs: () => runs, ready: () => ready };
}

describe('ops asking a kiosk to send its set-aside deposits again', () => {
  it('carries out each request once and reports it until an answer stops naming it', async () => {
    const h = harness();
    const requestId = newId();
    h.retry.heard(null);
    expect(h.runs()).toBe(0);
    h.retry.heard({ requestId });
    // A heartbeat answered while the run is under way names the same request: not run twice.
    h.retry.heard({ requestId });
    expect(h.runs()).toBe(1);
    expect(h.retry.pendingReport()).toBeUndefined();
    await h.settle();
    const report = { requestId, requeued: 2, synced: 1, setAsideAgain: 1, errorCode: null };
    expect(h.retry.pendingReport()).toEqual(report);
    // The answer to a heartbeat sent before the report was ready still names it: kept, not run again.
    h.retry.heard({ requestId });
    expect(h.retry.pendingReport()).toEqual(report);
    expect(h.runs()).toBe(1);
    // The server recorded it: its answers name nothing more, and the report is dropped.
    h.retry.heard(null);
    expect(h.retry.pendingReport()).toBeUndefined();
    // A late answer naming it again (one that crossed the report on the way) is not run again either.
    h.retry.heard({ requestId });
    expect(h.runs()).toBe(1);
    // A new request is.
    const next = newId();
    h.retry.heard({ requestId: next });
    expect(h.runs()).toBe(2);
    expect(h.retry.pendingReport()).toBeUndefined();
  });

  it('drops a report once the server names a newer request, and carries that one out', async () => {
    const h = harness();
    const first = newId();
    h.retry.heard({ requestId: first });
    await h.settle();
    const second = newId();
    h.retry.heard({ requestId: second });
    expect(h.retry.pendingReport()).toBeUndefined();
    expect(h.runs()).toBe(2);
  });

  it('runs a request again after a restart that came before its report landed', async () => {
    const requestId = newId();
    const before = harness();
    before.retry.heard({ requestId });
    await before.settle();
    // The agent restarts: the new one hears the same request and carries it out (the server credits each
    // deposit once by its id, so this sends nothing twice).
    const after = harness({ requeued: 0, synced: 0, setAsideAgain: 0, errorCode: null });
    after.retry.heard({ requestId });
    expect(after.runs()).toBe(1);
    await after.settle();
    expect(after.retry.pendingReport()).toMatchObject({ requestId, requeued: 0 });
  });

  it('reports a run that threw as failed rather than staying silent', async () => {
    const h = harness();
    const requestId = newId();
    h.retry.heard({ requestId });
    await h.settle(true);
    expect(h.retry.pendingReport()).toEqual({
      requestId,
      requeued: 0,
      synced: 0,
      setAsideAgain: 0,
      errorCode: 'INTERNAL',
    });
    expect(h.ready()).toBe(1);
  });
});
