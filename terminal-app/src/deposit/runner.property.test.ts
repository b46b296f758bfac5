import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@cashin/shared';
import { multiplyMinor, sumMinor } from '@cashin/shared';
import { tempJournal } from '../journal/testing/temp-journal.js';
import { RunnerRig } from './testing/runner-rig.js';
import { shopperCode, testConfig } from './testing/deposit-fixtures.js';

/**
 * Random kiosk sessions with crashes at random points: whatever happens, no coin is lost or counted twice.
 * A "crash" stops the runner between two events without writing anything and starts a new one on the same
 * SQLite file, which recovers what was open; the session ends with one last crash and recovery.
 */
type Command =
  | { type: 'open' }
  | { type: 'voucher' }
  | { type: 'server'; mode: 'answer' | 'unreachable' | 'hang' }
  | { type: 'coin'; valueMinor: number }
  | { type: 'coinInFlight'; valueMinor: number }
  | { type: 'bill'; valueMinor: number }
  | { type: 'reject' }
  | { type: 'finish'; drain: boolean }
  | { type: 'cancel' }
  | { type: 'advance'; ms: number }
  | { type: 'crash' }
  | { type: 'jam' }
  | { type: 'jamCleared' }
  | { type: 'lostEvents' };

const coinValues = [1, 5, 10, 25, 50, 100];
const billValues = [100, 500, 1_000, 2_000];

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Command>({ type: 'open' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'voucher' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('answer' as const, 'unreachable' as const, 'hang' as const)
      .map((mode): Command => ({ type: 'server', mode })),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(...coinValues).map((valueMinor): Command => ({ type: 'coin', valueMinor })),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(...coinValues)
      .map((valueMinor): Command => ({ type: 'coinInFlight', valueMinor })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(...billValues).map((valueMinor): Command => ({ type: 'bill', valueMinor })),
  },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'reject' }) },
  { weight: 3, arbitrary: fc.boolean().map((drain): Command => ({ type: 'finish', drain })) },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'cancel' }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        100,
        testConfig.drainMs,
        testConfig.lookupTimeoutMs,
        testConfig.receiptScreenMs,
        testConfig.idleTimeoutMs,
      )
      .map((ms): Command => ({ type: 'advance', ms })),
  },
  { weight: 2, arbitrary: fc.constant<Command>({ type: 'crash' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'jam' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'jamCleared' }) },
  { weight: 1, arbitrary: fc.constant<Command>({ type: 'lostEvents' }) },
);

/** Leaves whatever screen is up for attract: done, a pending lookup, a jam, a half-begun identification. */
async function toAttract(rig: RunnerRig): Promise<void> {
  switch (rig.snapshot.screen) {
    case 'done':
    case 'identify':
    case 'lookingUp':
    case 'confirm':
      rig.runner.intent({ type: rig.snapshot.screen === 'done' ? 'dismiss' : 'cancel' });
      return;
    case 'outOfService':
      rig.devices.emit({ type: 'faultCleared', device: 'coin', fault: 'jam' });
      return;
    default:
      return;
  }
}

async function perform(rig: RunnerRig, command: Command): Promise<void> {
  switch (command.type) {
    case 'open':
    case 'voucher':
      // A new shopper walks up: whatever the last one left on screen is cleared the way a person would.
      await toAttract(rig);
      rig.runner.intent({ type: 'start' });
      if (command.type === 'voucher') {
        rig.runner.intent({ type: 'noAccount' });
      } else {
        rig.runner.intent({ type: 'keyedCode', text: shopperCode });
        await rig.settle();
        if (rig.snapshot.screen === 'lookingUp') await rig.clock.advanceAsync(testConfig.lookupTimeoutMs);
      }
      rig.runner.intent({ type: 'confirm' });
      return;
    case 'server':
      rig.lookup.mode = command.mode;
      return;
    case 'coin':
      rig.devices.insertCoin(command.valueMinor);
      return;
    case 'coinInFlight':
      rig.devices.coinInFlight(command.valueMinor);
      return;
    case 'bill':
      rig.devices.insertBill(command.valueMinor);
      return;
    case 'reject':
      rig.devices.emit({ type: 'reject', device: 'coin', reason: 'rejected', count: 1 });
      return;
    case 'finish':
      rig.runner.intent({ type: 'finish' });
      if (command.drain) await rig.clock.advanceAsync(testConfig.drainMs);
      return;
    case 'cancel':
      rig.runner.intent({ type: 'cancel' });
      return;
    case 'advance':
      await rig.clock.advanceAsync(command.ms);
      return;
    case 'crash':
      rig.restart();
      return;
    case 'jam':
      rig.devices.emit({ type: 'fault', device: 'coin', fault: 'jam' });
      return;
    case 'jamCleared':
      rig.devices.emit({ type: 'faultCleared', device: 'coin', fault: 'jam' });
      return;
    case 'lostEvents':
      rig.devices.emit({ type: 'lostEvents', device: 'coin', count: 1 });
      return;
  }
}

describe('deposit runner, random sessions with random crashes', () => {
  it('never loses or doubles a coin: committed + strays = credited, each total = its items, sequences 1..n', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandArb, { minLength: 5, maxLength: 60, size: 'max' }),
        async (commands) => {
          const temp = tempJournal(testConfig.terminalId);
          const rig = new RunnerRig(temp);
          let creditedMinor = 0;
          // Every credit a device reports while the runner listens: the money the kiosk physically took.
          rig.devices.subscribe((event: DeviceEvent) => {
            if (event.type === 'credit') creditedMinor += multiplyMinor(event.valueMinor, event.count);
          });
          try {
            for (const command of commands) await perform(rig, command);
            rig.restart();
            const committed = rig.journal.committedAfter(0, 10_000);
            const journaled = rig.read<{ total: number }>(
              `SELECT COALESCE(SUM(value_minor * count), 0) AS total FROM deposit_events WHERE type = 'credit'`,
            ).total;
            const strays = rig.journal.strayCredits().totalMinor;

            expect(rig.journal.openDepositIds()).toEqual([]);
            expect(journaled).toBe(creditedMinor);
            expect(sumMinor(committed.map((d) => d.totalMinor)) + strays).toBe(creditedMinor);
            for (const d of committed) {
              // A deposit with nothing counted is kept only when a device lost events during it (or, as an
              // alarm deposit, with none open): what went unreported may have been money.
              if (d.totalMinor === 0) expect(d.flags.lostEvents).toBe(true);
              expect(sumMinor(d.items.map((item) => multiplyMinor(item.valueMinor, item.count)))).toBe(
                d.totalMinor,
              );
            }
            expect(committed.map((d) => d.sequence)).toEqual(committed.map((_, i) => i + 1));
            expect(new Set(committed.map((d) => d.depositId)).size).toBe(committed.length);
            expect(rig.journal.outbox.status()).toMatchObject({
              depth: committed.length,
              lastSequence: committed.length,
              unsyncedTotalMinor: sumMinor(committed.map((d) => d.totalMinor)),
            });
          } finally {
            rig.crash();
            temp.cleanup();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
