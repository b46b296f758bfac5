import type {
  Code,
  CounterState,
  DepositItem,
  DeviceEvent,
  DeviceFault,
  ErrorCode,
  KioskDeposit,
  KioskIntent,
  KioskNotice,
  PrintJob,
} from '@cashin/shared';
import { addMinor, multiplyMinor, parseCode, subtractMinor } from '@cashin/shared';
import type { CreditEntry, JournalEntry, LostEventsEntry } from '../journal/journal-entry.js';
import { buildDepositReceipt } from '../receipt/deposit-receipt.js';
import type { ReturnedPieces } from '../receipt/returned-pieces.js';
import { returnedKindOf } from '../receipt/returned-pieces.js';
import type { DepositConfig } from './deposit-config.js';
import type { DepositEffect, TimerName } from './deposit-effects.js';
import type { DepositEvent, DueReceipt, FreshIds } from './deposit-events.js';
import type {
  Common,
  DepositState,
  DeviceTrouble,
  EndReason,
  OpenDeposit,
  OutboxView,
  PhaseName,
  ReceiptState,
  Shopper,
} from './deposit-state.js';
import { initialDepositState } from './deposit-state.js';
import type { LookupResult } from './shopper-lookup.js';
import type { TerminalRefusalCode } from './terminal-refusal.js';
import { isTerminalRefusal } from './terminal-refusal.js';

/**
 * The kiosk's deposit engine: a pure function from (state, event) to (state, effects). It reads no clock,
 * draws no random numbers and touches no device or file; the runner does all of that and feeds the
 * results back as events. Expected trouble (a bad code, a jam, no network) becomes a state; an event that
 * cannot happen in a correct runner (a commit answer for another deposit) throws.
 *
 * Phases: idle -> identifying -> lookingUp -> confirming -> accepting -> draining -> committing -> printing
 * -> idle, with outOfService (a money device failed) and offlineCapped (offline and holding all the
 * unsynced money allowed) beside them.
 *
 * Where money goes that arrives when no deposit is open (a coin that finishes its fall after the drain
 * window, while the receipt prints): it becomes a stray deposit of its own, committed at once with no
 * shopper and a claim code nobody holds, so the server keeps it in suspense until ops moves it. It is never
 * added to a deposit that has already committed (that record may be synced already and is immutable), and
 * it never opens a shopper's deposit (there is no shopper to credit). Another currency's money, which no
 * deposit of this terminal can hold, stays a bare stray in the journal and the bag's totals. The exception is
 * a bulk counter's coins before a deposit is open (it cannot be inhibited, so a shopper may pour before
 * tapping Start): they open a voucher deposit for the person at the kiosk (pouredBeforeDeposit).
 *
 * Where lost events go (a device reported more events than its buffer holds, or a reset that emptied it):
 * they may have been money, so they are never only a line in the journal. In an open deposit they flag it
 * for review, and such a deposit is committed even when nothing was counted (a zero total the server
 * records and alerts on), never abandoned. With no deposit open they become an alarm deposit of their own,
 * committed at once like a stray, with no money and the lost-events flag, so they reach ops the same way.
 */
export interface StepResult {
  state: DepositState;
  effects: DepositEffect[];
}

export interface DepositMachine {
  initialState(): DepositState;
  step(state: DepositState, event: DepositEvent): StepResult;
}

export function createDepositMachine(config: DepositConfig): DepositMachine {
  return {
    initialState: () => initialDepositState(config),
    step: (state, event) => step(config, state, event),
  };
}

export function step(config: DepositConfig, state: DepositState, event: DepositEvent): StepResult {
  switch (event.type) {
    case 'device':
      return onDevice(config, state, event.event, event.fresh ?? null, event.atMs);
    case 'intent':
      return onIntent(config, state, event.intent, event.fresh, event.atMs);
    case 'timer':
      return onTimer(config, state, event.name, event.atMs);
    case 'lookupResult':
      return onLookupResult(config, state, event.requestId, event.result, event.atMs);
    case 'committed':
      return onCommitted(config, state, event.deposit, event.returned);
    case 'printResult':
      if (state.phase !== 'printing' || state.receipt.requestId !== event.requestId) return stay(state);
      return stay({
        ...state,
        receipt: {
          ...state.receipt,
          status: event.outcome.ok ? 'printed' : 'failed',
          printedOnce: state.receipt.printedOnce || event.outcome.ok,
        },
        lastError: event.outcome.ok ? state.lastError : 'DEVICE_FAULT',
      });
    case 'connectivity':
      return reviewOfflineCap(config, { ...state, online: event.online }, event.atMs);
    case 'outboxStatus':
      return reviewOfflineCap(
        config,
        {
          ...state,
          outbox: {
            unsyncedTotalMinor: event.unsyncedTotalMinor,
            oldestUnsyncedAtMs: event.oldestUnsyncedAtMs,
          },
        },
        event.atMs,
      );
    case 'terminalRefused':
      return onTerminalRefused(config, state, event.code, event.atMs);
    case 'terminalEnabled':
      return onTerminalEnabled(config, state, event.atMs);
    case 'receiptDue':
      return onReceiptDue(config, state, event.receipt);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Transitions and timers

/** The timer a phase owns: it is started on entry and cancelled on exit. */
function timerOf(phase: PhaseName): TimerName | null {
  switch (phase) {
    case 'identifying':
    case 'confirming':
    case 'accepting':
      return 'idle';
    case 'lookingUp':
      return 'lookup';
    case 'draining':
      return 'drain';
    case 'printing':
      return 'receipt';
    default:
      return null;
  }
}

function timerDelayMs(config: DepositConfig, name: TimerName): number {
  switch (name) {
    case 'idle':
      return config.idleTimeoutMs;
    case 'lookup':
      return config.lookupTimeoutMs;
    case 'drain':
      return config.drainMs;
    case 'receipt':
      return config.receiptScreenMs;
  }
}

/**
 * Moves from `from` to `to`: when the phase changes, the old phase's timer is cancelled first and the new
 * phase's timer started last, so no phase can forget either.
 */
function go(
  config: DepositConfig,
  from: DepositState,
  to: DepositState,
  effects: DepositEffect[],
): StepResult {
  if (from.phase === to.phase) return { state: to, effects };
  const out: DepositEffect[] = [];
  const oldTimer = timerOf(from.phase);
  if (oldTimer !== null) out.push({ type: 'cancelTimer', name: oldTimer });
  out.push(...effects);
  const newTimer = timerOf(to.phase);
  if (newTimer !== null)
    out.push({ type: 'startTimer', name: newTimer, delayMs: timerDelayMs(config, newTimer) });
  return { state: to, effects: out };
}

function stay(state: DepositState, effects: DepositEffect[] = []): StepResult {
  return { state, effects };
}

function restartIdle(config: DepositConfig): DepositEffect {
  return { type: 'startTimer', name: 'idle', delayMs: config.idleTimeoutMs };
}

/** The common part of a state, carried into a new phase. */
function common(state: DepositState): Common {
  return {
    language: state.language,
    online: state.online,
    outbox: state.outbox,
    troubles: state.troubles,
    requestSeq: state.requestSeq,
    lastError: state.lastError,
    notice: state.notice,
    counting: state.counting,
    refusal: state.refusal,
  };
}

/**
 * Back to the attract screen (or out of service if a device is down or the server refused this terminal),
 * ready for the next shopper.
 */
function toRest(
  config: DepositConfig,
  from: DepositState,
  effects: DepositEffect[],
  atMs: number,
): StepResult {
  const base = { ...common(from), language: config.defaultLanguage, lastError: null, notice: null };
  if (blockingTroubles(config, from.troubles).length > 0 || from.refusal !== null) {
    return go(config, from, { ...base, phase: 'outOfService' }, [...effects, { type: 'inhibitAcceptors' }]);
  }
  const rested = go(config, from, { ...base, phase: 'idle' }, effects);
  const capped = reviewOfflineCap(config, rested.state, atMs);
  return { state: capped.state, effects: [...rested.effects, ...capped.effects] };
}

// ---------------------------------------------------------------------------------------------------------
// Devices

function isMoneyDevice(config: DepositConfig, device: string): boolean {
  const kind = config.deviceKinds[device];
  return kind === undefined || kind === 'coinAcceptor' || kind === 'billValidator' || kind === 'bulkCounter';
}

/** Troubles that stop the kiosk from serving: any device but the scanner (the keypad still works). */
function blockingTroubles(config: DepositConfig, troubles: readonly DeviceTrouble[]): DeviceTrouble[] {
  return troubles.filter((trouble) => config.deviceKinds[trouble.device] !== 'scanner');
}

function withTrouble(troubles: readonly DeviceTrouble[], trouble: DeviceTrouble): DeviceTrouble[] {
  const known = troubles.some((t) => t.device === trouble.device && t.fault === trouble.fault);
  return known ? [...troubles] : [...troubles, trouble];
}

function openDepositOf(state: DepositState): OpenDeposit | null {
  return state.phase === 'accepting' || state.phase === 'draining' ? state.deposit : null;
}

function withDeposit(state: DepositState, deposit: OpenDeposit): DepositState {
  if (state.phase !== 'accepting' && state.phase !== 'draining') throw new Error('no open deposit to update');
  return { ...state, deposit };
}

/** Room left in the deposit, after the bill we are stacking. Never negative: an overshoot is still counted. */
function roomMinor(deposit: OpenDeposit): number {
  const used = addMinor(deposit.totalMinor, deposit.escrow?.valueMinor ?? 0);
  return Math.max(0, subtractMinor(deposit.shopper.maxMinor, used));
}

function onDevice(
  config: DepositConfig,
  state: DepositState,
  event: DeviceEvent,
  fresh: FreshIds | null,
  atMs: number,
): StepResult {
  switch (event.type) {
    case 'credit':
      return onCredit(config, state, event, fresh, atMs);
    case 'escrow':
      return onEscrow(config, state, event);
    case 'reject':
      return onReject(config, state, event, atMs);
    case 'fault':
      return onTrouble(
        config,
        state,
        { device: event.device, fault: event.fault },
        event.detail ?? null,
        atMs,
      );
    case 'disconnected':
      return onTrouble(config, state, { device: event.device, fault: null }, event.detail ?? null, atMs);
    case 'faultCleared':
      return onTroubleCleared(config, state, event.device, event.fault, atMs);
    case 'connected':
      return onTroubleCleared(config, state, event.device, null, atMs);
    case 'lostEvents':
    case 'reset':
      return onLostEvents(state, event, atMs);
    case 'scan':
      return onScan(config, state, event.text, atMs);
    case 'counterState':
      return onCounterState(config, state, event.device, event.state, atMs);
  }
}

/** Phases before a deposit opens, where the person at the kiosk is the one who poured. */
const beforeDepositPhases: ReadonlySet<PhaseName> = new Set([
  'idle',
  'identifying',
  'lookingUp',
  'confirming',
]);

function onCredit(
  config: DepositConfig,
  state: DepositState,
  event: Extract<DeviceEvent, { type: 'credit' }>,
  fresh: FreshIds | null,
  atMs: number,
): StepResult {
  const poured = pouredBeforeDeposit(config, state, event, fresh, atMs);
  if (poured !== null) return poured;
  const entry: CreditEntry = {
    type: 'credit',
    device: event.device,
    kind: event.kind,
    ccTalkId: event.ccTalkId,
    currency: event.currency,
    valueMinor: event.valueMinor,
    count: event.count,
  };
  const deposit = openDepositOf(state);
  if (deposit === null || event.currency !== config.currency) {
    // No deposit can take it. Money in our currency becomes a stray deposit for suspense; another
    // currency's, which no deposit here can hold, is journaled as a bare stray (it is in the bag all the
    // same). Acceptors should be shut outside a deposit; saying so again is harmless and covers a driver
    // that missed the first command.
    const effects: DepositEffect[] = [
      event.currency === config.currency
        ? { type: 'commitStray', entry, atMs }
        : { type: 'journal', depositId: null, entry, atMs },
    ];
    if (deposit === null) effects.push({ type: 'inhibitAcceptors' });
    return stay(state, effects);
  }
  const amountMinor = multiplyMinor(event.valueMinor, event.count);
  const counted: OpenDeposit = {
    ...deposit,
    items: addItem(deposit.items, {
      kind: event.kind,
      ccTalkId: event.ccTalkId,
      valueMinor: event.valueMinor,
      count: event.count,
    }),
    totalMinor: addMinor(deposit.totalMinor, amountMinor),
    escrow: event.kind === 'bill' && deposit.escrow?.device === event.device ? null : deposit.escrow,
  };
  const journal: DepositEffect = { type: 'journal', depositId: deposit.depositId, entry, atMs };
  if (state.phase === 'draining') return stay(withDeposit(state, counted), [journal]);
  if (counted.totalMinor >= counted.shopper.maxMinor) {
    return go(
      config,
      state,
      {
        ...common(state),
        phase: 'draining',
        deposit: counted,
        endedBy: 'limitReached',
        drainStartedAtMs: atMs,
        drainWindowPassed: false,
        notice: 'limitReached',
      },
      [journal, { type: 'inhibitAcceptors' }],
    );
  }
  // More money clears a notice about earlier money, but not why this deposit is a voucher.
  const notice = state.notice === 'pouredAsVoucher' ? state.notice : null;
  return stay({ ...withDeposit(state, counted), notice }, [
    journal,
    { type: 'enableAcceptors', remainingMinor: roomMinor(counted) },
    restartIdle(config),
  ]);
}

const depositItemsMax = 64;

function addItem(items: readonly DepositItem[], item: DepositItem): DepositItem[] {
  const index = items.findIndex(
    (i) => i.kind === item.kind && i.ccTalkId === item.ccTalkId && i.valueMinor === item.valueMinor,
  );
  if (index < 0) {
    // A currency has at most 15 denominations; more distinct items than the record holds is a driver bug.
    if (items.length >= depositItemsMax) throw new Error('a deposit cannot hold this many distinct items');
    return [...items, item];
  }
  return items.map((i, at) => (at === index ? { ...i, count: addMinor(i.count, item.count) } : i));
}

function onEscrow(
  config: DepositConfig,
  state: DepositState,
  event: Extract<DeviceEvent, { type: 'escrow' }>,
): StepResult {
  const returnBill: DepositEffect = { type: 'routeBill', device: event.device, decision: 'return' };
  if (state.phase !== 'accepting') {
    // Draining (the shopper finished), or no deposit at all: the bill goes back; nothing was taken.
    return stay({ ...state, notice: state.phase === 'draining' ? 'billAfterFinish' : state.notice }, [
      returnBill,
    ]);
  }
  // Each reason to hand the bill back is its own notice, so the shopper reads why: a bill of another
  // currency will never be taken here, one that came while another was being stacked may be inserted again,
  // and one over the limit needs a smaller bill.
  const deposit = state.deposit;
  const refusal: KioskNotice | null =
    event.currency !== config.currency
      ? 'billOtherCurrency'
      : deposit.escrow !== null
        ? 'billEscrowBusy'
        : event.valueMinor > roomMinor(deposit)
          ? 'billOverLimit'
          : null;
  if (refusal !== null) return stay({ ...state, notice: refusal }, [returnBill, restartIdle(config)]);
  const holding: OpenDeposit = { ...deposit, escrow: { device: event.device, valueMinor: event.valueMinor } };
  return stay({ ...state, deposit: holding, notice: null }, [
    { type: 'routeBill', device: event.device, decision: 'stack' },
    { type: 'enableAcceptors', remainingMinor: roomMinor(holding) },
    restartIdle(config),
  ]);
}

function onReject(
  config: DepositConfig,
  state: DepositState,
  event: Extract<DeviceEvent, { type: 'reject' }>,
  atMs: number,
): StepResult {
  const deposit = openDepositOf(state);
  if (deposit === null) return stay(state);
  if (event.reason === 'returnedFromEscrow') {
    // The validator handed back a bill: nothing was taken, and the room we held for it is free again. A
    // bill we held is one we asked it to stack and it could not; any other is one we told it to return,
    // whose reason the notice already says (onEscrow), so that notice stands.
    const stacking = deposit.escrow?.device === event.device;
    const released = stacking ? { ...deposit, escrow: null } : deposit;
    const effects: DepositEffect[] =
      state.phase === 'accepting' ? [{ type: 'enableAcceptors', remainingMinor: roomMinor(released) }] : [];
    const notice = stacking ? 'billNotStacked' : state.notice;
    return stay({ ...withDeposit(state, released), notice }, effects);
  }
  // A bill the validator did not take comes back out of the bill slot; a coin drops into the return cup.
  // The journal keeps which, so the receipt counts them apart as the screen does.
  const kind = returnedKindOf(config.deviceKinds[event.device]);
  const entry: JournalEntry = {
    type: 'reject',
    device: event.device,
    kind,
    reason: event.reason,
    valueMinor: event.valueMinor ?? null,
    count: event.count,
  };
  const counted =
    kind === 'bill'
      ? { ...deposit, rejectedBillCount: deposit.rejectedBillCount + event.count }
      : { ...deposit, rejectedCoinCount: deposit.rejectedCoinCount + event.count };
  const effects: DepositEffect[] = [{ type: 'journal', depositId: deposit.depositId, entry, atMs }];
  if (state.phase === 'accepting') effects.push(restartIdle(config));
  return stay({ ...withDeposit(state, counted), notice: 'coinRejected' }, effects);
}

function onLostEvents(
  state: DepositState,
  event: Extract<DeviceEvent, { type: 'lostEvents' | 'reset' }>,
  atMs: number,
): StepResult {
  const entry: LostEventsEntry =
    event.type === 'lostEvents'
      ? { type: 'lostEvents', device: event.device, count: event.count }
      : { type: 'reset', device: event.device };
  const deposit = openDepositOf(state);
  // Lost events may have been money. Outside a deposit they become an alarm deposit that syncs to ops;
  // in one, the deposit is flagged for review (its total may be short) and will be committed, not dropped.
  if (deposit === null) return stay(state, [{ type: 'commitAlarm', entry, atMs }]);
  // A validator that reset has forgotten the bill it held in escrow, and no report of it will come: the
  // room held for it is freed (else the next bill would be returned and finishing would wait the whole
  // settle time for nothing). Whether the bill was stacked is unknown; the flag sends it to review.
  const forgotEscrow = event.type === 'reset' && deposit.escrow?.device === event.device;
  const flagged: OpenDeposit = {
    ...deposit,
    lostEvents: true,
    escrow: forgotEscrow ? null : deposit.escrow,
  };
  return stay(withDeposit(state, flagged), [
    { type: 'journal', depositId: deposit.depositId, entry, atMs },
    ...(event.type === 'reset' ? reapplyAcceptors(state.phase, flagged) : []),
  ]);
}

/**
 * A device that reset or reconnected comes back with its power-on settings (ccTalk devices start
 * inhibited), so the current accept limit is sent again; outside accepting, "closed" is said again.
 */
function reapplyAcceptors(phase: PhaseName, deposit: OpenDeposit | null): DepositEffect[] {
  if (phase === 'accepting' && deposit !== null)
    return [{ type: 'enableAcceptors', remainingMinor: roomMinor(deposit) }];
  return [{ type: 'inhibitAcceptors' }];
}

function onTrouble(
  config: DepositConfig,
  state: DepositState,
  trouble: DeviceTrouble,
  detail: string | null,
  atMs: number,
): StepResult {
  const troubled = { ...state, troubles: withTrouble(state.troubles, trouble) };
  const blocking = blockingTroubles(config, [trouble]).length > 0;
  const deposit = openDepositOf(state);
  if (deposit !== null) {
    if (!isMoneyDevice(config, trouble.device)) return stay(troubled);
    // A money device failed mid-deposit: the deposit ends with what was counted (journaled, flagged), and
    // coins already inside the acceptor are still counted while it drains.
    const entry: JournalEntry =
      trouble.fault === null
        ? { type: 'disconnected', device: trouble.device }
        : { type: 'fault', device: trouble.device, fault: trouble.fault, detail };
    // What the device held or was doing when it failed (coins in its buffer not yet polled, a bill in its
    // transport) is unknown until it is polled again, perhaps never: one event is journaled as lost, which
    // holds the deposit for review with the shopper's code and keeps it from being abandoned if nothing
    // else was counted. The drain still waits for such a device to come back (see drainWaits).
    // A validator that went away forgets the bill it held in escrow (the driver drops it), so no report of
    // it will come: the room held for it is freed, so the drain does not wait the settle time for nothing.
    const forgotEscrow = trouble.fault === null && deposit.escrow?.device === trouble.device;
    const faulted: OpenDeposit = {
      ...deposit,
      deviceFault: true,
      lostEvents: true,
      escrow: forgotEscrow ? null : deposit.escrow,
    };
    const lost: JournalEntry = { type: 'lostEvents', device: trouble.device, count: 1 };
    const effects: DepositEffect[] = [
      { type: 'journal', depositId: deposit.depositId, entry, atMs },
      { type: 'journal', depositId: deposit.depositId, entry: lost, atMs },
      { type: 'inhibitAcceptors' },
    ];
    if (state.phase === 'draining')
      return stay({ ...state, troubles: troubled.troubles, deposit: faulted }, effects);
    return go(
      config,
      state,
      {
        ...common(troubled),
        phase: 'draining',
        deposit: faulted,
        endedBy: 'deviceFault',
        drainStartedAtMs: atMs,
        drainWindowPassed: false,
        lastError: 'DEVICE_FAULT',
      },
      effects,
    );
  }
  if (!blocking) return stay(troubled);
  switch (state.phase) {
    case 'idle':
    case 'identifying':
    case 'lookingUp':
    case 'confirming':
    case 'offlineCapped':
      return go(
        config,
        state,
        { ...common(troubled), phase: 'outOfService', lastError: null, notice: null },
        [{ type: 'inhibitAcceptors' }],
      );
    default:
      // Committing, printing or already out of service: the trouble is remembered and acted on when the
      // current step ends (the done screen leads to out of service instead of attract).
      return stay(troubled);
  }
}

function onTroubleCleared(
  config: DepositConfig,
  state: DepositState,
  device: string,
  fault: DeviceFault | null,
  atMs: number,
): StepResult {
  const troubles = state.troubles.filter((t) => !(t.device === device && t.fault === fault));
  const cleared = { ...state, troubles };
  if (state.phase === 'outOfService' && blockingTroubles(config, troubles).length === 0) {
    return toRest(config, cleared, [], atMs);
  }
  const reconnected = fault === null && isMoneyDevice(config, device);
  if (!reconnected) return stay(cleared);
  const effects = reapplyAcceptors(state.phase, openDepositOf(state));
  if (cleared.phase !== 'draining') return stay(cleared, effects);
  // Back during the drain: what it still holds comes at its next polls, so the drain window starts again,
  // within the wait a device that went away is allowed.
  const leftMs = cleared.drainStartedAtMs + config.deviceSettleMsMax - atMs;
  if (leftMs <= 0) return stay(cleared, effects);
  return stay({ ...cleared, drainWindowPassed: false }, [
    ...effects,
    { type: 'startTimer', name: 'drain', delayMs: Math.min(config.drainMs, leftMs) },
  ]);
}

/**
 * A bulk counter started or stopped counting a pour. While one counts, the shopper's coins are still
 * arriving: the idle time-out restarts, and a finishing deposit keeps draining. When the last one stops,
 * the credits of its final read have already arrived (the driver reports them first), so a deposit whose
 * drain was only waiting for it ends now.
 */
function onCounterState(
  config: DepositConfig,
  state: DepositState,
  device: string,
  counterState: CounterState,
  atMs: number,
): StepResult {
  const others = state.counting.filter((name) => name !== device);
  const counting = counterState === 'counting' ? [...others, device] : others;
  const next: DepositState = { ...state, counting };
  if (next.phase === 'accepting' && counterState === 'counting') return stay(next, [restartIdle(config)]);
  if (next.phase === 'draining' && counterState !== 'counting') return settleDrain(config, next, atMs, false);
  return stay(next);
}

function onScan(config: DepositConfig, state: DepositState, text: string, atMs: number): StepResult {
  switch (state.phase) {
    case 'idle':
      return startIdentifying(config, state, atMs, text);
    case 'identifying':
      return identify(config, state, text);
    case 'printing':
      return scanOnDoneScreen(config, state, text, atMs);
    case 'lookingUp':
    case 'confirming':
    case 'accepting':
    case 'draining':
    case 'committing':
      // Never change the shopper once one is being served: the scan is shown as ignored, nothing else.
      return stay({ ...state, notice: 'scanIgnored' });
    case 'outOfService':
    case 'offlineCapped':
      return stay(state);
  }
}

/**
 * A code scanned while the done screen shows: the deposit is over, so whoever scans (the shopper again, or
 * the next one) means to start a deposit, and it starts with that code as a scan on the attract screen
 * would. Except while the done screen is still needed: the receipt is still printing, or a voucher's did not
 * print and the screen is the only copy of its claim code. Then the screen stays and the scan is shown as
 * ignored; on the done screen the UI words that as "tap Done, then scan again".
 */
function scanOnDoneScreen(
  config: DepositConfig,
  state: Extract<DepositState, { phase: 'printing' }>,
  text: string,
  atMs: number,
): StepResult {
  const { receipt } = state;
  const stillNeeded =
    receipt.status === 'printing' || (receipt.status === 'failed' && receipt.deposit.claimCode !== null);
  if (stillNeeded) return stay({ ...state, notice: 'scanIgnored' });
  const rested = toRest(config, state, [], atMs);
  if (rested.state.phase !== 'idle') return rested;
  const started = startIdentifying(config, rested.state, atMs, text);
  return { state: started.state, effects: [...rested.effects, ...started.effects] };
}

// ---------------------------------------------------------------------------------------------------------
// The server's word on this terminal

/**
 * The server refused this terminal itself: nothing taken from now on could be synced or redeemed, so the
 * kiosk goes out of service and takes no new deposit, voucher or not. A deposit already taking money ends
 * at once, as the finish button ends it (acceptors closed, in-flight coins counted), and is committed and
 * printed as usual: that money is in the bag and belongs to the shopper, and syncs once ops enable the
 * terminal again. Only then, from the done screen, the kiosk rests out of service (see toRest).
 */
function onTerminalRefused(
  config: DepositConfig,
  state: DepositState,
  code: TerminalRefusalCode,
  atMs: number,
): StepResult {
  const refused: DepositState = { ...state, refusal: code };
  switch (state.phase) {
    case 'accepting': {
      const ended = endDeposit(config, refused, state.deposit, 'terminalRefused', atMs);
      return { state: { ...ended.state, lastError: code }, effects: ended.effects };
    }
    case 'draining':
    case 'committing':
    case 'printing':
    case 'outOfService':
      return stay(refused);
    case 'idle':
    case 'identifying':
    case 'lookingUp':
    case 'confirming':
    case 'offlineCapped':
      return go(config, state, { ...common(refused), phase: 'outOfService', lastError: null, notice: null }, [
        { type: 'inhibitAcceptors' },
      ]);
  }
}

/** A heartbeat said the terminal is enabled: a refusal is lifted, and the kiosk serves again if it can. */
function onTerminalEnabled(config: DepositConfig, state: DepositState, atMs: number): StepResult {
  if (state.refusal === null) return stay(state);
  const enabled: DepositState = { ...state, refusal: null };
  return state.phase === 'outOfService' ? toRest(config, enabled, [], atMs) : stay(enabled);
}

// ---------------------------------------------------------------------------------------------------------
// Identifying the shopper

/** Leaves idle for the identify screen, unless the offline caps forbid taking money. */
function startIdentifying(
  config: DepositConfig,
  state: DepositState,
  atMs: number,
  scanned?: string,
): StepResult {
  if (!state.online) {
    const capacity = offlineCapacity(config, state.outbox, atMs);
    if (!capacity.ok) {
      return go(config, state, { ...common(state), phase: 'offlineCapped', reason: capacity.reason }, []);
    }
  }
  const identifying = go(
    config,
    state,
    { ...common(state), phase: 'identifying', lastError: null, notice: null },
    [],
  );
  if (scanned === undefined) return identifying;
  const looked = identify(config, identifying.state, scanned);
  return { state: looked.state, effects: [...identifying.effects, ...looked.effects] };
}

/**
 * Checks a scanned or keyed code locally (format, type, check digit) before asking the server. A kiosk
 * takes a shopper's deposit code only: a payment slip is for one amount, which coins and bills cannot be
 * made to match (a slip's deposit of another total would only wait for review), so it is paid at a till;
 * a voucher's claim code is added in the wallet app. Each is named for what it is, not called wrong.
 */
function identify(config: DepositConfig, state: DepositState, text: string): StepResult {
  const parsed = parseCode(text, ['deposit']);
  if (!parsed.ok) {
    const other = parseCode(text, ['slip', 'claim']);
    if (other.ok)
      return stay(
        { ...state, lastError: null, notice: other.type === 'slip' ? 'slipAtTill' : 'claimInWallet' },
        [restartIdle(config)],
      );
    return stay({ ...state, lastError: 'CODE_MALFORMED', notice: null }, [restartIdle(config)]);
  }
  const requestId = state.requestSeq + 1;
  return go(
    config,
    state,
    {
      ...common(state),
      phase: 'lookingUp',
      code: parsed.code,
      requestId,
      requestSeq: requestId,
      lastError: null,
      notice: withoutCodeNotice(state.notice),
    },
    [{ type: 'lookup', requestId, code: parsed.code }],
  );
}

/**
 * What the last code typed or scanned was (a slip, a claim code) stops applying once the shopper goes on
 * with a deposit code or a voucher; any other notice stays.
 */
function withoutCodeNotice(notice: KioskNotice | null): KioskNotice | null {
  return notice === 'slipAtTill' || notice === 'claimInWallet' ? null : notice;
}

type OfflineCapacity =
  { ok: true; capacityMinor: number } | { ok: false; reason: 'unsyncedTotal' | 'unsyncedAge' };

/** How much one more offline deposit may take under the per-deposit and per-terminal caps (DESIGN 9). */
export function offlineCapacity(config: DepositConfig, outbox: OutboxView, atMs: number): OfflineCapacity {
  if (
    outbox.oldestUnsyncedAtMs !== null &&
    atMs - outbox.oldestUnsyncedAtMs >= config.offlineOldestUnsyncedMs
  ) {
    return { ok: false, reason: 'unsyncedAge' };
  }
  const headroomMinor = config.offlineUnsyncedMaxMinor - outbox.unsyncedTotalMinor;
  if (headroomMinor <= 0) return { ok: false, reason: 'unsyncedTotal' };
  return { ok: true, capacityMinor: Math.min(config.offlineDepositMaxMinor, headroomMinor) };
}

/** Enters or leaves offlineCapped when connectivity or the outbox changes while nobody is being served. */
function reviewOfflineCap(config: DepositConfig, state: DepositState, atMs: number): StepResult {
  if (state.phase !== 'idle' && state.phase !== 'offlineCapped') return stay(state);
  const capacity = state.online ? null : offlineCapacity(config, state.outbox, atMs);
  if (capacity !== null && !capacity.ok) {
    if (state.phase === 'offlineCapped' && state.reason === capacity.reason) return stay(state);
    return go(config, state, { ...common(state), phase: 'offlineCapped', reason: capacity.reason }, [
      { type: 'inhibitAcceptors' },
    ]);
  }
  if (state.phase === 'offlineCapped') return go(config, state, { ...common(state), phase: 'idle' }, []);
  return stay(state);
}

function onLookupResult(
  config: DepositConfig,
  state: DepositState,
  requestId: number,
  result: LookupResult,
  atMs: number,
): StepResult {
  // A late answer to a lookup we stopped waiting for (timed out, cancelled) must not revive it.
  if (state.phase !== 'lookingUp' || state.requestId !== requestId) return stay(state);
  switch (result.kind) {
    case 'found': {
      const online = { ...state, online: true };
      const refuse = (code: ErrorCode): StepResult =>
        go(config, online, { ...common(online), phase: 'identifying', lastError: code }, []);
      if (result.currency !== config.currency) return refuse('CURRENCY_MISMATCH');
      if (result.remainingMinor <= 0) return refuse('LIMIT_EXCEEDED');
      const shopper: Shopper = {
        code: state.code,
        voucher: false,
        maskedName: result.maskedName,
        offline: false,
        maxMinor: result.remainingMinor,
        balanceMinor: result.balanceMinor,
      };
      return go(config, online, { ...common(online), phase: 'confirming', shopper }, []);
    }
    case 'refused':
      if (isTerminalRefusal(result.code)) return onTerminalRefused(config, state, result.code, atMs);
      return go(
        config,
        state,
        { ...common(state), online: true, phase: 'identifying', lastError: result.code },
        [],
      );
    case 'unreachable':
      return goOffline(config, state, state.code, atMs);
  }
}

/** The server did not answer: the code's format was checked locally, so go on under the offline caps. */
function goOffline(config: DepositConfig, state: DepositState, code: Code, atMs: number): StepResult {
  const offline = { ...state, online: false };
  const capacity = offlineCapacity(config, offline.outbox, atMs);
  if (!capacity.ok) {
    return go(config, state, { ...common(offline), phase: 'offlineCapped', reason: capacity.reason }, []);
  }
  const shopper: Shopper = {
    code,
    voucher: false,
    maskedName: null,
    offline: true,
    maxMinor: capacity.capacityMinor,
    balanceMinor: null,
  };
  return go(config, state, { ...common(offline), phase: 'confirming', shopper }, []);
}

/** A voucher's shopper: capped as an offline deposit, and under the unsynced caps when offline. */
function voucherShopper(
  config: DepositConfig,
  state: DepositState,
  atMs: number,
): { ok: true; shopper: Shopper } | { ok: false; reason: 'unsyncedTotal' | 'unsyncedAge' } {
  let maxMinor = config.voucherDepositMaxMinor;
  if (!state.online) {
    const capacity = offlineCapacity(config, state.outbox, atMs);
    if (!capacity.ok) return { ok: false, reason: capacity.reason };
    maxMinor = Math.min(maxMinor, capacity.capacityMinor);
  }
  return {
    ok: true,
    shopper: {
      code: null,
      voucher: true,
      maskedName: null,
      offline: !state.online,
      maxMinor,
      balanceMinor: null,
    },
  };
}

/** "I have no account": a voucher, capped as an offline deposit, and under the unsynced caps when offline. */
function startVoucher(config: DepositConfig, state: DepositState, atMs: number): StepResult {
  const voucher = voucherShopper(config, state, atMs);
  if (!voucher.ok)
    return go(config, state, { ...common(state), phase: 'offlineCapped', reason: voucher.reason }, []);
  return go(
    config,
    state,
    {
      ...common(state),
      phase: 'confirming',
      shopper: voucher.shopper,
      lastError: null,
      notice: withoutCodeNotice(state.notice),
    },
    [],
  );
}

/**
 * Coins poured into a bulk counter before a deposit is open (it cannot be inhibited, so a shopper may pour
 * before tapping Start, or while identifying): rather than each poll's coins becoming a stray of its own for
 * suspense, which nobody at the kiosk could claim, a voucher deposit opens for them as if the shopper had
 * chosen "no account", and the pour is counted in it. The voucher's claim code takes the money to whoever
 * poured it, into a wallet from the wallet app. Null where this does not apply: another device (an acceptor
 * is shut outside a deposit, so its coin is a late one from the last deposit), another currency, or an
 * offline kiosk with no room left, where the stray path keeps the money as before.
 */
function pouredBeforeDeposit(
  config: DepositConfig,
  state: DepositState,
  event: Extract<DeviceEvent, { type: 'credit' }>,
  fresh: FreshIds | null,
  atMs: number,
): StepResult | null {
  if (fresh === null || event.currency !== config.currency) return null;
  if (config.deviceKinds[event.device] !== 'bulkCounter' || !beforeDepositPhases.has(state.phase))
    return null;
  const voucher = voucherShopper(config, state, atMs);
  if (!voucher.ok) return null;
  const opened = openDeposit(config, state, voucher.shopper, fresh, atMs);
  const counted = onCredit(config, opened.state, event, null, atMs);
  return {
    state: { ...counted.state, notice: 'pouredAsVoucher' },
    effects: [...opened.effects, ...counted.effects],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Intents

function onIntent(
  config: DepositConfig,
  state: DepositState,
  intent: KioskIntent,
  fresh: FreshIds | null,
  atMs: number,
): StepResult {
  if (intent.type === 'chooseLanguage') return stay({ ...state, language: intent.language });
  switch (state.phase) {
    case 'idle':
      return intent.type === 'start' ? startIdentifying(config, state, atMs) : stay(state);
    case 'identifying':
      switch (intent.type) {
        case 'keyedCode':
          return identify(config, state, intent.text);
        case 'noAccount':
          return startVoucher(config, state, atMs);
        case 'cancel':
          return toRest(config, state, [], atMs);
        case 'dismiss':
          return stay({ ...state, lastError: null }, [restartIdle(config)]);
        default:
          return stay(state);
      }
    case 'lookingUp':
      return intent.type === 'cancel' ? toRest(config, state, [], atMs) : stay(state);
    case 'confirming':
      // "No, go back": not this shopper (a mistyped code, someone else's card), so back to code entry
      // rather than the start, keeping the chosen language. The field starts empty: the code typed
      // was the wrong one, and it named someone else.
      if (intent.type === 'cancel') return startIdentifying(config, state, atMs);
      if (intent.type !== 'confirm') return stay(state);
      if (fresh === null) throw new Error('the runner must hand fresh ids with every intent');
      return openDeposit(config, state, state.shopper, fresh, atMs);
    case 'accepting':
      // Cancel after money went in cannot hand coins back (they are in the bag): it finishes instead.
      // Either way the acceptors close and the deposit drains, so a coin still falling is counted.
      if (intent.type === 'finish' || intent.type === 'cancel')
        return endDeposit(config, state, state.deposit, 'shopper', atMs);
      return stay(state);
    case 'printing':
      if (intent.type === 'reprint') {
        const requestId = state.requestSeq + 1;
        return stay(
          { ...state, requestSeq: requestId, receipt: { ...state.receipt, status: 'printing', requestId } },
          [
            {
              type: 'print',
              requestId,
              job: printAgainJob(config, state.receipt, atMs),
              depositId: state.receipt.deposit.depositId,
            },
          ],
        );
      }
      return intent.type === 'dismiss' || intent.type === 'start'
        ? toRest(config, state, [], atMs)
        : stay(state);
    case 'draining':
    case 'committing':
    case 'outOfService':
    case 'offlineCapped':
      return stay(state);
  }
}

/**
 * What "Print again" prints: once a print has come out, a copy, marked as one with the moment it was
 * reprinted; while none has (each failed: nothing came out), the receipt itself.
 */
function printAgainJob(config: DepositConfig, receipt: ReceiptState, atMs: number): PrintJob {
  if (!receipt.printedOnce) return receipt.job;
  return buildDepositReceipt({
    deposit: receipt.deposit,
    returned: receipt.returned,
    terminalId: config.terminalId,
    terminalName: config.terminalName,
    timeZone: config.timeZone,
    language: receipt.language,
    maskedName: receipt.maskedName,
    newBalanceMinor: receipt.newBalanceMinor,
    reprintedAtMs: atMs,
  });
}

/** The shopper confirmed: the deposit is journaled as open (with its id) before the acceptors open. */
function openDeposit(
  config: DepositConfig,
  state: DepositState,
  shopper: Shopper,
  fresh: FreshIds,
  atMs: number,
): StepResult {
  const deposit: OpenDeposit = {
    depositId: fresh.depositId,
    claimCode: shopper.voucher ? fresh.claimCode : null,
    startedAtMs: atMs,
    shopper,
    items: [],
    totalMinor: 0,
    rejectedCoinCount: 0,
    rejectedBillCount: 0,
    escrow: null,
    lostEvents: false,
    deviceFault: false,
  };
  return go(config, state, { ...common(state), phase: 'accepting', deposit, lastError: null, notice: null }, [
    {
      type: 'openDeposit',
      record: {
        depositId: deposit.depositId,
        startedAtMs: atMs,
        code: shopper.code,
        claimCode: deposit.claimCode,
        currency: config.currency,
        maxMinor: shopper.maxMinor,
        offline: shopper.offline,
        language: state.language,
        maskedName: shopper.maskedName,
        balanceMinor: shopper.balanceMinor,
      },
    },
    { type: 'enableAcceptors', remainingMinor: roomMinor(deposit) },
  ]);
}

/**
 * Closes the acceptors and counts what is still in flight for the drain window. A notice about money during
 * the deposit (a bill that would have gone over the limit, a coin handed back, "tap Finish") is dropped: on
 * the finishing screen it would read as being about the finish. One that comes while it drains is about
 * the finish: a bill that arrives now is handed back because the deposit is closing (see onEscrow).
 */
function endDeposit(
  config: DepositConfig,
  state: DepositState,
  deposit: OpenDeposit,
  endedBy: EndReason,
  atMs: number,
): StepResult {
  return go(
    config,
    state,
    {
      ...common(state),
      phase: 'draining',
      deposit,
      endedBy,
      drainStartedAtMs: atMs,
      drainWindowPassed: false,
      notice: null,
    },
    [{ type: 'inhibitAcceptors' }],
  );
}

// ---------------------------------------------------------------------------------------------------------
// Timers, commit and receipt

function onTimer(config: DepositConfig, state: DepositState, name: TimerName, atMs: number): StepResult {
  // A timer that belongs to a phase we have left is stale (the runner also drops cancelled ones).
  if (timerOf(state.phase) !== name) return stay(state);
  switch (state.phase) {
    case 'identifying':
    case 'confirming':
      return toRest(config, state, [], atMs);
    case 'lookingUp':
      return goOffline(config, state, state.code, atMs);
    case 'accepting': {
      const deposit = state.deposit;
      if (
        deposit.totalMinor === 0 &&
        deposit.escrow === null &&
        !deposit.lostEvents &&
        state.counting.length === 0
      ) {
        // Nothing went in and nothing has moved for the whole idle time-out: nothing can be in flight. (With
        // lost events something may have gone in unseen: that deposit ends and commits like any other.)
        return toRest(
          config,
          state,
          [{ type: 'inhibitAcceptors' }, { type: 'abandonDeposit', depositId: deposit.depositId, atMs }],
          atMs,
        );
      }
      const ended = endDeposit(config, state, deposit, 'idleTimeout', atMs);
      return { state: { ...ended.state, notice: 'idleTimeout' }, effects: ended.effects };
    }
    case 'draining':
      return settleDrain(config, state, atMs, true);
    case 'printing':
      return toRest(config, state, [], atMs);
    default:
      throw new Error(`phase ${state.phase} owns no timer`);
  }
}

type Draining = Extract<DepositState, { phase: 'draining' }>;

/** Something a finishing deposit still waits for, and how much longer it may wait for it. */
interface DrainWait {
  device: string;
  leftMs: number;
  /** Giving up on it leaves money unknown that nothing has flagged yet. */
  flagOnExpiry: boolean;
}

/**
 * What a finishing deposit still waits for, each bounded from the start of its drain: a bill it told a
 * validator to stack and has not heard of (escrowSettleMs), a bulk counter still counting the pour
 * (counterSettleMsMax), a money device that went away and may still hold coins (deviceSettleMsMax; it was
 * flagged when it went). A counter that went away is waited for as a device that went away.
 */
function drainWaits(config: DepositConfig, state: Draining, atMs: number): DrainWait[] {
  const sinceMs = atMs - state.drainStartedAtMs;
  const gone = state.troubles
    .filter((t) => t.fault === null && isMoneyDevice(config, t.device))
    .map((t) => t.device);
  const waits: DrainWait[] = gone.map((device) => ({
    device,
    leftMs: config.deviceSettleMsMax - sinceMs,
    flagOnExpiry: false,
  }));
  const escrow = state.deposit.escrow;
  if (escrow !== null)
    waits.push({ device: escrow.device, leftMs: config.escrowSettleMs - sinceMs, flagOnExpiry: true });
  for (const device of state.counting) {
    if (!gone.includes(device))
      waits.push({ device, leftMs: config.counterSettleMsMax - sinceMs, flagOnExpiry: true });
  }
  return waits;
}

/**
 * Ends the drain once nothing more can arrive, or once the bound of what still might has passed. Until then
 * the drain timer (`timerFired`) is started again, for at most a drain window, so the deposit ends as soon
 * as it can; an event that settles the drain early (a counter stopping) ends it at once.
 */
function settleDrain(
  config: DepositConfig,
  draining: Draining,
  atMs: number,
  timerFired: boolean,
): StepResult {
  const state = timerFired ? { ...draining, drainWindowPassed: true } : draining;
  // Coins still falling through an acceptor are counted for the drain window whatever else is awaited.
  if (!state.drainWindowPassed) return stay(state);
  const waits = drainWaits(config, state, atMs);
  const leftMs = waits.map((w) => w.leftMs).filter((ms) => ms > 0);
  if (leftMs.length > 0) {
    // A bill being stacked, a pour still counted, a device coming back: wait for it (bounded), so its money
    // is counted in this deposit rather than arriving as a stray for suspense after the commit.
    if (!timerFired) return stay(state);
    return stay(state, [{ type: 'startTimer', name: 'drain', delayMs: Math.min(config.drainMs, ...leftMs) }]);
  }
  // What was still awaited when its bound ran out may have been the shopper's money (a bill stacked unseen,
  // coins counted after the commit): journaled as lost, so the deposit is held for review and not abandoned.
  const expired = waits.filter((w) => w.flagOnExpiry);
  const deposit: OpenDeposit =
    expired.length > 0 ? { ...state.deposit, lostEvents: true, escrow: null } : state.deposit;
  const flags: DepositEffect[] = expired.map((w) => ({
    type: 'journal',
    depositId: deposit.depositId,
    entry: { type: 'lostEvents', device: w.device, count: 1 },
    atMs,
  }));
  // Nothing counted and nothing lost: nothing to keep. A deposit that lost events is committed even at
  // zero, flagged, so the shopper's claim and ops' alarm have a record (see Journal.commit).
  if (deposit.totalMinor === 0 && !deposit.lostEvents) {
    return toRest(config, state, [{ type: 'abandonDeposit', depositId: deposit.depositId, atMs }], atMs);
  }
  return go(config, state, { ...common(state), phase: 'committing', deposit, endedBy: state.endedBy }, [
    ...flags,
    {
      type: 'commitDeposit',
      depositId: deposit.depositId,
      committedAtMs: atMs,
      expectedTotalMinor: deposit.totalMinor,
    },
  ]);
}

function onCommitted(
  config: DepositConfig,
  state: DepositState,
  deposit: KioskDeposit,
  returned: ReturnedPieces,
): StepResult {
  if (state.phase !== 'committing' || state.deposit.depositId !== deposit.depositId) {
    throw new Error('a commit answer arrived for a deposit the machine is not committing');
  }
  // The journal derives the total from the journaled events; the machine counted the same events. A
  // difference means an event reached one and not the other: stop before printing a wrong receipt.
  if (deposit.totalMinor !== state.deposit.totalMinor) {
    throw new Error(`journal total ${deposit.totalMinor} differs from counted ${state.deposit.totalMinor}`);
  }
  const shopper = state.deposit.shopper;
  const newBalanceMinor =
    shopper.offline || shopper.voucher || shopper.balanceMinor === null
      ? null
      : addMinor(shopper.balanceMinor, deposit.totalMinor);
  const job = buildDepositReceipt({
    deposit,
    returned,
    terminalId: config.terminalId,
    terminalName: config.terminalName,
    timeZone: config.timeZone,
    language: state.language,
    maskedName: shopper.maskedName,
    newBalanceMinor,
  });
  const requestId = state.requestSeq + 1;
  const lastError = state.endedBy === 'deviceFault' ? 'DEVICE_FAULT' : state.lastError;
  // The done screen keeps a notice only if it says why the deposit ended without the shopper's Finish. One
  // about something during the deposit (a coin or bill handed back, a scan ignored, poured coins going on a
  // voucher and "tap Finish") is stale once it is committed: the money handed back was shown as it happened
  // and is on the receipt, and the done screen says where the money went.
  const notice = state.endedBy === 'idleTimeout' || state.endedBy === 'limitReached' ? state.endedBy : null;
  return go(
    config,
    state,
    {
      ...common(state),
      phase: 'printing',
      requestSeq: requestId,
      lastError,
      notice,
      receipt: {
        deposit,
        returned,
        job,
        language: state.language,
        maskedName: shopper.maskedName,
        newBalanceMinor,
        status: 'printing',
        printedOnce: false,
        requestId,
      },
    },
    [{ type: 'print', requestId, job, depositId: deposit.depositId }],
  );
}

/**
 * A committed receipt that never printed is owed to its shopper (a voucher's claim code, an offline
 * deposit's signed QR, each on paper nowhere else). While nobody is being served, the done screen shows it
 * and it is printed; when it cannot print, the screen still shows the claim code, as after any failed print.
 * Out of service (no printer, say) it is shown all the same, and the kiosk rests out of service after.
 */
function onReceiptDue(config: DepositConfig, state: DepositState, due: DueReceipt): StepResult {
  if (state.phase !== 'idle' && state.phase !== 'outOfService' && state.phase !== 'offlineCapped') {
    return stay(state);
  }
  const requestId = state.requestSeq + 1;
  return go(
    config,
    state,
    {
      ...common(state),
      phase: 'printing',
      requestSeq: requestId,
      lastError: null,
      notice: null,
      receipt: { ...due, status: 'printing', printedOnce: false, requestId },
    },
    [{ type: 'print', requestId, job: due.job, depositId: due.deposit.depositId }],
  );
}

/** For tests and the maintenance screen: the faults a state is out of service for, newest last. */
export function outOfServiceReasons(config: DepositConfig, state: DepositState): DeviceTrouble[] {
  return blockingTroubles(config, state.troubles);
}
