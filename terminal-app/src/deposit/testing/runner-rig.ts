import Database from 'better-sqlite3';
import type { Code, KioskDeposit, KioskSnapshot } from '@cashin/shared';
import {
  FakeClock,
  KioskSnapshotSchema,
  createUuidV7Generator,
  defaultLimits,
  generateCode,
} from '@cashin/shared';
import type { LostEventsEntry } from '../../journal/journal-entry.js';
import type { Journal } from '../../journal/journal.js';
import type { TempJournal } from '../../journal/testing/temp-journal.js';
import type { DepositConfig } from '../deposit-config.js';
import { DepositRunner } from '../runner.js';
import { FakeKioskDevices } from './fake-kiosk-devices.js';
import { FakeShopperLookup } from './fake-shopper-lookup.js';
import { shopperCode, t0Ms, testConfig } from './deposit-fixtures.js';

/**
 * A runner wired as the agent will wire it, except that the devices and the server lookup are the
 * labelled in-memory stand-ins: the journal is real SQLite on a temp file and the clock is a FakeClock.
 * `restart` simulates a crash and a fresh start on the same file.
 */
export class RunnerRig {
  readonly clock = new FakeClock(t0Ms);
  readonly devices: FakeKioskDevices;
  readonly lookup = new FakeShopperLookup();
  readonly snapshots: KioskSnapshot[] = [];
  /** What the runner reported of lost events (onLostEvents), in order, across restarts. */
  readonly lostEvents: Array<{ entry: LostEventsEntry; depositId: string; alarm: KioskDeposit | null }> = [];
  journal!: Journal;
  runner!: DepositRunner;
  private readonly newId = createUuidV7Generator(() => this.clock.nowMs());

  constructor(
    readonly temp: TempJournal,
    readonly config: DepositConfig = testConfig,
  ) {
    this.devices = new FakeKioskDevices(config.currency);
    this.lookup.add(shopperCode, {
      kind: 'found',
      maskedName: 'J*** D***',
      currency: config.currency,
      remainingMinor: 5_000,
      balanceMinor: 1_000,
    });
    this.boot();
  }

  /** Starts a runner on the journal file, as the agent does at start-up. */
  private boot(): void {
    this.journal = this.temp.open();
    this.runner = new DepositRunner({
      config: this.config,
      devices: this.devices,
      lookup: this.lookup,
      journal: this.journal,
      clock: this.clock,
      newDepositId: this.newId,
      newClaimCode: (): Code => generateCode('claim'),
      eventQueueMax: defaultLimits.system.depositEventQueueMax,
      onLostEvents: (entry, { depositId, alarm }) => this.lostEvents.push({ entry, depositId, alarm }),
    });
    this.runner.subscribe((snapshot) => {
      // Every snapshot the runner emits must be one the bridge can carry.
      this.snapshots.push(KioskSnapshotSchema.parse(snapshot));
    });
    this.lastRecovery = this.runner.start();
  }

  lastRecovery!: ReturnType<DepositRunner['start']>;

  /** The process dies here (nothing more is written) and starts again on the same file. */
  restart(): void {
    this.crash();
    this.boot();
  }

  crash(): void {
    this.runner.stop();
    this.journal.close();
  }

  get snapshot(): KioskSnapshot {
    return this.runner.current();
  }

  /** Lets promise answers (lookups, prints) arrive, without moving the clock. */
  async settle(): Promise<void> {
    await this.clock.advanceAsync(0);
  }

  /** A shopper with a known code starts a deposit and confirms. */
  async openDeposit(code: string = shopperCode): Promise<void> {
    this.runner.intent({ type: 'start' });
    this.runner.intent({ type: 'keyedCode', text: code });
    await this.settle();
    this.runner.intent({ type: 'confirm' });
  }

  /** Finish, let the drain window pass, and let the receipt print. */
  async finish(): Promise<void> {
    this.runner.intent({ type: 'finish' });
    await this.clock.advanceAsync(this.config.drainMs);
  }

  /** Reads the journal file through a second connection, as an auditor would. */
  read<T>(sql: string, ...params: unknown[]): T {
    const db = new Database(this.temp.path, { readonly: true });
    try {
      return db.prepare(sql).get(...params) as T;
    } finally {
      db.close();
    }
  }
}
