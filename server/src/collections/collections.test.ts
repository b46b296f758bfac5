import type { CurrencyCode } from '@cashin/shared';
import { createUuidV7Generator, opsApiPaths, terminalApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSystemAccount, findAccount, postedTotals } from '../ledger/accounts.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { PostgresDb } from '../storage/postgres/postgres-db.js';
import type { SharedDbTestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

function collect(t: SharedDbTestApp, payload: object) {
  return t.app.inject({ method: 'POST', url: opsApiPaths.collections, headers: opsHeaders, payload });
}

/** Debits less credits of the network's account of a kind. */
async function holds(t: SharedDbTestApp, kind: 'cashInTransit' | 'overShort', currency: CurrencyCode) {
  return t.db.transaction(async (tx) => {
    const id = await ensureSystemAccount(tx, kind, currency, newId, t.clock.nowMs());
    const totals = await postedTotals(tx, (await findAccount(tx, id))!);
    return totals.debitsPosted - totals.creditsPosted;
  });
}

/** How many PostgreSQL sessions wait on a lock that `pid` holds, directly or behind another waiter. */
async function blockedBehind(db: PostgresDb, pid: number): Promise<number> {
  const waiting = await db.rawPool.query<{ pid: number; blockers: number[] }>(
    "SELECT pid, pg_blocking_pids(pid) AS blockers FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
  );
  const behind = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of waiting.rows) {
      if (!behind.has(row.pid) && row.blockers.some((blocker) => behind.has(blocker))) {
        behind.add(row.pid);
        grew = true;
      }
    }
  }
  return behind.size - 1;
}

describe.each(testAdapters)('collections on %s', (adapter) => {
  let t: SharedDbTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('records a bag label once per terminal; only the same collection id may send it again', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const other = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 8 });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
    const bag = { terminalId: kiosk.terminalId, countedMinor: 200, currency: 'USD', bagLabel: 'B-0042' };
    const collectionId = newId();
    const first = await collect(t, { ...bag, collectionId });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ expectedMinor: 200, overShortMinor: 0 });
    // The idempotent retry answers the first send.
    const retry = await collect(t, { ...bag, collectionId });
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    // The same bag entered again under a new id (the form resent) is refused, not booked as over.
    const again = await collect(t, { ...bag, collectionId: newId() });
    expect(again.statusCode).toBe(409);
    expect(errorCodeOf(again)).toBe('BAG_ALREADY_COLLECTED');
    // Typed in small letters it is still the same bag, and the other way round.
    const typedLower = await collect(t, { ...bag, bagLabel: 'b-0042', collectionId: newId() });
    expect(typedLower.statusCode).toBe(409);
    expect(errorCodeOf(typedLower)).toBe('BAG_ALREADY_COLLECTED');
    const lower = { ...bag, countedMinor: 0, bagLabel: 'b-0043' };
    expect((await collect(t, { ...lower, collectionId: newId() })).statusCode).toBe(201);
    const typedUpper = await collect(t, { ...lower, bagLabel: 'B-0043', collectionId: newId() });
    expect(errorCodeOf(typedUpper)).toBe('BAG_ALREADY_COLLECTED');
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(200);
    expect(await holds(t, 'overShort', 'USD')).toBe(0);
    // Labels are the carrier's per kiosk: another kiosk's bag may carry the same one, and bags without a
    // label are not compared.
    const elsewhere = await collect(t, {
      ...bag,
      terminalId: other.terminalId,
      countedMinor: 0,
      collectionId: newId(),
    });
    expect(elsewhere.statusCode, elsewhere.body).toBe(201);
    const { bagLabel: _unlabelled, ...unlabelled } = bag;
    for (let index = 0; index < 2; index += 1) {
      const plain = await collect(t, { ...unlabelled, countedMinor: 0, collectionId: newId() });
      expect(plain.statusCode, plain.body).toBe(201);
    }
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  // PostgreSQL runs the two sends on separate connections; both pass the first look for the id while a
  // third connection holds the terminal, then queue on its lock. The one served second must find the
  // first's row after the lock (a 500 from the duplicate transfer id otherwise). SQLite runs them one
  // after the other, where the same sends must answer alike too.
  it('answers a retry racing its first send with the first send', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 4 });
    await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [deposit] });
    const payload = {
      collectionId: newId(),
      terminalId: kiosk.terminalId,
      countedMinor: 100,
      currency: 'USD',
      bagLabel: 'B-7',
    };
    let answers;
    if (adapter === 'postgres') {
      const holder = (await t.openAnotherDb()) as PostgresDb;
      try {
        let holderPid = 0;
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const holding = holder.transaction(async (tx) => {
          await tx.get('SELECT id FROM terminals WHERE id = ? FOR UPDATE', [kiosk.terminalId]);
          holderPid = Number((await tx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid);
          locked();
          await released;
        });
        await isLocked;
        const sends = Promise.all([collect(t, payload), collect(t, payload)]);
        // Both sends are past their first look and waiting, directly or behind each other, on the holder.
        while ((await blockedBehind(holder, holderPid)) < 2)
          await new Promise((resolve) => setImmediate(resolve));
        release();
        await holding;
        answers = await sends;
      } finally {
        await holder.close();
      }
    } else {
      answers = await Promise.all([collect(t, payload), collect(t, payload)]);
    }
    const [a, b] = answers;
    expect(a.statusCode, a.body).toBe(201);
    expect(b.statusCode, b.body).toBe(201);
    expect(b.json()).toEqual(a.json());
    expect(await holds(t, 'cashInTransit', 'USD')).toBe(100);
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
