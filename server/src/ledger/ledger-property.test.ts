import type { Code } from '@cashin/shared';
import { CodedError, generateCode } from '@cashin/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redeemClaim } from '../claims/redeem-claim.js';
import { creditDeposit } from '../deposits/credit-deposit.js';
import { reverseDeposit } from '../deposits/reverse-deposit.js';
import { openTestDb, testAdapters } from '../test-support/test-db.js';
import { seedDrawer, seedShopper, testDeps } from '../test-support/test-deps.js';
import { findAccount } from './accounts.js';
import { verifyLedger } from './verify-ledger.js';

/** Sequences per adapter and their length: enough to mix every operation, bounded for CI time. */
const runsPerAdapter = 40;
const commandsPerRunMax = 40;
const shoppersPerRun = 3;

type Command =
  | { kind: 'deposit'; shopper: number; amountMinor: number; cashAlreadyTaken: boolean }
  | { kind: 'replay'; pick: number }
  | { kind: 'replayChanged'; pick: number; deltaMinor: number }
  | { kind: 'reverse'; pick: number }
  | { kind: 'unknownCode'; amountMinor: number }
  | { kind: 'claim'; pick: number; shopper: number }
  | { kind: 'advanceHours'; hours: number };

const amount = fc.integer({ min: 1, max: 40_000 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('deposit' as const),
      shopper: fc.nat(shoppersPerRun - 1),
      amountMinor: amount,
      cashAlreadyTaken: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('replay' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('replayChanged' as const),
      pick: fc.nat(),
      deltaMinor: fc.integer({ min: 1, max: 100 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownCode' as const), amountMinor: amount }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('claim' as const),
      pick: fc.nat(),
      shopper: fc.nat(shoppersPerRun - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('advanceHours' as const),
      hours: fc.integer({ min: 1, max: 48 }),
    }),
  },
);

function codeOf(error: unknown): string {
  if (error instanceof CodedError) return error.code;
  throw error;
}

describe.each(testAdapters)('ledger properties on %s', (adapter) => {
  it('keeps every balance equal to its transfers, debits equal to credits, and wallets non-negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 1, maxLength: commandsPerRunMax }),
        async (commands) => {
          const testDb = await openTestDb(adapter);
          try {
            const deps = testDeps(testDb.db);
            const drawer = await seedDrawer(deps);
            const shoppers = [];
            for (let n = 0; n < shoppersPerRun; n += 1) shoppers.push(await seedShopper(deps));
            const expected = new Map<string, number>(shoppers.map((s) => [s.walletAccountId, 0]));
            const sent: {
              id: string;
              code: Code;
              amountMinor: number;
              cashAlreadyTaken: boolean;
              wallet: string | null;
              reversed: boolean;
            }[] = [];
            const claims: { code: Code; amountMinor: number; redeemedBy: string | null }[] = [];

            for (const command of commands) {
              switch (command.kind) {
                case 'deposit': {
                  const shopper = shoppers[command.shopper]!;
                  const input = {
                    id: deps.newId(),
                    code: shopper.code,
                    amountMinor: command.amountMinor,
                    currency: 'USD' as const,
                    sourceAccountId: drawer,
                    cashAlreadyTaken: command.cashAlreadyTaken,
                  };
                  try {
                    const receipt = await creditDeposit(deps, input);
                    expect(receipt.result).toBe('created');
                    expected.set(
                      shopper.walletAccountId,
                      expected.get(shopper.walletAccountId)! + command.amountMinor,
                    );
                    sent.push({ ...input, wallet: shopper.walletAccountId, reversed: false });
                  } catch (error) {
                    // Only a limit may refuse a deposit here, and only when the cash is not yet taken.
                    expect(codeOf(error)).toBe('LIMIT_EXCEEDED');
                    expect(command.cashAlreadyTaken).toBe(false);
                  }
                  break;
                }
                case 'replay': {
                  const prior = sent[command.pick % Math.max(1, sent.length)];
                  if (prior === undefined) break;
                  const receipt = await creditDeposit(deps, {
                    ...prior,
                    currency: 'USD',
                    sourceAccountId: drawer,
                  });
                  expect(receipt.result).toBe('exists');
                  break;
                }
                case 'replayChanged': {
                  const prior = sent[command.pick % Math.max(1, sent.length)];
                  if (prior === undefined) break;
                  const changed = {
                    ...prior,
                    currency: 'USD' as const,
                    sourceAccountId: drawer,
                    amountMinor: prior.amountMinor + command.deltaMinor,
                  };
                  await expect(creditDeposit(deps, changed)).rejects.toMatchObject({
                    code: 'IDEMPOTENCY_CONFLICT',
                  });
                  break;
                }
                case 'reverse': {
                  const target = sent[command.pick % Math.max(1, sent.length)];
                  if (target === undefined || target.wallet === null) break;
                  try {
                    const reversal = await reverseDeposit(deps, {
                      id: deps.newId(),
                      depositId: target.id,
                      reason: 'property test',
                      by: 'property-test',
                    });
                    expect(target.reversed).toBe(false);
                    expect(reversal.result).toBe('created');
                    target.reversed = true;
                    expected.set(target.wallet, expected.get(target.wallet)! - target.amountMinor);
                  } catch (error) {
                    const code = codeOf(error);
                    expect(['ALREADY_VOIDED', 'INSUFFICIENT_FUNDS']).toContain(code);
                    if (code === 'ALREADY_VOIDED') expect(target.reversed).toBe(true);
                  }
                  break;
                }
                case 'unknownCode': {
                  const receipt = await creditDeposit(deps, {
                    id: deps.newId(),
                    code: generateCode('deposit'),
                    amountMinor: command.amountMinor,
                    currency: 'USD',
                    sourceAccountId: drawer,
                    cashAlreadyTaken: true,
                  });
                  expect(receipt.status).toBe('suspense');
                  claims.push({
                    code: receipt.claimCode!,
                    amountMinor: command.amountMinor,
                    redeemedBy: null,
                  });
                  break;
                }
                case 'claim': {
                  const claim = claims[command.pick % Math.max(1, claims.length)];
                  if (claim === undefined) break;
                  const shopper = shoppers[command.shopper]!;
                  // Once only: the same shopper again is answered `exists` and nothing moves; anyone else
                  // finds it redeemed.
                  try {
                    const redeemed = await redeemClaim(deps, shopper.shopperId, claim.code);
                    if (redeemed.result === 'exists') {
                      expect(claim.redeemedBy).toBe(shopper.shopperId);
                    } else {
                      expect(claim.redeemedBy).toBe(null);
                      claim.redeemedBy = shopper.shopperId;
                      expected.set(
                        shopper.walletAccountId,
                        expected.get(shopper.walletAccountId)! + claim.amountMinor,
                      );
                    }
                  } catch (error) {
                    expect(codeOf(error)).toBe('CLAIM_ALREADY_REDEEMED');
                    expect(claim.redeemedBy).not.toBe(null);
                    expect(claim.redeemedBy).not.toBe(shopper.shopperId);
                  }
                  break;
                }
                case 'advanceHours':
                  deps.clock.advance(command.hours * 60 * 60 * 1000);
                  break;
              }
            }

            const report = await verifyLedger(testDb.db);
            expect(report.discrepancies).toEqual([]);
            expect(report.ok).toBe(true);
            for (const [currency, total] of Object.entries(report.totals)) {
              expect(total.debitsMinor, currency).toBe(total.creditsMinor);
            }
            for (const [wallet, balance] of expected) {
              const account = await testDb.db.transaction((tx) => findAccount(tx, wallet));
              expect(account!.creditsPosted - account!.debitsPosted).toBe(balance);
              expect(balance).toBeGreaterThanOrEqual(0);
            }
          } finally {
            await testDb.dispose();
          }
        },
      ),
      { numRuns: runsPerAdapter },
    );
    // Each sequence migrates a fresh database (on PostgreSQL, a fresh schema): on a loaded 2-core machine
    // the 40 of them have taken 27-36 s, past the default 30 s guard. A guard against a hang, not a speed test.
  }, 180_000);
});
