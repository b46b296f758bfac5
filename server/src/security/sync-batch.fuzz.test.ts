import type { KioskDeposit, SyncResult } from '@cashin/shared';
import { generateCode, terminalApiPaths } from '@cashin/shared';
import { fuzzParameters } from '@cashin/shared/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';
import { testAdapters } from '../test-support/test-db.js';
import type { World } from './security-kit.js';
import { openWorld } from './security-kit.js';

/**
 * The sync batch, signed correctly by an enrolled kiosk, with fuzzed contents: deposits whose fields are
 * changed to anything, repeated ids and sequences, batches mixing good and bad. The server never answers
 * with a 5xx; a refused batch moves no money; an accepted one answers every deposit, and the kiosk's cash
 * bag is debited by exactly the deposits answered `created`, nothing for the rest. The ledger balances.
 */
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 1 }),
  fc.constantFrom(
    null,
    -1,
    0,
    0.5,
    2 ** 53,
    '',
    'USD',
    'XXX',
    '2026-06-01T12:00:00.000Z',
    'yesterday',
    [],
    {},
  ),
);

const fieldChange = (world: World) =>
  fc.oneof(
    fc.record({
      field: fc.constant('code'),
      value: fc.oneof(
        junk,
        fc.constantFrom(
          world.shopper.depositCode,
          generateCode('deposit'),
          generateCode('slip'),
          generateCode('claim'),
          '4'.repeat(16),
        ),
      ),
    }),
    fc.record({ field: fc.constant('claimCode'), value: fc.oneof(junk, fc.constant(generateCode('claim'))) }),
    fc.record({ field: fc.constant('sequence'), value: fc.oneof(junk, fc.integer({ min: -2, max: 40 })) }),
    fc.record({
      field: fc.constant('currency'),
      value: fc.oneof(junk, fc.constantFrom('USD', 'MXN', 'JPY')),
    }),
    fc.record({
      field: fc.constant('items'),
      value: fc.oneof(
        junk,
        fc.array(
          fc.record({
            kind: fc.constantFrom('coin', 'bill', 'chip'),
            ccTalkId: fc.constantFrom('US025A', 'US100A', '', 'x'.repeat(9)),
            valueMinor: fc.oneof(fc.constantFrom(25, 100, 0, -25, 2 ** 52), fc.integer()),
            count: fc.oneof(fc.constantFrom(1, 0, -1, 100_001), fc.nat({ max: 50 })),
          }),
          { maxLength: 3 },
        ),
      ),
    }),
    fc.record({ field: fc.constant('totalMinor'), value: fc.oneof(junk, fc.nat({ max: 10_000 })) }),
    fc.record({ field: fc.constant('rejectedCount'), value: junk }),
    fc.record({ field: fc.constant('startedAt'), value: junk }),
    fc.record({ field: fc.constant('committedAt'), value: junk }),
    fc.record({
      field: fc.constant('flags'),
      value: fc.oneof(
        junk,
        fc.record({
          recovered: fc.boolean(),
          lostEvents: fc.boolean(),
          offline: fc.boolean(),
          deviceFault: fc.boolean(),
        }),
      ),
    }),
    fc.record({
      field: fc.constant('receiptSignature'),
      value: fc.oneof(junk, fc.string({ maxLength: 250 })),
    }),
    fc.record({ field: fc.constant('depositId'), value: junk }),
    fc.record({ field: fc.constant('extra'), value: junk }),
  );

describe.each(testAdapters)('the sync batch under fuzz on %s', (adapter) => {
  let world: World;
  let bagAccountId: () => Promise<string | undefined>;

  beforeAll(async () => {
    world = await openWorld(adapter);
    bagAccountId = async () =>
      (
        await world.t.db.single<{ id: string }>(
          "SELECT id FROM accounts WHERE kind = 'kioskBag' AND owner_ref = ? AND currency = 'USD'",
          [world.kiosk.terminalId],
        )
      )[0]?.id;
  });
  afterAll(async () => {
    await world.t.close();
  });

  async function ledgerState(): Promise<{ transfers: number; bagDebitedMinor: number }> {
    const bag = await bagAccountId();
    const [row] = await world.t.db.single<{ n: number | string; bag: number | string | null }>(
      'SELECT COUNT(*) AS n, SUM(CASE WHEN debit_account_id = ? THEN amount_minor ELSE 0 END) AS bag FROM transfers',
      [bag ?? ''],
    );
    return { transfers: Number(row?.n ?? 0), bagDebitedMinor: Number(row?.bag ?? 0) };
  }

  it('never answers a signed batch with a 5xx, and credits exactly the deposits it answers created', async () => {
    const seen: KioskDeposit[] = [];
    const answered = { refused: 0, created: 0, exists: 0, conflict: 0 };
    const batch = fc.array(
      fc.record({
        changes: fc.oneof(fc.constant([]), fc.array(fieldChange(world), { maxLength: 3 })),
        reuse: fc.option(fc.nat(), { nil: undefined }),
        coins: fc.integer({ min: 1, max: 20 }),
      }),
      { minLength: 1, maxLength: 5 },
    );
    await fc.assert(
      fc.asyncProperty(batch, async (plans) => {
        const deposits = plans.map(({ changes, reuse, coins }) => {
          // Some deposits repeat one sent before, as a kiosk retrying would, some with changes.
          const earlier = reuse === undefined || seen.length === 0 ? undefined : seen[reuse % seen.length];
          const base: Record<string, unknown> = {
            ...(earlier ??
              kioskDeposit(world.kiosk, world.newId, world.t.clock.nowMs(), {
                code: world.shopper.depositCode,
                coins,
              })),
          };
          for (const { field, value } of changes) base[field] = value;
          return base;
        });
        const before = await ledgerState();
        const response = await signedPost(world.t, world.kiosk, terminalApiPaths.sync, { deposits });
        expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
        const after = await ledgerState();
        if (response.statusCode >= 300) {
          answered.refused += 1;
          expect(after).toEqual(before);
          return;
        }
        const { results } = response.json<{ results: SyncResult[] }>();
        expect(results).toHaveLength(deposits.length);
        let createdMinor = 0;
        results.forEach((result, index) => {
          const deposit = deposits[index] as KioskDeposit;
          expect(result.depositId).toBe(deposit.depositId);
          answered[result.status] += 1;
          if (result.status === 'created') createdMinor += deposit.totalMinor;
          seen.push(deposit);
        });
        expect(after.bagDebitedMinor - before.bagDebitedMinor).toBe(createdMinor);
      }),
      fuzzParameters(adapter === 'sqlite' ? 100 : 50),
    );
    // The generator reached every answer, so each check above was really made.
    expect(answered.refused).toBeGreaterThan(0);
    expect(answered.created).toBeGreaterThan(0);
    expect(answered.exists + answered.conflict).toBeGreaterThan(0);
    expect((await verifyLedger(world.t.db)).ok).toBe(true);
  });
});
