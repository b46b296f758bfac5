import type {
  Clock,
  Code,
  DeviceEvent,
  KioskDeposit,
  KioskIntent,
  KioskSnapshot,
  TimerHandle,
  UuidV7,
} from '@cashin/shared';
import { addMinor } from '@cashin/shared';
import { eventCounterOf } from '../devices/cctalk/event-counter.js';
import type { CounterRegisters } from '../devices/counter/counter-registers.js';
import { counterRegistersOf } from '../devices/counter/counter-registers.js';
import type { CreditEntry, JournalEntry, LostEventsEntry } from '../journal/journal-entry.js';
import { isLostEventsEntry } from '../journal/journal-entry.js';
import type {
  AlarmDepositIds,
  Journal,
  LateEntry,
  RecoveryReport,
  StoredDeposit,
  StrayDepositIds,
} from '../journal/journal.js';
import type { OutboxStatus } from '../journal/outbox.js';
import { buildDepositReceipt } from '../receipt/deposit-receipt.js';
import { returnedKindOf } from '../receipt/returned-pieces.js';
import type { DepositConfig } from './deposit-config.js';
import type { DepositEffect, TimerName } from './deposit-effects.js';
import type { DepositEvent, DueReceipt } from './deposit-events.js';
import { step } from './deposit-machine.js';
import { depositSnapshot } from './deposit-snapshot.js';
import type { DepositState } from './deposit-state.js';
import { initialDepositState } from './deposit-state.js';
import type { KioskDevices, PrintOutcome } from './kiosk-devices.js';
import type { ShopperLookup } from './shopper-lookup.js';
import type { TerminalRefusalCode } from './terminal-refusal.js';

export interface DepositRunnerOptions {
  config: DepositConfig;
  devices: KioskDevices;
  lookup: ShopperLookup;
  journal: Journal;
  clock: Clock;
  /** UUIDv7 from the injected clock (createUuidV7Generator(clock.nowMs, random)). */
  newDepositId: () => UuidV7;
  /** generateCode('claim', random). */
  newClaimCode: () => Code;
  /** SystemLimits.depositEventQueueMax. */
  eventQueueMax: number;
  /** A stray deposit was committed while running (money with no deposit open): sync it, tell ops. */
  onStrayCommitted?: (deposit: KioskDeposit) => void;
  /**
   * A device lost events or reset while running, journaled by then: into the open deposit (`alarm` null;
   * the deposit is held for review), or, with none open, as the alarm deposit `alarm`. Log it, show it to
   * the tech, and sync an alarm deposit so ops hear of it.
   */
  onLostEvents?: (entry: LostEventsEntry, where: { depositId: UuidV7; alarm: KioskDeposit | null }) => void;
}

/**
 * What `reprint` answers: how the print went and which deposit's receipt it was (the tech is told its
 * number), or that no reprintable deposit has that id.
 */
export type ReprintOutcome = (PrintOutcome & { sequence: number }) | { ok: false; unknown: true };

type SnapshotListener = (snapshot: KioskSnapshot) => void;

/**
 * The most unprinted receipts taken from the journal at a time (at start, when the printer comes back). More
 * than this many owed at once means the printer has been down for a long while: the rest wait for the next
 * time it comes back, or for a tech, who sees every one of them in maintenance.
 */
export const receiptsDueMax = 20;

/**
 * The one part of the kiosk that touches the devices, the journal and the clock on the deposit engine's
 * behalf. It turns device events, UI intents, timers and async answers into machine events, one at a time
 * in arrival order; executes the machine's effects in order; and only then publishes the new snapshot. So
 * a coin is journaled (synchronously, synchronous=FULL) before any screen can show it, and a crash at any
 * point leaves the journal ahead of, never behind, what the shopper saw.
 */
export class DepositRunner {
  private state: DepositState;
  private readonly queue: DepositEvent[] = [];
  private busy = false;
  private stopped = false;
  private readonly timers = new Map<TimerName, { handle: TimerHandle; generation: number }>();
  private timerGeneration = 0;
  private readonly lookups = new Map<number, AbortController>();
  private readonly listeners = new Set<SnapshotListener>();
  private unsubscribeDevices: (() => void) | null = null;
  /** Unprinted receipts to show and print, oldest first, one at a time whenever nobody is being served. */
  private readonly receiptsDue: UuidV7[] = [];
  private version = 0;
  private latest: KioskSnapshot;
  private currentKey: string;

  constructor(private readonly options: DepositRunnerOptions) {
    this.state = initialDepositState(options.config);
    this.latest = depositSnapshot(options.config, this.state, this.version);
    this.currentKey = snapshotKey(this.latest);
  }

  /**
   * Recovers what a crash left open (committing deposits with money as recovered, abandoning empty ones),
   * closes the acceptors, and starts listening. Returns the recovery report: recovered receipts can then be
   * reprinted with `reprint`.
   */
  start(): RecoveryReport {
    if (this.unsubscribeDevices !== null || this.stopped) throw new Error('a runner starts once');
    // The devices may hand over, as we subscribe, events they buffered before the crash (reported from the
    // journaled event counters) and coins the bulk counter counted while the agent was down (from its
    // journaled registers). Those that carry money belong to the deposit open at the crash, so they go into
    // recovery before it commits, with their baselines; the rest reach the machine as usual once it listens.
    const early: DeviceEvent[] = [];
    let recovering = true;
    this.unsubscribeDevices = this.options.devices.subscribe((event) => {
      if (recovering) early.push(event);
      else this.device(event);
    });
    const late = early.flatMap((event): LateEntry[] => {
      const entry = lateEntryOf(this.options.config.deviceKinds, event);
      return entry === null
        ? []
        : [{ entry, eventCounter: eventCounterOf(event), counterRegisters: counterRegistersOf(event) }];
    });
    const report = this.options.journal.recover(
      this.options.clock.nowMs(),
      late,
      (entry) => (entry.currency === this.options.config.currency ? this.strayIds() : null),
      () => this.alarmIds(),
    );
    recovering = false;
    this.options.devices.inhibitAll();
    this.refreshOutboxStatus();
    for (const event of early) {
      if (lateEntryOf(this.options.config.deviceKinds, event) === null) this.device(event);
    }
    // What recovery committed and any receipt a crash or a printer fault kept from printing: owed now.
    this.queueUnprintedReceipts();
    this.offerDueReceipt();
    return report;
  }

  /**
   * Stops listening and drops every timer and pending answer, writing nothing. To the journal this is the
   * same as the process dying here, which is what crash tests rely on.
   */
  stop(): void {
    this.stopped = true;
    this.unsubscribeDevices?.();
    this.unsubscribeDevices = null;
    for (const { handle } of this.timers.values()) this.options.clock.clearTimeout(handle);
    this.timers.clear();
    for (const controller of this.lookups.values()) controller.abort();
    this.lookups.clear();
    this.queue.length = 0;
  }

  /** A UI intent, already parsed against KioskIntentSchema by the bridge. */
  intent(intent: KioskIntent): void {
    const fresh =
      intent.type === 'confirm'
        ? { depositId: this.options.newDepositId(), claimCode: this.options.newClaimCode() }
        : null;
    this.dispatch({ type: 'intent', intent, fresh, atMs: this.options.clock.nowMs() });
  }

  /** What the sync engine or heartbeat learned about reaching the server. */
  setOnline(online: boolean): void {
    this.dispatch({ type: 'connectivity', online, atMs: this.options.clock.nowMs() });
  }

  /**
   * The server refused this terminal (a sync or heartbeat said so; a lookup's refusal reaches the machine
   * with its answer): the kiosk goes out of service until `terminalEnabled`.
   */
  terminalRefused(code: TerminalRefusalCode): void {
    this.dispatch({ type: 'terminalRefused', code, atMs: this.options.clock.nowMs() });
  }

  /** A heartbeat's answer said the terminal is enabled. */
  terminalEnabled(): void {
    this.dispatch({ type: 'terminalEnabled', atMs: this.options.clock.nowMs() });
  }

  /**
   * Re-reads the outbox (after a sync drained it, say) so the offline caps see the current queue. The caps
   * count every deposit the server has not credited: the queue and the quarantined ones (see OutboxStatus).
   */
  refreshOutboxStatus(): void {
    this.dispatch({ ...capsView(this.options.journal.outbox.status()), atMs: this.options.clock.nowMs() });
  }

  /**
   * The latest snapshot. With `subscribe` this is the SnapshotSource shape the UI bridge takes, so the
   * agent hands the runner to the bridge as it is.
   */
  current(): KioskSnapshot {
    return this.latest;
  }

  /** The machine's state, for tests and diagnostics. Read only. */
  machineState(): DepositState {
    return this.state;
  }

  /** Calls `listener` with every new snapshot, after its changes are journaled; returns an unsubscribe. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Reprints a committed deposit's receipt (maintenance, or a recovered deposit whose shopper comes back);
   * the last committed one when no id is given. Resolves with how the print went, or `unknown` when the
   * journal holds no such committed deposit, or only a stray (nobody's receipt: its claim code is for ops).
   */
  async reprint(depositId?: string): Promise<ReprintOutcome> {
    const id = depositId ?? this.options.journal.lastCommittedDepositId();
    const stored = id === undefined ? undefined : this.options.journal.storedDeposit(id);
    if (stored === undefined || stored.stray) return { ok: false, unknown: true };
    // A receipt that came out before is printed as a copy, marked so; one owed (never out) is the first.
    const reprintedAtMs = stored.receiptPrinted ? this.options.clock.nowMs() : null;
    const outcome = await this.options.devices.print(this.receiptOf(stored, reprintedAtMs).job);
    if (outcome.ok && !this.stopped)
      this.options.journal.markReceiptPrinted(stored.deposit.depositId, this.options.clock.nowMs());
    return { ...outcome, sequence: stored.deposit.sequence };
  }

  /**
   * A committed deposit's receipt, in the language it was made in (reprints, receipts owed); a copy when
   * `reprintedAtMs` is given.
   */
  private receiptOf(stored: StoredDeposit, reprintedAtMs: number | null = null): DueReceipt {
    const { config } = this.options;
    const d = stored.deposit;
    const known = !d.flags.offline && d.claimCode === null && stored.balanceMinor !== null;
    const newBalanceMinor = known ? addMinor(stored.balanceMinor ?? 0, d.totalMinor) : null;
    const job = buildDepositReceipt({
      deposit: d,
      returned: stored.returned,
      terminalId: config.terminalId,
      terminalName: config.terminalName,
      timeZone: config.timeZone,
      language: stored.language,
      maskedName: stored.maskedName,
      newBalanceMinor,
      reprintedAtMs,
    });
    return {
      deposit: d,
      returned: stored.returned,
      job,
      language: stored.language,
      maskedName: stored.maskedName,
      newBalanceMinor,
    };
  }

  /**
   * Takes the journal's unprinted vouchers and offline receipts into the queue of receipts owed. One on the
   * done screen now is taken too: its print may fail (the printer came back while it showed as failed), and
   * if it prints meanwhile it is skipped when its turn comes (see offerDueReceipt).
   */
  private queueUnprintedReceipts(): void {
    for (const { deposit } of this.options.journal.unprintedReceipts(receiptsDueMax)) {
      if (this.stillOwedToShopper(deposit) && !this.receiptsDue.includes(deposit.depositId))
        this.receiptsDue.push(deposit.depositId);
    }
  }

  /**
   * Whether a receipt owed may still go to the tray (or the screen) on its own: only within receiptOwedMs
   * of its deposit's start, while its shopper may be waiting. An older one stays owed in the journal, and
   * a tech reprints it from maintenance for the shopper who comes back for it.
   */
  private stillOwedToShopper(deposit: KioskDeposit): boolean {
    const startedAtMs = Date.parse(deposit.startedAt);
    return this.options.clock.nowMs() - startedAtMs <= this.options.config.receiptOwedMs;
  }

  /** While nobody is being served, hands the machine the next receipt owed that is still unprinted. */
  private offerDueReceipt(): void {
    const phase = this.state.phase;
    if (phase !== 'idle' && phase !== 'outOfService' && phase !== 'offlineCapped') return;
    for (let id = this.receiptsDue.shift(); id !== undefined; id = this.receiptsDue.shift()) {
      const stored = this.options.journal.storedDeposit(id);
      if (stored === undefined || stored.stray || stored.receiptPrinted) continue;
      if (!this.stillOwedToShopper(stored.deposit)) continue;
      this.dispatch({
        type: 'receiptDue',
        receipt: this.receiptOf(stored),
        atMs: this.options.clock.nowMs(),
      });
      return;
    }
  }

  private device(event: DeviceEvent): void {
    // A printer back from a fault (paper in, cover shut, cable back) prints what it owes, once the machine
    // has heard it is back (see offerDueReceipt at the end of handle).
    const printerBack =
      (event.type === 'faultCleared' || event.type === 'connected') &&
      this.options.config.deviceKinds[event.device] === 'printer';
    if (printerBack) this.queueUnprintedReceipts();
    // A bulk counter's coins may open a voucher deposit of their own (poured before a deposit was open):
    // the ids it would take, drawn here so the machine stays pure.
    const fresh =
      event.type === 'credit' && this.options.config.deviceKinds[event.device] === 'bulkCounter'
        ? { depositId: this.options.newDepositId(), claimCode: this.options.newClaimCode() }
        : null;
    this.dispatch({ type: 'device', event, fresh, atMs: this.options.clock.nowMs() });
  }

  /**
   * Queues an event and, unless an event is already being handled further up the stack (a device that
   * answers a command synchronously), handles the queue to the end. Events are never handled re-entrantly.
   */
  private dispatch(event: DepositEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= this.options.eventQueueMax) {
      throw new Error(`deposit runner queue passed ${this.options.eventQueueMax} events: a feedback loop`);
    }
    this.queue.push(event);
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        this.handle(next);
        if (this.stopped) break;
      }
    } catch (error) {
      // A journal write failed or the machine met an impossible event. The state in memory may now be
      // ahead of the disk, so this runner must not go on: it stops dead (acceptors shut) and the error
      // goes up to the supervisor, which restarts the agent to recover from the journal.
      this.stop();
      this.options.devices.inhibitAll();
      throw error;
    } finally {
      this.busy = false;
    }
  }

  private handle(event: DepositEvent): void {
    const result = step(this.options.config, this.state, event);
    this.state = result.state;
    // A device event's baseline (an acceptor's event counter, a bulk counter's registers) is journaled with
    // the device's own entry (one transaction), or alone when the event wrote nothing: either way the next
    // start's baseline is past it.
    const device = event.type === 'device' ? event.event.device : null;
    let counter = event.type === 'device' ? eventCounterOf(event.event) : undefined;
    let registers = event.type === 'device' ? counterRegistersOf(event.event) : undefined;
    for (const effect of result.effects) {
      const own = (counter !== undefined || registers !== undefined) && entryDevice(effect) === device;
      if (own && effect.type === 'journal') {
        this.options.journal.append(effect.depositId, effect.entry, effect.atMs, counter, registers);
      } else if (own && effect.type === 'commitStray') {
        this.commitStray(effect.entry, effect.atMs, counter, registers);
      } else if (own && effect.type === 'commitAlarm') {
        this.commitAlarm(effect.entry, effect.atMs, counter, registers);
      } else {
        this.execute(effect);
      }
      if (own) {
        counter = undefined;
        registers = undefined;
      }
      if (effect.type === 'journal' && effect.depositId !== null && isLostEventsEntry(effect.entry))
        this.options.onLostEvents?.(effect.entry, { depositId: effect.depositId, alarm: null });
    }
    if (counter !== undefined && device !== null)
      this.options.journal.noteEventCounter(device, counter, event.atMs);
    if (registers !== undefined && device !== null)
      this.options.journal.noteCounterRegisters(device, registers, event.atMs);
    if (this.state.phase !== 'lookingUp') this.abortLookups();
    this.publish();
    if (event.type === 'receiptDue' && !this.showing(event.receipt.deposit.depositId)) {
      // Someone was being served when it arrived: it waits for the next pause.
      this.receiptsDue.unshift(event.receipt.deposit.depositId);
    }
    this.offerDueReceipt();
  }

  private showing(depositId: UuidV7): boolean {
    return this.state.phase === 'printing' && this.state.receipt.deposit.depositId === depositId;
  }

  private execute(effect: DepositEffect): void {
    const { journal, devices, clock } = this.options;
    switch (effect.type) {
      case 'openDeposit':
        journal.openDeposit(effect.record);
        return;
      case 'journal':
        journal.append(effect.depositId, effect.entry, effect.atMs);
        return;
      case 'commitStray':
        this.commitStray(effect.entry, effect.atMs, undefined, undefined);
        return;
      case 'commitAlarm':
        this.commitAlarm(effect.entry, effect.atMs, undefined, undefined);
        return;
      case 'abandonDeposit':
        journal.abandon(effect.depositId, effect.atMs);
        return;
      case 'commitDeposit': {
        const deposit = journal.commit(effect.depositId, effect.committedAtMs);
        const returned = journal.returnedPieces(deposit.depositId);
        // The answer goes to the front of the queue: nothing may reach the machine between its commit
        // and its hearing that the commit is done.
        this.queue.unshift(
          { type: 'committed', deposit, returned, atMs: clock.nowMs() },
          { ...capsView(journal.outbox.status()), atMs: clock.nowMs() },
        );
        return;
      }
      case 'enableAcceptors':
        if (effect.remainingMinor > 0) devices.setAcceptLimit(effect.remainingMinor);
        else devices.inhibitAll();
        return;
      case 'inhibitAcceptors':
        devices.inhibitAll();
        return;
      case 'routeBill':
        devices.routeBill(effect.device, effect.decision);
        return;
      case 'lookup':
        this.startLookup(effect.requestId, effect.code);
        return;
      case 'print': {
        const { requestId, depositId } = effect;
        void devices.print(effect.job).then(
          (outcome) => {
            // The receipt is owed until the printer says it came out; a stopped runner's journal is closed.
            if (outcome.ok && !this.stopped) journal.markReceiptPrinted(depositId, clock.nowMs());
            this.dispatch({ type: 'printResult', requestId, outcome, atMs: clock.nowMs() });
          },
          () =>
            this.dispatch({
              type: 'printResult',
              requestId,
              outcome: { ok: false, fault: null },
              atMs: clock.nowMs(),
            }),
        );
        return;
      }
      case 'startTimer':
        this.startTimer(effect.name, effect.delayMs);
        return;
      case 'cancelTimer':
        this.cancelTimer(effect.name);
        return;
    }
  }

  private strayIds(): StrayDepositIds {
    return {
      depositId: this.options.newDepositId(),
      claimCode: this.options.newClaimCode(),
      language: this.options.config.defaultLanguage,
    };
  }

  private alarmIds(): AlarmDepositIds {
    return { ...this.strayIds(), currency: this.options.config.currency };
  }

  /** Journals stray money as its own committed deposit; the offline caps then see it in the queue. */
  private commitStray(
    entry: CreditEntry,
    atMs: number,
    eventCounter: number | undefined,
    counterRegisters: CounterRegisters | undefined,
  ): void {
    const deposit = this.options.journal.commitStray(
      entry,
      atMs,
      this.strayIds(),
      eventCounter,
      counterRegisters,
    );
    this.refreshOutboxStatus();
    this.options.onStrayCommitted?.(deposit);
  }

  /** Journals lost events with no deposit open as an alarm deposit of their own, queued for sync. */
  private commitAlarm(
    entry: LostEventsEntry,
    atMs: number,
    eventCounter: number | undefined,
    counterRegisters: CounterRegisters | undefined,
  ): void {
    const alarm = this.options.journal.commitAlarm(
      entry,
      atMs,
      this.alarmIds(),
      eventCounter,
      counterRegisters,
    );
    this.refreshOutboxStatus();
    this.options.onLostEvents?.(entry, { depositId: alarm.depositId, alarm });
  }

  private startLookup(requestId: number, code: Code): void {
    const controller = new AbortController();
    this.lookups.set(requestId, controller);
    const { clock } = this.options;
    void this.options.lookup.lookup(code, controller.signal).then(
      (result) => {
        this.lookups.delete(requestId);
        this.dispatch({ type: 'lookupResult', requestId, result, atMs: clock.nowMs() });
      },
      // A client that throws has told us nothing about the shopper: to the kiosk that is unreachable.
      () => {
        this.lookups.delete(requestId);
        this.dispatch({
          type: 'lookupResult',
          requestId,
          result: { kind: 'unreachable' },
          atMs: clock.nowMs(),
        });
      },
    );
  }

  private abortLookups(): void {
    for (const controller of this.lookups.values()) controller.abort();
    this.lookups.clear();
  }

  private startTimer(name: TimerName, delayMs: number): void {
    this.cancelTimer(name);
    const generation = ++this.timerGeneration;
    const handle = this.options.clock.setTimeout(() => {
      // A timer cancelled or restarted after this callback was already due must not fire.
      if (this.timers.get(name)?.generation !== generation) return;
      this.timers.delete(name);
      this.dispatch({ type: 'timer', name, atMs: this.options.clock.nowMs() });
    }, delayMs);
    this.timers.set(name, { handle, generation });
  }

  private cancelTimer(name: TimerName): void {
    const timer = this.timers.get(name);
    if (timer === undefined) return;
    this.options.clock.clearTimeout(timer.handle);
    this.timers.delete(name);
  }

  private publish(): void {
    const next = depositSnapshot(this.options.config, this.state, this.version + 1);
    const key = snapshotKey(next);
    if (key === this.currentKey) return;
    this.version += 1;
    this.latest = next;
    this.currentKey = key;
    for (const listener of this.listeners) listener(next);
  }
}

/** The device whose entry an effect journals, or null for an effect that journals no device's entry. */
function entryDevice(effect: DepositEffect): string | null {
  switch (effect.type) {
    case 'journal':
    case 'commitStray':
    case 'commitAlarm':
      return effect.entry.device;
    default:
      return null;
  }
}

/**
 * What recovery journals of an event the devices reported at start: money and its alarms. Faults, escrow
 * and the rest go to the machine as usual.
 */
function lateEntryOf(deviceKinds: DepositConfig['deviceKinds'], event: DeviceEvent): JournalEntry | null {
  switch (event.type) {
    case 'credit':
      return {
        type: 'credit',
        device: event.device,
        kind: event.kind,
        ccTalkId: event.ccTalkId,
        currency: event.currency,
        valueMinor: event.valueMinor,
        count: event.count,
      };
    case 'reject':
      // A bill handed back from escrow was never taken: the machine, not the journal, frees its room.
      if (event.reason === 'returnedFromEscrow') return null;
      return {
        type: 'reject',
        device: event.device,
        kind: returnedKindOf(deviceKinds[event.device]),
        reason: event.reason,
        valueMinor: event.valueMinor ?? null,
        count: event.count,
      };
    case 'lostEvents':
      return { type: 'lostEvents', device: event.device, count: event.count };
    case 'reset':
      return { type: 'reset', device: event.device };
    default:
      return null;
  }
}

/**
 * What the offline caps see of the outbox: every deposit the server has not credited, waiting or
 * quarantined (money set aside after a conflict is still in the bag and in nobody's account).
 */
function capsView(status: OutboxStatus): Omit<Extract<DepositEvent, { type: 'outboxStatus' }>, 'atMs'> {
  return {
    type: 'outboxStatus',
    unsyncedTotalMinor: status.uncreditedTotalMinor,
    oldestUnsyncedAtMs: status.oldestUncreditedAtMs,
  };
}

/** A snapshot's content without its version, to publish only real changes. */
function snapshotKey(snapshot: KioskSnapshot): string {
  return JSON.stringify({ ...snapshot, version: 0 });
}
