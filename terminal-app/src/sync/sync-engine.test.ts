import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Code, KioskDeposit } from '@cashin/shared';
import { CodedError, FakeClock, createUuidV7Generator, generateCode, seededRandom } from '@cashin/shared';
import type { FaultyLink } from '@cashin/scripts/testing/faulty-fetch';
import { createFaultyLink, noFaults } from '@cashin/scripts/testing/faulty-fetch';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enrollTerminal } from '../agent/enroll.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { serverBackend } from '../chaos/server-backend.js';
import type { Journal } from '../journal/journal.js';
import type { TempJournal } from '../journal/testing/temp-journal.js';
import { tempJournal } from '../journal/testing/temp-journal.js';
import { createSignedClient } from './signed-client.js';
import { SyncEngine, backoffDelayMs } from './sync-engine.js';
import type { TerminalKey } from './terminal-key.js';
import { loadOrCreateTerminalKey } from './terminal-key.js';

/**
 * The sync engine between the kiosk's real journal (its outbox on a SQLite file) and the real server in
 * process (buildApp on SQLite, reached through app.inject), with a seeded faulty link in between for the
 * network's failures. The server's ledger says what was credited.
 */
interface Rig {
  clock: FakeClock;
  server: ServerChaosBackend;
  journal: Journal;
  /** The journal's SQLite file, for a test that corrupts a row behind its back. */
  journalPath: string;
  terminalId: string;
  key: TerminalKey;
  link: FaultyLink;
  shopperCode: Code;
  /** The sequence numbers of every sync request that reached the link, one array per request. */
  sent: number[][];
  /**
   * A machine between the link and the server (a TLS-inspecting proxy, say): while set, it answers every
   * request in the server's place, given the server itself to forward to.
   */
  impostor:
    ((forward: typeof fetch, input: string | URL | Request, init?: RequestInit) => Promise<Response>) | null;
  commit(quarters: number): KioskDeposit;
  engine(overrides?: { batchDepositsMax?: number; signingKey?: TerminalKey }): SyncEngine;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// One server for the file (each test enrolls a terminal of its own); a test that needs other server limits
// starts its own. Both run on one FakeClock that the tests only move forward.
const clock = new FakeClock(Date.UTC(2026, 10, 22, 10));
let sharedServer: ServerChaosBackend;
beforeAll(async () => {
  sharedServer = await serverBackend(clock);
});
afterAll(async () => {
  await sharedServer.close();
});

function newKey(): TerminalKey {
  const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-key-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return loadOrCreateTerminalKey(dir).key;
}

async function rig(serverLimits?: unknown): Promise<Rig> {
  let server = sharedServer;
  if (serverLimits !== undefined) {
    const own = await serverBackend(clock, { limits: serverLimits });
    cleanups.push(() => own.close());
    server = own;
  }
  const key = newKey();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kiosk-sync-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const enrolled = await enrollTerminal({
    serverUrl: server.baseUrl,
    token: await server.enrollmentToken(),
    key,
    softwareVersion: 'test',
    dataDir,
    clock,
    requestTimeoutMs: 5_000,
    fetch: server.fetch,
  });
  if (!enrolled.ok) throw new Error(`enrollment: ${JSON.stringify(enrolled)}`);
  const terminalId = enrolled.value.terminalId;
  const temp: TempJournal = tempJournal(terminalId);
  const journal = temp.open();
  cleanups.push(() => {
    journal.close();
    temp.cleanup();
  });
  const sent: number[][] = [];
  const link = createFaultyLink({
    random: seededRandom(7),
    sleep: (ms) => clock.sleep(ms),
    target: (input, init) => {
      const body = JSON.parse(String(init?.body ?? '{}')) as { deposits?: KioskDeposit[] };
      if (body.deposits) sent.push(body.deposits.map((deposit) => deposit.sequence));
      return made.impostor === null ? server.fetch(input, init) : made.impostor(server.fetch, input, init);
    },
  });
  const shopperCode = await server.newShopperCode();
  const newId = createUuidV7Generator(() => clock.nowMs());
  const serverKeys = enrolled.value.serverKeys ?? null;
  const made: Rig = {
    clock,
    server,
    journal,
    journalPath: temp.path,
    terminalId,
    key,
    link,
    shopperCode,
    sent,
    impostor: null,
    commit(quarters) {
      const depositId = newId();
      journal.openDeposit({
        depositId,
        startedAtMs: clock.nowMs(),
        code: shopperCode,
        claimCode: null,
        currency: 'USD',
        maxMinor: 100_000,
        offline: false,
        language: 'en',
        maskedName: 'C*** S***',
        balanceMinor: 0,
      });
      journal.append(
        depositId,
        {
          type: 'credit',
          device: 'coin',
          kind: 'coin',
          ccTalkId: 'US025A',
          currency: 'USD',
          valueMinor: 25,
          count: quarters,
        },
        clock.nowMs(),
      );
      return journal.commit(depositId, clock.nowMs());
    },
    engine(overrides = {}) {
      return new SyncEngine({
        outbox: journal.outbox,
        client: createSignedClient({
          baseUrl: server.baseUrl,
          terminalId,
          key: overrides.signingKey ?? key,
          clock,
          requestTimeoutMs: 5_000,
          serverKeys: serverKeys === null ? null : () => serverKeys,
          fetch: link.fetch,
        }),
        clock,
        random: () => 0.5,
        batchDepositsMax: overrides.batchDepositsMax ?? 500,
        backoffMsMin: 1_000,
        backoffMsMax: 60_000,
      });
    },
  };
  return made;
}

describe('SyncEngine, from the real journal to the real server', () => {
  it('drains the outbox in bounded, signed batches, in sequence order, each credited once', async () => {
    const kiosk = await rig();
    const deposits = Array.from({ length: 12 }, (_, index) => kiosk.commit(index + 1));
    const round = await kiosk.engine({ batchDepositsMax: 5 }).syncNow();
    expect(round).toEqual({ synced: 12, quarantined: 0, failed: false });
    expect(kiosk.sent).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
      [11, 12],
    ]);
    expect(kiosk.journal.outbox.status().depth).toBe(0);
    const credited = await kiosk.server.creditedByDeposit(kiosk.terminalId);
    expect(new Map(deposits.map((deposit) => [deposit.depositId, deposit.totalMinor]))).toEqual(credited);
  });

  it('syncs a stray deposit (money that landed with no deposit open) into suspense, once', async () => {
    const kiosk = await rig();
    const shopper = kiosk.commit(2);
    const claimCode = generateCode('claim');
    const stray = kiosk.journal.commitStray(
      {
        type: 'credit',
        device: 'coin',
        kind: 'coin',
        ccTalkId: 'US010A',
        currency: 'USD',
        valueMinor: 10,
        count: 1,
      },
      clock.nowMs(),
      { depositId: createUuidV7Generator(() => clock.nowMs())(), claimCode, language: 'en' },
    );
    const sync = kiosk.engine();
    expect(await sync.syncNow()).toEqual({ synced: 2, quarantined: 0, failed: false });
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map([
        [shopper.depositId, 50],
        [stray.depositId, 10],
      ]),
    );
    expect(await kiosk.server.suspenseHeldMinor(stray.depositId)).toBe(10);
    expect(await kiosk.server.suspenseHeldMinor(shopper.depositId)).toBe(0);
    expect(await kiosk.server.bagDebitedMinor(kiosk.terminalId)).toBe(60);
  });

  it('credits once when the server commits and the answer is lost', async () => {
    const kiosk = await rig();
    const first = kiosk.commit(4);
    kiosk.link.faults = { ...noFaults, loseAnswer: 1 };
    const sync = kiosk.engine();
    expect(await sync.syncNow()).toMatchObject({ failed: true, synced: 0 });
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(1);
    expect(kiosk.journal.outbox.status().depth).toBe(1);
    expect(sync.status()).toMatchObject({ online: false, lastErrorCode: 'SERVER_UNREACHABLE' });
    // The retry is answered `exists`: the deposit is acknowledged and nothing is credited twice.
    kiosk.link.faults = noFaults;
    expect(await sync.syncNow()).toEqual({ synced: 1, quarantined: 0, failed: false });
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map([[first.depositId, first.totalMinor]]),
    );
    expect(await kiosk.server.bagDebitedMinor(kiosk.terminalId)).toBe(first.totalMinor);
    expect(kiosk.journal.outbox.status().depth).toBe(0);
  });

  it('quarantines a deposit the server holds with different fields, and does not retry it', async () => {
    const kiosk = await rig();
    const original = kiosk.commit(2);
    const sync = kiosk.engine();
    await sync.syncNow();
    // The journal's row comes back pending with a different total (a corrupted row, a bug): a conflict.
    const changed = { ...original, totalMinor: 75, items: [{ ...original.items[0]!, count: 3 }] };
    const raw = new Database(kiosk.journalPath);
    raw
      .prepare(`UPDATE outbox SET status = 'pending', payload = ?, total_minor = 75 WHERE deposit_id = ?`)
      .run(JSON.stringify(changed), original.depositId);
    raw.close();
    expect(await sync.syncNow()).toEqual({ synced: 0, quarantined: 1, failed: false });
    const [quarantined] = kiosk.journal.outbox.quarantined(10);
    expect(quarantined?.deposit?.depositId).toBe(original.depositId);
    expect(quarantined?.serverAnswer).toMatchObject({ totalMinor: 50 });
    const requests = kiosk.link.stats.sent;
    await sync.syncNow();
    expect(kiosk.link.stats.sent).toBe(requests);
    expect(await kiosk.server.bagDebitedMinor(kiosk.terminalId)).toBe(original.totalMinor);
  });

  it('believes no answer the pinned server key did not sign: a proxy that says `created` syncs nothing', async () => {
    const kiosk = await rig();
    const deposit = kiosk.commit(3);
    const sync = kiosk.engine();
    // What a proxy answers in the server's words: every deposit of the batch `created`.
    const allCreated = (init?: RequestInit): string => {
      const { deposits } = JSON.parse(String(init?.body)) as { deposits: KioskDeposit[] };
      const results = deposits.map(({ depositId }) => ({
        depositId,
        status: 'created',
        creditedTo: 'wallet',
        inReview: false,
      }));
      return JSON.stringify({ results, serverTimeMs: clock.nowMs() });
    };
    // A proxy that keeps the deposits and answers so, unsigned.
    kiosk.impostor = async (_forward, _input, init) =>
      new Response(allCreated(init), { status: 200, headers: { 'content-type': 'application/json' } });
    expect(await sync.syncNow()).toMatchObject({ synced: 0, failed: true });
    expect(sync.status()).toMatchObject({
      online: false,
      lastErrorCode: 'SERVER_UNREACHABLE',
      lastErrorDetail: 'HTTP 200 not signed by the server',
    });
    expect(kiosk.journal.outbox.status().depth).toBe(1);
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(0);

    // One that forwards to the server but rewrites its answer (the server's signature kept) fares no better:
    // here the server refused the batch, and the proxy turns the refusal into `created`.
    kiosk.impostor = async (forward, input, init) => {
      const answer = await forward(input, { ...init, body: '{"deposits":"nothing"}' });
      return new Response(allCreated(init), { status: 200, headers: answer.headers });
    };
    expect(await sync.syncNow()).toMatchObject({ synced: 0, failed: true });
    expect(kiosk.journal.outbox.status().depth).toBe(1);
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(0);

    // Nor can it put the kiosk out of service with a refusal in the server's words (a kept refusal would
    // hold across restarts): unsigned, it is only a server that could not be heard.
    const refusal = new CodedError('TERMINAL_DISABLED');
    kiosk.impostor = async () =>
      new Response(JSON.stringify(refusal.toBody()), {
        status: refusal.status,
        headers: { 'content-type': 'application/json' },
      });
    expect(await sync.syncNow()).toMatchObject({ synced: 0, failed: true });
    expect(sync.status()).toMatchObject({ lastErrorCode: 'SERVER_UNREACHABLE' });

    // The server's own answer, signed, is believed.
    kiosk.impostor = null;
    expect(await sync.syncNow()).toEqual({ synced: 1, quarantined: 0, failed: false });
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map([[deposit.depositId, deposit.totalMinor]]),
    );
  });

  it('backs off with jitter while the server is unreachable, without hammering it on every commit', async () => {
    const kiosk = await rig();
    kiosk.commit(1);
    kiosk.link.faults = { ...noFaults, down: true };
    const sync = kiosk.engine();
    await sync.syncNow();
    expect(sync.status()).toMatchObject({ online: false, consecutiveFailures: 1 });
    const attempts = kiosk.link.stats.refusedWhileDown;
    kiosk.commit(1);
    sync.kick();
    expect(kiosk.link.stats.refusedWhileDown).toBe(attempts);
    // First retry after 1 s x (1/2 + 0.5/2) = 750 ms.
    expect(sync.status().nextAttemptAtMs! - kiosk.clock.nowMs()).toBe(750);
    await kiosk.clock.advanceAsync(750);
    await expect.poll(() => sync.status().consecutiveFailures).toBe(2);
    kiosk.link.faults = noFaults;
    await kiosk.clock.advanceAsync(1_500);
    await expect.poll(() => sync.status().online).toBe(true);
    expect(kiosk.journal.outbox.status().depth).toBe(0);
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(2);
  });

  it('takes a gateway 503 with an HTML page for an outage: keeps the deposit, backs off, then syncs it once', async () => {
    const kiosk = await rig();
    const deposit = kiosk.commit(2);
    kiosk.link.faults = { ...noFaults, gatewayError: 1 };
    const sync = kiosk.engine();
    expect(await sync.syncNow()).toEqual({ synced: 0, quarantined: 0, failed: true });
    expect(kiosk.link.stats.gatewayErrors).toBe(1);
    expect(sync.status()).toMatchObject({ online: false, lastErrorCode: 'SERVER_UNREACHABLE' });
    expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 1, quarantined: 0 });
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(0);
    kiosk.link.faults = noFaults;
    await kiosk.clock.advanceAsync(sync.status().nextAttemptAtMs! - kiosk.clock.nowMs());
    await expect.poll(() => sync.status().online).toBe(true);
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map([[deposit.depositId, deposit.totalMinor]]),
    );
  });

  it('sets aside the one deposit the server refuses as malformed, found by halving, and syncs the rest', async () => {
    const kiosk = await rig();
    const deposits = Array.from({ length: 7 }, (_, index) => kiosk.commit(index + 1));
    const bad = deposits[4]!;
    // A coin id with a NUL in it reads as a deposit here but not at the server, which refuses the whole
    // batch that carries it (as a server upgraded to a stricter schema than the kiosk's would).
    const damaged = { ...bad, items: [{ ...bad.items[0]!, ccTalkId: 'US\u0000025A' }] };
    const raw = new Database(kiosk.journalPath);
    raw
      .prepare('UPDATE outbox SET payload = ? WHERE deposit_id = ?')
      .run(JSON.stringify(damaged), bad.depositId);
    raw.close();
    const sync = kiosk.engine({ batchDepositsMax: 8 });
    expect(await sync.syncNow()).toEqual({ synced: 6, quarantined: 1, failed: false });
    expect(kiosk.sent).toEqual([[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4], [5, 6, 7], [5, 6], [5], [6, 7]]);
    const [setAside] = kiosk.journal.outbox.quarantined(10);
    expect(setAside?.depositId).toBe(bad.depositId);
    expect(setAside?.serverAnswer).toMatchObject({ refused: 'VALIDATION_FAILED', status: 400 });
    expect(sync.status()).toMatchObject({ online: true, quarantinedTotal: 1 });
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map(deposits.filter((d) => d !== bad).map((d) => [d.depositId, d.totalMinor])),
    );
    // The next commit goes in a whole batch again.
    kiosk.commit(1);
    expect(await sync.syncNow()).toEqual({ synced: 1, quarantined: 0, failed: false });
    expect(kiosk.sent.at(-1)).toEqual([8]);
    // A tech sends the set-aside deposit again while the server still refuses it: set aside again, with
    // the refusal, and nothing else moves.
    expect(kiosk.journal.outbox.requeueQuarantined()).toBe(1);
    expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 1, quarantined: 0 });
    expect(await sync.syncNow()).toEqual({ synced: 0, quarantined: 1, failed: false });
    expect(kiosk.sent.at(-1)).toEqual([5]);
    expect(kiosk.journal.outbox.quarantined(10)).toMatchObject([
      { depositId: bad.depositId, serverAnswer: { refused: 'VALIDATION_FAILED' } },
    ]);
    expect(await kiosk.server.bagDebitedMinor(kiosk.terminalId)).toBe(
      deposits.filter((d) => d !== bad).reduce((sum, d) => sum + d.totalMinor, 0) + 25,
    );
  });

  it('sets aside a journal row that no longer reads as a deposit, never sends it, and syncs the rest', async () => {
    const kiosk = await rig();
    const deposits = Array.from({ length: 4 }, (_, index) => kiosk.commit(index + 1));
    const bad = deposits[1]!;
    const raw = new Database(kiosk.journalPath);
    raw
      .prepare('UPDATE outbox SET payload = ? WHERE deposit_id = ?')
      .run(JSON.stringify({ ...bad, totalMinor: bad.totalMinor + 5 }), bad.depositId);
    raw.close();
    const sync = kiosk.engine();
    expect(await sync.syncNow()).toEqual({ synced: 3, quarantined: 0, failed: false });
    expect(kiosk.sent).toEqual([[1, 3, 4]]);
    const [setAside] = kiosk.journal.outbox.quarantined(10);
    expect(setAside).toMatchObject({ depositId: bad.depositId, deposit: null });
    expect(setAside?.serverAnswer).toMatchObject({
      unreadableJournalRow: expect.stringMatching(/totalMinor/),
    });
    expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 0, quarantined: 1 });
  });

  it('takes a 500 from a server whose storage failed: keeps the deposit, backs off, then syncs it once', async () => {
    const kiosk = await rig();
    const deposit = kiosk.commit(3);
    const mend = await kiosk.server.breakStorage();
    try {
      const sync = kiosk.engine();
      expect(await sync.syncNow()).toEqual({ synced: 0, quarantined: 0, failed: true });
      expect(sync.status()).toMatchObject({ online: false, lastErrorCode: 'INTERNAL' });
      expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 1, quarantined: 0 });
      // Still broken at the next attempt: the deposit stays, the wait grows.
      const firstWaitMs = sync.status().nextAttemptAtMs! - kiosk.clock.nowMs();
      await kiosk.clock.advanceAsync(firstWaitMs);
      await expect.poll(() => sync.status().consecutiveFailures).toBe(2);
      expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 1, quarantined: 0 });
      await mend();
      await kiosk.clock.advanceAsync(sync.status().nextAttemptAtMs! - kiosk.clock.nowMs());
      await expect.poll(() => sync.status().online).toBe(true);
      expect(kiosk.journal.outbox.status()).toMatchObject({ depth: 0, quarantined: 0 });
    } finally {
      await mend();
    }
    expect(await kiosk.server.creditedByDeposit(kiosk.terminalId)).toEqual(
      new Map([[deposit.depositId, deposit.totalMinor]]),
    );
  });

  it('syncs at once after a commit while online', async () => {
    const kiosk = await rig();
    const sync = kiosk.engine();
    kiosk.commit(3);
    sync.kick();
    await expect.poll(() => kiosk.journal.outbox.status().depth).toBe(0);
  });

  it('halves its batches when the server says they are too large', async () => {
    const kiosk = await rig({ system: { syncBatchDepositsMax: 4 } });
    for (let index = 0; index < 8; index += 1) kiosk.commit(1);
    expect(await kiosk.engine({ batchDepositsMax: 8 }).syncNow()).toEqual({
      synced: 8,
      quarantined: 0,
      failed: false,
    });
    expect(kiosk.sent.map((batch) => batch.length)).toEqual([8, 4, 4]);
  });

  it('is refused by a server that does not know its key', async () => {
    const kiosk = await rig();
    kiosk.commit(1);
    const sync = kiosk.engine({ signingKey: newKey() });
    expect(await sync.syncNow()).toMatchObject({ failed: true });
    expect(sync.status().lastErrorCode).toBe('SIGNATURE_INVALID');
    expect((await kiosk.server.creditedByDeposit(kiosk.terminalId)).size).toBe(0);
    expect(kiosk.journal.outbox.status().depth).toBe(1);
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
