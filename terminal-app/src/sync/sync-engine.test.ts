import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KioskDeposit } from '@cashin/shared';
import { FakeClock, generateCode, uuidv7 } from '@cashin/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../testing/memory-outbox.js';
import type { TerminalServerDouble } from '../testing/terminal-server-double.js';
import { startTerminalServerDouble } from '../testing/terminal-server-double.js';
import { createSignedClient } from './signed-client.js';
import { SyncEngine, backoffDelayMs } from './sync-engine.js';
import type { TerminalKey } from './terminal-key.js';
import { loadOrCreateTerminalKey } from './terminal-key.js';

const terminalId = 'kiosk-1';
let key: TerminalKey;
let server: TerminalServerDouble;
let clock: FakeClock;
let outbox: MemoryOutbox;
let sequence = 0;

function deposit(totalQuarters: number): KioskDeposit {
  sequence += 1;
  return {
    depositId: uuidv7(),
    sequence,
    code: generateCode('deposit'),
    claimCode: null,
    currency: 'USD',
    items: [{ kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: totalQuarters }],
    rejectedCount: 0,
    totalMinor: 25 * totalQuarters,
    startedAt: '2026-11-22T10:00:00.000Z',
    committedAt: '2026-11-22T10:01:00.000Z',
    flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
    receiptSignature: null,
  };
}

function engine(overrides: { batchDepositsMax?: number; signingKey?: TerminalKey } = {}): SyncEngine {
  const client = createSignedClient({
    baseUrl: server.baseUrl,
    terminalId,
    key: overrides.signingKey ?? key,
    clock,
    requestTimeoutMs: 5_000,
  });
  return new SyncEngine({
    outbox,
    client,
    clock,
    random: () => 0.5,
    batchDepositsMax: overrides.batchDepositsMax ?? 500,
    backoffMsMin: 1_000,
    backoffMsMax: 60_000,
  });
}

beforeEach(async () => {
  key = loadOrCreateTerminalKey(mkdtempSync(path.join(tmpdir(), 'kiosk-key-'))).key;
  server = await startTerminalServerDouble(terminalId, key.publicKey);
  clock = new FakeClock(Date.UTC(2026, 10, 22));
  outbox = new MemoryOutbox();
});

afterEach(async () => {
  await server.close();
});

describe('SyncEngine', () => {
  it('drains the outbox in bounded, signed batches, in sequence order', async () => {
    for (let index = 0; index < 25; index += 1) outbox.add(deposit(index + 1));
    const round = await engine({ batchDepositsMax: 10 }).syncNow();
    expect(round).toEqual({ synced: 25, quarantined: 0, failed: false });
    expect(server.requests).toBe(3);
    expect(outbox.pending.size).toBe(0);
    expect([...server.deposits.values()].map((d) => d.sequence)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it('credits once when the server commits and the answer is lost', async () => {
    const first = deposit(4);
    outbox.add(first);
    server.misbehave(1, 'loseAnswerAfterCommit');
    const sync = engine();
    expect(await sync.syncNow()).toMatchObject({ failed: true, synced: 0 });
    expect(server.deposits.size).toBe(1);
    expect(outbox.pending.size).toBe(1);
    expect(sync.status()).toMatchObject({ online: false, lastErrorCode: 'SERVER_UNREACHABLE' });
    // The retry is answered `exists`: the deposit is acknowledged and nothing is stored twice.
    expect(await sync.syncNow()).toEqual({ synced: 1, quarantined: 0, failed: false });
    expect(server.deposits.size).toBe(1);
    expect(outbox.synced.has(first.depositId)).toBe(true);
  });

  it('quarantines a deposit the server holds with different fields, and does not retry it', async () => {
    const original = deposit(2);
    outbox.add(original);
    await engine().syncNow();
    // The same id comes back with a different total (a corrupted journal row, a bug): a conflict.
    const changed = { ...original, totalMinor: 75, items: [{ ...original.items[0]!, count: 3 }] };
    outbox.add(changed);
    const sync = engine();
    expect(await sync.syncNow()).toEqual({ synced: 0, quarantined: 1, failed: false });
    expect(outbox.quarantined.get(original.depositId)?.answer).toMatchObject({ totalMinor: 50 });
    const requests = server.requests;
    await sync.syncNow();
    expect(server.requests).toBe(requests);
  });

  it('backs off with jitter while the server is unreachable, without hammering it on every commit', async () => {
    outbox.add(deposit(1));
    server.misbehave(2, 'http500');
    const sync = engine();
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: false, consecutiveFailures: 1 });
    const requests = server.requests;
    outbox.add(deposit(1));
    sync.kick();
    expect(server.requests).toBe(requests);
    // First retry after 1 s x (1/2 + 0.5/2) = 750 ms.
    expect(sync.status().nextAttemptAtMs! - clock.nowMs()).toBe(750);
    await clock.advanceAsync(750);
    await expect.poll(() => sync.status().consecutiveFailures).toBe(2);
    await clock.advanceAsync(1_500);
    await expect.poll(() => sync.status().online).toBe(true);
    expect(outbox.pending.size).toBe(0);
  });

  it('syncs at once after a commit while online', async () => {
    const sync = engine();
    outbox.add(deposit(3));
    sync.kick();
    await expect.poll(() => outbox.pending.size).toBe(0);
  });

  it('halves its batches when the server says they are too large', async () => {
    for (let index = 0; index < 8; index += 1) outbox.add(deposit(1));
    server.misbehave(1, 'refuse', 'SYNC_BATCH_TOO_LARGE');
    expect(await engine({ batchDepositsMax: 8 }).syncNow()).toEqual({
      synced: 8,
      quarantined: 0,
      failed: false,
    });
    expect(server.requests).toBe(3);
  });

  it('is refused by a server that does not know its key', async () => {
    const stranger = loadOrCreateTerminalKey(mkdtempSync(path.join(tmpdir(), 'kiosk-key-'))).key;
    outbox.add(deposit(1));
    const sync = engine({ signingKey: stranger });
    expect(await sync.syncNow()).toMatchObject({ failed: true });
    expect(sync.status().lastErrorCode).toBe('SIGNATURE_INVALID');
    expect(server.deposits.size).toBe(0);
  });
});

describe('backoffDelayMs', () => {
  it('grows exponentially to its cap, with half of each delay random', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1_000, 8_000, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000, 4_000,
    ]);
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1_000, 8_000, () => 0.999999))).toEqual([
      1_000, 2_000, 4_000, 8_000, 8_000,
    ]);
  });
});
