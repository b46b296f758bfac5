import type { Code, DeviceEvent, KioskDeposit, KioskIntent, UuidV7 } from '@cashin/shared';
import {
  KioskDepositSchema,
  createUuidV7Generator,
  defaultLimits,
  denominationOf,
  generateCode,
} from '@cashin/shared';
import type { DepositConfig } from '../deposit-config.js';
import { depositConfig } from '../deposit-config.js';
import type { DepositEvent } from '../deposit-events.js';
import type { StepResult } from '../deposit-machine.js';
import { step } from '../deposit-machine.js';
import type { DepositState } from '../deposit-state.js';
import { initialDepositState } from '../deposit-state.js';

/** Fixed inputs for the deposit engine's tests: one USD kiosk, known codes, and states reached by events. */
export const t0Ms = Date.UTC(2026, 0, 1, 12);

export const testConfig: DepositConfig = depositConfig({
  terminalId: 'kiosk-test-1',
  terminalName: 'Test kiosk',
  timeZone: 'UTC',
  currency: 'USD',
  defaultLanguage: 'en',
  deviceKinds: { coin: 'coinAcceptor', bill: 'billValidator', printer: 'printer', scanner: 'scanner' },
  limits: defaultLimits,
});

const constantBytes =
  (value: number) =>
  (bytes: Uint8Array): void => {
    bytes.fill(value);
  };

export const shopperCode: Code = generateCode('deposit', constantBytes(7));
export const otherShopperCode: Code = generateCode('deposit', constantBytes(3));
export const claimCode: Code = generateCode('claim', constantBytes(5));
const ids = createUuidV7Generator(() => t0Ms, constantBytes(9));
export const depositId: UuidV7 = ids();

export function at(offsetMs: number): number {
  return t0Ms + offsetMs;
}

export function intent(value: KioskIntent, atMs = t0Ms): DepositEvent {
  return {
    type: 'intent',
    intent: value,
    fresh: value.type === 'confirm' ? { depositId, claimCode } : null,
    atMs,
  };
}

export function device(event: DeviceEvent, atMs = t0Ms): DepositEvent {
  return { type: 'device', event, atMs };
}

export function coin(valueMinor: number, atMs = t0Ms): DepositEvent {
  const d = denominationOf('USD', 'coin', valueMinor);
  if (!d) throw new Error(`no coin ${valueMinor}`);
  return device(
    {
      type: 'credit',
      device: 'coin',
      kind: 'coin',
      ccTalkId: d.ccTalkId,
      currency: 'USD',
      valueMinor,
      count: 1,
    },
    atMs,
  );
}

/** Quarters a bulk counter (configured as `counter`) reports counted. */
export function counterQuarters(count: number): Extract<DeviceEvent, { type: 'credit' }> {
  return {
    type: 'credit',
    device: 'counter',
    kind: 'coin',
    ccTalkId: 'US025A',
    currency: 'USD',
    valueMinor: 25,
    count,
  };
}

export function billCredit(valueMinor: number, atMs = t0Ms): DepositEvent {
  const d = denominationOf('USD', 'bill', valueMinor);
  if (!d) throw new Error(`no bill ${valueMinor}`);
  return device(
    {
      type: 'credit',
      device: 'bill',
      kind: 'bill',
      ccTalkId: d.ccTalkId,
      currency: 'USD',
      valueMinor,
      count: 1,
    },
    atMs,
  );
}

export function escrow(valueMinor: number, atMs = t0Ms): DepositEvent {
  const d = denominationOf('USD', 'bill', valueMinor);
  if (!d) throw new Error(`no bill ${valueMinor}`);
  return device({ type: 'escrow', device: 'bill', ccTalkId: d.ccTalkId, currency: 'USD', valueMinor }, atMs);
}

export function timer(name: 'idle' | 'lookup' | 'drain' | 'receipt', atMs = t0Ms): DepositEvent {
  return { type: 'timer', name, atMs };
}

export function found(
  remainingMinor: number,
  balanceMinor: number | null = 1_000,
  requestId = 1,
): DepositEvent {
  return {
    type: 'lookupResult',
    requestId,
    result: { kind: 'found', maskedName: 'J*** D***', currency: 'USD', remainingMinor, balanceMinor },
    atMs: t0Ms,
  };
}

export function unreachable(requestId = 1): DepositEvent {
  return { type: 'lookupResult', requestId, result: { kind: 'unreachable' }, atMs: t0Ms };
}

/** Steps through events, returning the last result and every effect on the way. */
export function run(
  events: readonly DepositEvent[],
  from: DepositState = initialDepositState(testConfig),
): StepResult & { allEffects: StepResult['effects'] } {
  let result: StepResult = { state: from, effects: [] };
  const allEffects: StepResult['effects'] = [];
  for (const event of events) {
    result = step(testConfig, result.state, event);
    allEffects.push(...result.effects);
  }
  return { ...result, allEffects };
}

export function stateAfter(events: readonly DepositEvent[], from?: DepositState): DepositState {
  return run(events, from).state;
}

/** What the journal would answer for the deposit a `committing` state is committing. */
export function committedFor(state: DepositState, sequence = 1): KioskDeposit {
  if (state.phase !== 'committing') throw new Error('not committing');
  const d = state.deposit;
  return KioskDepositSchema.parse({
    depositId: d.depositId,
    sequence,
    code: d.shopper.code,
    claimCode: d.claimCode,
    currency: 'USD',
    items: d.items,
    rejectedCount: d.rejectedCoinCount + d.rejectedBillCount,
    totalMinor: d.totalMinor,
    startedAt: new Date(d.startedAtMs).toISOString(),
    committedAt: new Date(t0Ms).toISOString(),
    flags: {
      recovered: false,
      lostEvents: d.lostEvents,
      offline: d.shopper.offline,
      deviceFault: d.deviceFault,
    },
    receiptSignature: null,
  });
}

/**
 * The journal's answer when a `committing` state's deposit is committed: the deposit (committedFor unless
 * given) and its returns, coins and bills apart, as the machine counted them and journaled them.
 */
export function committedEvent(
  state: DepositState,
  deposit: KioskDeposit = committedFor(state),
): Extract<DepositEvent, { type: 'committed' }> {
  if (state.phase !== 'committing') throw new Error('not committing');
  const d = state.deposit;
  const returned = { coinCount: d.rejectedCoinCount, billCount: d.rejectedBillCount, unsortedCount: 0 };
  return { type: 'committed', deposit, returned, atMs: t0Ms };
}

/** Canonical states of every phase, reached through the machine itself. */
export const fixtures = {
  idle: (): DepositState => initialDepositState(testConfig),
  identifying: (): DepositState => stateAfter([intent({ type: 'start' })]),
  lookingUp: (): DepositState =>
    stateAfter([intent({ type: 'start' }), intent({ type: 'keyedCode', text: shopperCode })]),
  confirming: (): DepositState => stateAfter([found(5_000)], fixtures.lookingUp()),
  confirmingOffline: (): DepositState => stateAfter([unreachable()], fixtures.lookingUp()),
  confirmingVoucher: (): DepositState => stateAfter([intent({ type: 'noAccount' })], fixtures.identifying()),
  accepting: (): DepositState => stateAfter([intent({ type: 'confirm' })], fixtures.confirming()),
  acceptingWithMoney: (): DepositState => stateAfter([coin(25), coin(25)], fixtures.accepting()),
  draining: (): DepositState => stateAfter([intent({ type: 'finish' })], fixtures.acceptingWithMoney()),
  drainingEmpty: (): DepositState => stateAfter([intent({ type: 'finish' })], fixtures.accepting()),
  committing: (): DepositState => stateAfter([timer('drain')], fixtures.draining()),
  printing: (): DepositState => {
    const committing = fixtures.committing();
    return stateAfter([committedEvent(committing)], committing);
  },
  outOfService: (): DepositState =>
    stateAfter([device({ type: 'fault', device: 'coin', fault: 'jam' })], fixtures.idle()),
  offlineCapped: (): DepositState =>
    stateAfter(
      [
        { type: 'connectivity', online: false, atMs: t0Ms },
        {
          type: 'outboxStatus',
          unsyncedTotalMinor: testConfig.offlineUnsyncedMaxMinor,
          oldestUnsyncedAtMs: t0Ms,
          atMs: t0Ms,
        },
      ],
      fixtures.idle(),
    ),
} satisfies Record<string, () => DepositState>;

export type FixtureName = keyof typeof fixtures;
