import type { HeartbeatRequest, KioskDeposit } from '@cashin/shared';
import {
  CashPositionSchema,
  CollectionListSchema,
  CollectionSchema,
  createUuidV7Generator,
  opsApiPaths,
  terminalApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';

const newId = createUuidV7Generator();

/** What the kiosk's outbox says in a heartbeat: the deposits not yet acknowledged. */
function heartbeat(kiosk: TestKiosk, unsynced: readonly KioskDeposit[]): HeartbeatRequest {
  return {
    softwareVersion: '2.3.1',
    uptimeMs: 60_000,
    devices: [{ device: 'coins', kind: 'coinAcceptor', state: 'ok', faults: [] }],
    outbox: {
      depth: unsynced.length,
      unsyncedTotalMinor: unsynced.reduce((sum, deposit) => sum + deposit.totalMinor, 0),
      oldestUnsyncedAtMs: unsynced.length === 0 ? null : Date.parse(unsynced[0]!.committedAt),
      quarantined: 0,
      lastSequence: kiosk.sequence,
    },
    bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
    lastError: null,
  };
}

describe.each(testAdapters)('a collection of a kiosk with deposits not yet synced on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function sync(kiosk: TestKiosk, deposits: KioskDeposit[]): Promise<void> {
    const response = await signedPost(t!, kiosk, terminalApiPaths.sync, { deposits });
    expect(response.statusCode, response.body).toBe(200);
  }
  async function beat(kiosk: TestKiosk, unsynced: KioskDeposit[]): Promise<void> {
    const response = await signedPost(t!, kiosk, terminalApiPaths.heartbeat, heartbeat(kiosk, unsynced));
    expect(response.statusCode, response.body).toBe(200);
  }
  async function collect(kiosk: TestKiosk, countedMinor: number, collectionId = newId()) {
    const response = await t!.app.inject({
      method: 'POST',
      url: opsApiPaths.collections,
      headers: opsHeaders,
      payload: { collectionId, terminalId: kiosk.terminalId, countedMinor, currency: 'USD' },
    });
    expect(response.statusCode, response.body).toBe(201);
    return CollectionSchema.parse(response.json());
  }
  async function position() {
    const response = await t!.app.inject({
      method: 'GET',
      url: opsApiPaths.cashPosition,
      headers: opsHeaders,
    });
    return CashPositionSchema.parse(response.json()).currencies.find((one) => one.currency === 'USD');
  }

  it('expects the unsynced cash the kiosk reported, and their later sync settles it: neither collection shows a difference', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = (coins: number) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins });
    await sync(kiosk, [deposit(8)]);
    // Two more deposits are committed while the kiosk cannot reach the server; its heartbeat says so.
    const offline = [deposit(4), deposit(12)];
    t.clock.advance(1_000);
    await beat(kiosk, offline);
    const reportedAtMs = t.clock.nowMs();
    t.clock.advance(60_000);

    // The bag holds all three: 200 synced and 400 not yet.
    const collectionId = newId();
    const first = await collect(kiosk, 600, collectionId);
    expect(first).toMatchObject({
      expectedMinor: 600,
      countedMinor: 600,
      overShortMinor: 0,
      awaitingSyncMinor: 400,
      unsyncedReportedMinor: 400,
      unsyncedReportedAtMs: reportedAtMs,
    });
    expect(await collect(kiosk, 600, collectionId)).toEqual(first);
    const listed = await t.app.inject({ method: 'GET', url: opsApiPaths.collections, headers: opsHeaders });
    expect(CollectionListSchema.parse(listed.json()).collections).toEqual([first]);
    // Until the two deposits arrive, the bag owes them to the ledger, and the position still balances.
    expect(await position()).toMatchObject({
      kioskBagsMinor: -400,
      cashInTransitMinor: 600,
      overShortMinor: 0,
      balanced: true,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);

    // They sync; the kiosk takes one more deposit and syncs it too: the next bag holds only that one.
    await sync(kiosk, offline);
    const next = deposit(8);
    await sync(kiosk, [next]);
    await beat(kiosk, []);
    expect(await collect(kiosk, 200)).toMatchObject({
      expectedMinor: 200,
      overShortMinor: 0,
      awaitingSyncMinor: 0,
      unsyncedReportedMinor: 0,
    });
    expect(await position()).toMatchObject({
      kioskBagsMinor: 0,
      cashInTransitMinor: 800,
      walletsMinor: 800,
      overShortMinor: 0,
      balanced: true,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('does not expect twice what synced after the heartbeat that reported it', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const deposit = (coins: number) =>
      kioskDeposit(kiosk, newId, t!.clock.nowMs(), { code: ana.depositCode, coins });
    const offline = [deposit(4), deposit(8), deposit(12)];
    await beat(kiosk, offline);
    // Two of the three sync before the tech arrives; no heartbeat came since.
    t.clock.advance(5_000);
    await sync(kiosk, offline.slice(0, 2));
    expect(await collect(kiosk, 600)).toMatchObject({
      expectedMinor: 600,
      overShortMinor: 0,
      awaitingSyncMinor: 300,
      unsyncedReportedMinor: 600,
    });
    await sync(kiosk, offline.slice(2));
    // The bag was emptied, and what it owed the ledger has arrived: an empty bag is expected empty.
    expect(await collect(kiosk, 0)).toMatchObject({
      expectedMinor: 0,
      overShortMinor: 0,
      awaitingSyncMinor: 0,
    });
    expect(await position()).toMatchObject({ kioskBagsMinor: 0, overShortMinor: 0, balanced: true });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });

  it('books as over, at the next collection, cash it counted on whose deposits never came', async () => {
    t = await openTestApp(adapter);
    const kiosk = await enrollTestKiosk(t);
    const ana = await signUpAndIn(t);
    const lost = kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode, coins: 4 });
    await beat(kiosk, [lost]);
    expect(await collect(kiosk, 100)).toMatchObject({ expectedMinor: 100, awaitingSyncMinor: 100 });
    // The kiosk's journal is lost with the deposit (a replaced kiosk reports an empty outbox): the 100
    // counted before has no deposit behind it, so the next collection books it as over.
    await beat(kiosk, []);
    expect(await collect(kiosk, 0)).toMatchObject({
      expectedMinor: -100,
      overShortMinor: 100,
      awaitingSyncMinor: 0,
    });
    expect(await position()).toMatchObject({
      kioskBagsMinor: 0,
      cashInTransitMinor: 100,
      overShortMinor: 100,
      balanced: true,
    });
    expect((await verifyLedger(t.db)).ok).toBe(true);
  });
});
