import type { AuditEntrySchema } from '@cashin/shared';
import {
  AlertListSchema,
  AuditTrailSchema,
  createUuidV7Generator,
  opsApiPaths,
  terminalApiPaths,
} from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { publicKeyFingerprint } from '../terminals/key-records.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';
import { verifyAudit } from './audit-verify.js';

type Entry = z.output<typeof AuditEntrySchema>;

const newId = createUuidV7Generator();

async function trail(t: TestApp, query: Record<string, string> = {}) {
  const response = await t.app.inject({
    method: 'GET',
    url: opsApiPaths.auditEntries,
    query,
    headers: opsHeaders,
  });
  if (response.statusCode !== 200) throw new Error(`trail failed: ${response.body}`);
  return AuditTrailSchema.parse(response.json());
}

/** Every page of a listing, following `next`, with the limit given. */
async function allPages(t: TestApp, query: Record<string, string>): Promise<Entry[]> {
  const entries: Entry[] = [];
  let before: string | null | undefined;
  do {
    const page = await trail(t, before === undefined || before === null ? query : { ...query, before });
    entries.push(...page.entries);
    before = page.next;
  } while (before !== null);
  return entries;
}

describe.each(testAdapters)('the audit trail on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('records who acted on stores, clerks, terminals, collections and alerts, newest first', async () => {
    t = await openTestApp(adapter);
    const post = async (url: string, payload: object = {}) => {
      t!.clock.advance(1_000);
      const response = await t!.app.inject({ method: 'POST', url, headers: opsHeaders, payload });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.json<Record<string, unknown>>();
    };
    const store = await post(opsApiPaths.stores, {
      name: 'Corner Store',
      currency: 'USD',
      timeZone: 'America/New_York',
    });
    const storeId = store['id'] as string;
    const clerk = await post(opsApiPaths.clerks(storeId), { name: 'Rosa', pin: '482913' });
    t.clock.advance(1_000);
    const kiosk = await enrollTestKiosk(t, storeId);
    await post(opsApiPaths.terminalDisable(kiosk.terminalId));
    // Asked again, nothing changes and nothing is recorded.
    await post(opsApiPaths.terminalDisable(kiosk.terminalId));
    await post(opsApiPaths.terminalEnable(kiosk.terminalId));
    await post(opsApiPaths.terminalKeyRotation(kiosk.terminalId), { oldDevice: 'replaced' });

    const ana = await signUpAndIn(t);
    t.clock.advance(1_000);
    const lost = {
      ...kioskDeposit(kiosk, newId, t.clock.nowMs(), { code: ana.depositCode }),
      flags: { recovered: false, lostEvents: true, offline: false, deviceFault: false },
    };
    expect((await signedPost(t, kiosk, terminalApiPaths.sync, { deposits: [lost] })).statusCode).toBe(200);
    const collectionId = newId();
    await post(opsApiPaths.collections, {
      collectionId,
      terminalId: kiosk.terminalId,
      countedMinor: 190,
      currency: 'USD',
      bagLabel: 'B-17',
    });
    const alerts = AlertListSchema.parse(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.alerts, headers: opsHeaders })).json(),
    ).alerts;
    const alert = alerts.find((candidate) => candidate.kind === 'lostCoinEvents');
    if (alert === undefined) throw new Error('the lost coin events raised no alert');
    await post(opsApiPaths.alertResolution(alert.id), { note: 'bag counted, 10 short' });
    // A retry of the close finds the alert closed and records nothing more.
    await post(opsApiPaths.alertResolution(alert.id), { note: 'bag counted, 10 short' });

    const terminalChain = (await trail(t, { subject: kiosk.terminalId })).entries;
    expect(terminalChain.map((entry) => [entry.kind, entry.data['by']])).toEqual([
      ['alert.closed', 'ops-token'],
      ['collection.recorded', 'ops-token'],
      ['terminal.keyRotationStarted', 'ops-token'],
      ['terminal.enabled', 'ops-token'],
      ['terminal.disabled', 'ops-token'],
      ['terminal.enrolled', kiosk.terminalId],
      ['terminal.created', 'ops-token'],
    ]);
    expect(terminalChain.map((entry) => entry.seq)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(terminalChain[0]?.data).toEqual({
      alertId: alert.id,
      alertKind: 'lostCoinEvents',
      note: 'bag counted, 10 short',
      by: 'ops-token',
    });
    expect(terminalChain[1]?.data).toEqual({
      collectionId,
      currency: 'USD',
      expectedMinor: 200,
      countedMinor: 190,
      overShortMinor: -10,
      // The kiosk never sent a heartbeat, so it reported nothing unsynced and none was expected.
      awaitingSyncMinor: 0,
      unsyncedReportedMinor: null,
      unsyncedReportedAtMs: null,
      bagLabel: 'B-17',
      by: 'ops-token',
    });
    expect(terminalChain[2]?.data).toEqual({ oldDevice: 'replaced', by: 'ops-token' });
    expect(terminalChain[5]?.data).toEqual({
      keyFingerprint: publicKeyFingerprint(kiosk.publicKey),
      softwareVersion: '1.0.0',
      by: kiosk.terminalId,
    });
    const storeChain = (await trail(t, { subject: storeId })).entries;
    expect(storeChain.map((entry) => [entry.kind, entry.data])).toEqual([
      ['clerk.created', { clerkId: clerk['id'], name: 'Rosa', by: 'ops-token' }],
      [
        'store.created',
        { name: 'Corner Store', currency: 'USD', timeZone: 'America/New_York', by: 'ops-token' },
      ],
    ]);

    // The whole trail leaves the deposit out; the wallet's own chain holds it.
    const everything = (await trail(t)).entries;
    expect(everything.map((entry) => entry.kind)).not.toContain('deposit.credited');
    expect(everything[0]).toEqual(terminalChain[0]);
    expect(everything.map((entry) => entry.atMs)).toEqual(
      [...everything.map((entry) => entry.atMs)].sort((a, b) => b - a),
    );
    const opened = everything.find((entry) => entry.kind === 'account.opened');
    const walletId = opened?.data['walletAccountId'];
    if (typeof walletId !== 'string') throw new Error('the shopper wallet was not audited as opened');
    expect((await trail(t, { subject: walletId })).entries.map((entry) => entry.kind)).toEqual([
      'deposit.credited',
    ]);

    // The collection lists who recorded it.
    const collections = await t.app.inject({
      method: 'GET',
      url: opsApiPaths.collections,
      headers: opsHeaders,
    });
    expect(collections.json()).toMatchObject({ collections: [{ collectionId, collectedBy: 'ops-token' }] });
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('pages through the trail without skipping or repeating, entries of one moment included', async () => {
    t = await openTestApp(adapter);
    // Several chains written in the same millisecond, then more later: pages must cut through ties.
    for (let round = 0; round < 3; round += 1) {
      for (let store = 0; store < 4; store += 1) {
        const response = await t.app.inject({
          method: 'POST',
          url: opsApiPaths.stores,
          headers: opsHeaders,
          payload: { name: `Store ${round}-${store}`, currency: 'USD', timeZone: 'America/New_York' },
        });
        expect(response.statusCode).toBe(201);
      }
      t.clock.advance(1);
    }
    const whole = (await trail(t, { limit: '200' })).entries;
    expect(whole.map((entry) => entry.kind)).toEqual(new Array(12).fill('store.created'));
    for (const limit of ['1', '5', '7']) {
      const paged = await allPages(t, { limit });
      expect(paged).toEqual(whole);
    }
    const first = await trail(t, { limit: '5' });
    expect(first.entries).toHaveLength(5);
    expect(first.next).not.toBeNull();
  });

  it('refuses a cursor it did not make and a subject that is not an id, and lets only ops read', async () => {
    t = await openTestApp(adapter);
    const get = (query: Record<string, string>, headers: Record<string, string> = opsHeaders) =>
      t!.app.inject({ method: 'GET', url: opsApiPaths.auditEntries, query, headers });
    const refused: Record<string, string>[] = [
      { before: 'yesterday' },
      { before: '12.x.S00001' },
      { before: '99999999999999999.1.S00001' },
      { subject: 'S00001', before: '1000.3.S00002' },
      { subject: "S00001' OR 1=1" },
      { limit: '0' },
      { limit: '201' },
    ];
    for (const query of refused) {
      const response = await get(query);
      expect(response.statusCode, JSON.stringify(query)).toBe(400);
      expect(errorCodeOf(response)).toBe('VALIDATION_FAILED');
    }
    const ana = await signUpAndIn(t);
    expect((await get({}, ana.headers)).statusCode).toBe(403);
    expect(errorCodeOf(await get({}, {}))).toBe('UNAUTHENTICATED');
  });
});
