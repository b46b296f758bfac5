import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type {
  Clock,
  DeviceDiagnostics,
  ErrorCode,
  HeartbeatRequest,
  KioskDeposit,
  KioskSnapshot,
  Limits,
  MaintenanceState,
} from '@cashin/shared';
import {
  createUuidV7Generator,
  generateCode,
  loadLimits,
  maintenanceDepositsListedMax,
} from '@cashin/shared';
import type { Logger } from 'pino';
import { depositConfig } from '../deposit/deposit-config.js';
import { DepositRunner } from '../deposit/runner.js';
import { isTerminalRefusal } from '../deposit/terminal-refusal.js';
import type { TerminalRefusalCode } from '../deposit/terminal-refusal.js';
import type { KioskDevices as OpenedDevices } from '../devices/open-devices.js';
import { openDevices } from '../devices/open-devices.js';
import { BillValidator } from '../devices/bill/bill-validator.js';
import { CoinAcceptor } from '../devices/coin/coin-acceptor.js';
import { BulkCounter } from '../devices/counter/bulk-counter.js';
import { journalPathIn } from '../journal/database.js';
import type { LostEventsEntry } from '../journal/journal-entry.js';
import { Journal } from '../journal/journal.js';
import type { DeviceUrl } from '../ports/device-url.js';
import { buildCollectionReport } from '../receipt/collection-report.js';
import { buildTestPage } from '../receipt/test-page.js';
import { createReceiptSigner } from '../receipt/receipt-signature.js';
import { createServerLookup } from '../sync/server-lookup.js';
import type { SignedClient } from '../sync/signed-client.js';
import { createSignedClient } from '../sync/signed-client.js';
import { SyncEngine } from '../sync/sync-engine.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import type { AgentConfig } from './agent-config.js';
import { AgentConfigError, isAllowedServerUrl, serverUrlProblem } from './agent-config.js';
import type { BridgeServer } from './bridge-server.js';
import { startBridgeServer } from './bridge-server.js';
import { EscrowBridge, depositDevices } from './devices-adapter.js';
import { Heartbeat } from './heartbeat.js';
import { describeLostEvents } from './lost-events-detail.js';
import { MaintenanceService } from './maintenance.js';
import { RemoteSetAsideRetry } from './remote-set-aside-retry.js';
import { ServerKeyPins } from './server-key-pins.js';
import type { CollectedBag } from './maintenance-outcomes.js';
import {
  collectResult,
  deviceUnknownResult,
  noPrinterResult,
  reprintResult,
  retrySetAsideResult,
  selfTestResult,
  syncResult,
  testPrintResult,
} from './maintenance-outcomes.js';
import type { TerminalIdentity } from './terminal-identity.js';
import { readTerminalIdentity, terminalIdentityFile } from './terminal-identity.js';

/**
 * The terminal agent's composition root: it builds every part from the parsed config, wires them, and
 * starts them in an order that never loses money (the journal recovers open deposits before any device
 * is listened to; acceptors stay inhibited until a shopper is confirmed). Nothing else constructs parts.
 */
export interface StartAgentOptions {
  config: AgentConfig;
  /** The per-boot token the shell shares with the kiosk window. */
  bridgeToken: string;
  clock: Clock;
  logger: Logger;
  /** A uniform number in [0, 1), seeded in simulations. */
  random?: () => number;
  /** Tests and simulations put a faulty link between kiosk and server. */
  fetch?: typeof fetch;
  /** Tests open devices over in-memory pipes; the real ports module otherwise. */
  openPort?: (url: DeviceUrl) => Promise<Duplex>;
}

export interface RunningAgent {
  identity: TerminalIdentity;
  bridge: BridgeServer;
  runner: DepositRunner;
  sync: SyncEngine;
  journal: Journal;
  devices: OpenedDevices;
  stop(): Promise<void>;
}

/**
 * The kiosk is enrolled but its journal is gone (a replaced disk, a deleted file). A fresh journal would
 * number deposits from 1 again, and each would collide with a number the server already holds for this
 * terminal and be answered as a conflict. Enrolling again (ops issue a key rotation token) hands back the
 * highest number the server knows, and the agent numbers after it.
 */
export class JournalMissingError extends Error {
  override name = 'JournalMissingError';
  constructor(readonly journalPath: string) {
    super(
      `this kiosk is enrolled but its journal ${journalPath} is missing, so its deposit numbers are unknown; ` +
        'ask ops for a key rotation token and start it once with --enroll <token>',
    );
  }
}

/**
 * The config says one currency and the kiosk was enrolled in a store of another. Every deposit would carry
 * the configured currency and the server, which holds the store's, would answer each with a conflict: the
 * cash is taken and then set aside in quarantine, in nobody's wallet. So the kiosk takes none and waits for
 * the tech to fix the config (or for ops to enroll it where that currency is used).
 */
export class CurrencyMismatchError extends Error {
  override name = 'CurrencyMismatchError';
  readonly code = 'CURRENCY_MISMATCH' satisfies ErrorCode;
  constructor(
    readonly configuredCurrency: string,
    readonly enrolledCurrency: string,
  ) {
    super(
      `this kiosk's config says currency ${configuredCurrency} but it was enrolled in a ${enrolledCurrency} ` +
        `store, so the server would refuse every deposit; set "currency" (and each device's) to ` +
        `${enrolledCurrency} in the config, or ask ops to enroll it in a ${configuredCurrency} store`,
    );
  }
}

export class NotEnrolledError extends Error {
  override name = 'NotEnrolledError';
  constructor(readonly dataDir: string) {
    super(
      `this kiosk is not enrolled yet (no terminal identity in ${dataDir}); start it once with --enroll <token>`,
    );
  }
}

/** Errors a tech should see on the maintenance screen, newest first. */
const recentErrorsMax = 20;
/** Maintenance mode locks itself after this long without a tap. */
const maintenanceIdleLockMs = 5 * 60_000;

function limitsOf(config: AgentConfig): Limits {
  return loadLimits(
    config.limitsFile === null ? {} : (JSON.parse(readFileSync(config.limitsFile, 'utf8')) as unknown),
  );
}

export async function startAgent(options: StartAgentOptions): Promise<RunningAgent> {
  const { config, clock, logger } = options;
  const random = options.random ?? Math.random;
  const limits = limitsOf(config);
  const system = limits.system;
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const identity = readTerminalIdentity(config.dataDir);
  if (identity === null) throw new NotEnrolledError(config.dataDir);
  if (identity.currency !== config.currency)
    throw new CurrencyMismatchError(config.currency, identity.currency);
  // The kiosk talks to the address it was enrolled at: one enrolled over plain http before that was refused
  // must not go on taking the store network's word that its deposits were synced.
  if (!isAllowedServerUrl(identity.serverUrl)) {
    throw new AgentConfigError(path.join(config.dataDir, terminalIdentityFile), [
      `serverUrl ${identity.serverUrl}: ${serverUrlProblem}; ask ops for a key rotation token and enroll ` +
        'this kiosk again with an https serverUrl in its config (--enroll <token>)',
    ]);
  }
  const log = logger.child({ terminalId: identity.terminalId });

  const recentErrors: MaintenanceState['recentErrors'] = [];
  const noteError = (code: ErrorCode, detail: string): void => {
    recentErrors.unshift({ at: new Date(clock.nowMs()).toISOString(), code, detail: detail.slice(0, 200) });
    if (recentErrors.length > recentErrorsMax) recentErrors.length = recentErrorsMax;
    log.warn({ code, detail }, 'kiosk error');
  };

  const journalPath = journalPathIn(config.dataDir);
  // Enrollment creates the journal (it records the server's sequence high there) before it writes the
  // identity, so an identity without a journal means the journal was lost, never that it is new.
  if (!existsSync(journalPath)) throw new JournalMissingError(journalPath);
  const journal = Journal.open(journalPath, {
    signReceipt: createReceiptSigner(identity.terminalId, key.sign),
    syncBatchDepositsMax: system.syncBatchDepositsMax,
  });
  const escrow = new EscrowBridge(clock, system.billEscrowTimeoutMs);
  let started = false;
  const devices = await openDevices({
    devices: config.devices,
    clock,
    limits: system,
    decideEscrow: escrow.decide,
    // Read when each driver is made, so a device that opens late starts from the journal as it is then.
    eventCounters: (device) => journal.eventCounters().get(device),
    counterRegisters: (device) => journal.counterRegisters().get(device),
    // Fraud attempts, money of unknown value, a device whose identity could not be confirmed: one-off
    // alarms that change no state here (what they mean for a deposit comes as device events), so logged.
    onAlarm: (alarm) => log.warn(alarm, 'device alarm'),
    // A money device that did not start from the journal's baseline (a new journal, a new or replaced
    // device, registers that were not this counter's): its starting baseline is journaled now, before any
    // of its events, so that a crash before its first journaled event still finds one and the money taken
    // meanwhile is reported on the next start. One that resumed from the journal leaves it as it is (its
    // events move it on): an acceptor whose serial could not be read must not overwrite the journal's.
    // Only a serial the journal never had is filled in, with the counter unchanged (a resumed driver
    // started from the journal's), so the acceptor is not "unconfirmed" at every start from then on.
    onOpened: (device) => {
      const driver = device.driver;
      const name = device.config.name;
      if (driver instanceof CoinAcceptor || driver instanceof BillValidator) {
        const { startCounter, serialNumber } = driver;
        const learnsSerial =
          driver.resumedFromJournal &&
          serialNumber !== null &&
          journal.eventCounters().get(name)?.serial === null;
        if (startCounter !== undefined && (!driver.resumedFromJournal || learnsSerial))
          journal.resetEventCounter(name, startCounter, serialNumber, clock.nowMs());
      }
      if (driver instanceof BulkCounter) {
        const registers = driver.startRegisters;
        if (registers !== undefined && !driver.resumedFromJournal)
          journal.resetCounterRegisters(name, registers, clock.nowMs());
      }
      if (started) log.info({ device: name }, 'a device that would not open at start joined');
    },
    ...(options.openPort ? { open: options.openPort } : {}),
  });
  started = true;
  for (const failed of devices.failed) noteError('DEVICE_FAULT', `${failed.config.name}: ${failed.reason}`);

  const serverKeyPins = new ServerKeyPins(config.dataDir, identity);
  const pinnedKeys = serverKeyPins.list();
  const signedClient = createSignedClient({
    baseUrl: identity.serverUrl,
    terminalId: identity.terminalId,
    key,
    clock,
    requestTimeoutMs: config.requestTimeoutMs,
    serverKeys: pinnedKeys === null ? null : () => serverKeyPins.list() ?? [],
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (pinnedKeys === null) {
    log.warn(
      'enrolled before the server signed its answers: they are believed unchecked until this kiosk is ' +
        'enrolled again (ask ops for a key rotation token)',
    );
  }
  // A stopped agent is a dead process: an answer still on its way is never heard, so nothing acts on it
  // after the journal closed (a sync round in flight would otherwise mark deposits on a closed database).
  let stopped = false;
  const client: SignedClient = {
    post: async (...args) => {
      const result = await signedClient.post(...args);
      return stopped ? new Promise<never>(() => undefined) : result;
    },
  };
  const newId = createUuidV7Generator(() => clock.nowMs());
  const runner = new DepositRunner({
    config: depositConfig({
      terminalId: identity.terminalId,
      terminalName: config.terminalName,
      timeZone: config.timeZone,
      currency: config.currency,
      defaultLanguage: config.languages[0] ?? 'en',
      deviceKinds: Object.fromEntries(config.devices.map((device) => [device.name, device.kind])),
      limits,
    }),
    devices: depositDevices(devices, escrow),
    lookup: createServerLookup(client),
    journal,
    clock,
    newDepositId: newId,
    newClaimCode: () => generateCode('claim'),
    eventQueueMax: system.depositEventQueueMax,
    onStrayCommitted: (deposit) => {
      log.warn(
        { depositId: deposit.depositId, totalMinor: deposit.totalMinor },
        'money arrived with no deposit open: committed as a stray deposit for suspense',
      );
      sync.kick();
    },
    // Lost events may have been money (DESIGN 7: raise an alarm and hold the deposit for review). The
    // deposit or alarm deposit carries flags.lostEvents to the server, which alerts ops; here the tech's
    // screen and the heartbeat's lastError hear of it too, and an alarm deposit is synced at once.
    onLostEvents: (entry, { depositId, alarm }) => {
      noteLostEvents(entry, depositId, alarm);
      if (alarm !== null) sync.kick();
    },
  });

  function noteLostEvents(entry: LostEventsEntry, depositId: string, alarm: KioskDeposit | null): void {
    log.warn(
      { device: entry.device, event: entry.type, depositId, sequence: alarm?.sequence },
      alarm === null
        ? 'a device lost events during a deposit: it is held for review'
        : 'a device lost events with no deposit open: committed as an alarm deposit for ops',
    );
    noteError('DEVICE_FAULT', describeLostEvents(entry));
  }

  // The server refused this terminal: out of service now, and after a restart too, until a heartbeat says
  // it is enabled again (the journal keeps the refusal), even where the server cannot be reached.
  const terminalRefused = (code: TerminalRefusalCode): void => {
    journal.recordTerminalRefusal(code, clock.nowMs());
    runner.terminalRefused(code);
  };

  const sync = new SyncEngine({
    outbox: journal.outbox,
    client,
    clock,
    random,
    batchDepositsMax: system.syncBatchDepositsMax,
    backoffMsMin: system.syncRetryBackoffMsMin,
    backoffMsMax: system.syncRetryBackoffMsMax,
    onStatus: (status) => {
      runner.setOnline(status.online);
      runner.refreshOutboxStatus();
      if (status.lastErrorCode)
        noteError(status.lastErrorCode, `sync failed: ${status.lastErrorDetail ?? 'no detail'}`);
      if (isTerminalRefusal(status.lastErrorCode)) terminalRefused(status.lastErrorCode);
    },
  });

  // Sync right after each commit: a new receipt in the snapshot is the sign of one.
  let lastReceiptId: string | null = null;
  let lastOutOfService: string | null = null;
  runner.subscribe((snapshot: KioskSnapshot) => {
    const receiptId = snapshot.receipt?.depositId ?? null;
    if (receiptId !== null && receiptId !== lastReceiptId) sync.kick();
    lastReceiptId = receiptId;
    const outOfService = snapshot.outOfService
      ? `${snapshot.outOfService.device ?? 'server'}:${snapshot.outOfService.fault ?? snapshot.outOfService.errorCode}`
      : null;
    if (snapshot.outOfService && outOfService !== lastOutOfService) {
      noteError(snapshot.outOfService.errorCode, outOfService ?? '');
    }
    lastOutOfService = outOfService;
  });

  const bagTotal = (): MaintenanceState['bag'] => {
    const bag = { currency: config.currency, totalMinor: 0, coinCount: 0, billCount: 0 };
    for (const device of journal.bag.totals()) {
      for (const total of device.totalsByCurrency.filter((t) => t.currency === config.currency)) {
        bag.totalMinor += total.totalMinor;
        for (const line of total.lines) {
          if (line.kind === 'coin') bag.coinCount += line.count;
          else bag.billCount += line.count;
        }
      }
    }
    return bag;
  };

  // The queue as the heartbeat reports it (the server judges a stuck kiosk by it), field by field.
  const outboxReport = (status = journal.outbox.status()): HeartbeatRequest['outbox'] => ({
    depth: status.depth,
    unsyncedTotalMinor: status.unsyncedTotalMinor,
    oldestUnsyncedAtMs: status.oldestUnsyncedAtMs,
    quarantined: status.quarantined,
    quarantinedTotalMinor: status.quarantinedTotalMinor,
    lastSequence: status.lastSequence,
  });

  // The set-aside deposits back in the queue and a sync round: a tech's button, or ops from the console.
  const retrySetAside = async (askedBy: 'tech' | 'ops') => {
    const requeued = journal.outbox.requeueQuarantined();
    log.info({ requeued, askedBy }, 'set-aside deposits back in the queue');
    runner.refreshOutboxStatus();
    const round = await sync.syncNow();
    return { requeued, round, errorCode: round.failed ? sync.status().lastErrorCode : null };
  };

  const remoteRetry = new RemoteSetAsideRetry({
    run: async () => {
      const { requeued, round, errorCode } = await retrySetAside('ops');
      return { requeued, synced: round.synced, setAsideAgain: round.quarantined, errorCode };
    },
    // Ops are waiting on the console: the report goes now, not at the next interval.
    onReportReady: () => void heartbeat.sendNow(),
  });

  const heartbeat = new Heartbeat({
    client,
    clock,
    intervalMs: system.heartbeatIntervalMs,
    collect: (): HeartbeatRequest => ({
      softwareVersion: config.softwareVersion,
      uptimeMs: Math.round(process.uptime() * 1000),
      devices: devices.statuses(),
      outbox: outboxReport(),
      bag: bagTotal(),
      lastError: recentErrors[0]?.code ?? null,
      setAsideRetried: remoteRetry.pendingReport(),
      serverKeys: serverKeyPins.list()?.slice(),
    }),
    // Ops disabling the terminal takes it out of service (the machine finishes a deposit already open);
    // only a heartbeat saying it is enabled brings it back, whichever refusal put it out.
    onAnswer: ({ disabled, retrySetAside: retryRequest, serverKeys }) => {
      if (serverKeyPins.heard(serverKeys)) log.info({ serverKeys }, 'server keys to believe updated');
      remoteRetry.heard(retryRequest);
      if (disabled) {
        if (runner.machineState().refusal === null)
          noteError('TERMINAL_DISABLED', 'ops disabled this terminal');
        terminalRefused('TERMINAL_DISABLED');
      } else {
        journal.terminalEnabled();
        runner.terminalEnabled();
      }
    },
    onRefused: (code) => {
      if (!isTerminalRefusal(code)) return;
      noteError(code, 'the server refused the heartbeat');
      terminalRefused(code);
    },
  });

  const diagnostics = new Map<string, DeviceDiagnostics>();
  const printer = (): ReturnType<OpenedDevices['printers']>[number] | undefined => devices.printers()[0];
  const maintenance = new MaintenanceService(
    {
      terminalId: () => identity.terminalId,
      softwareVersion: config.softwareVersion,
      currency: config.currency,
      deviceStatuses: () => devices.statuses(),
      diagnostics: async () => [...diagnostics.values()],
      selfTest: async (name) => {
        const device = devices.devices.find((d) => d.config.name === name);
        if (!device) return deviceUnknownResult(name);
        const result = await device.driver.selfTest();
        diagnostics.set(name, result);
        return selfTestResult(name, result);
      },
      testPrint: async () => {
        const target = printer();
        if (!target) return noPrinterResult();
        const result = await target.driver.print(
          buildTestPage({
            terminalId: identity.terminalId,
            terminalName: config.terminalName,
            atMs: clock.nowMs(),
          }),
        );
        return testPrintResult(result);
      },
      outboxStatus: () => {
        const status = journal.outbox.status();
        return { ...outboxReport(status), quarantinedTotalMinor: status.quarantinedTotalMinor };
      },
      syncStatus: () => {
        const status = sync.status();
        return {
          online: status.online,
          lastSyncedAtMs: status.lastSyncedAtMs,
          nextAttemptAtMs: status.nextAttemptAtMs,
          lastErrorCode: status.lastErrorCode,
        };
      },
      syncNow: async () => {
        const round = await sync.syncNow();
        return syncResult(round, sync.status().lastErrorCode);
      },
      retrySetAside: async () => {
        const { requeued, round, errorCode } = await retrySetAside('tech');
        return retrySetAsideResult(requeued, round, errorCode);
      },
      bag: bagTotal,
      collect: async () => {
        const moneyDevices = config.devices.filter((d) => d.kind !== 'printer' && d.kind !== 'scanner');
        const bags: CollectedBag[] = [];
        for (const device of moneyDevices) {
          const collection = journal.bag.collect(newId(), device.name, clock.nowMs());
          const total = collection.totals.totalsByCurrency.find((t) => t.currency === config.currency);
          bags.push({ device: device.name, pieces: total?.pieces ?? 0, totalMinor: total?.totalMinor ?? 0 });
          const target = printer();
          if (target) {
            await target.driver.print(
              buildCollectionReport({
                collection,
                terminalName: config.terminalName,
                timeZone: config.timeZone,
                language: config.languages[0] ?? 'en',
              }),
            );
          }
        }
        log.info({ bags }, 'bag collected');
        return collectResult(config.currency, bags);
      },
      reprintLast: async () => reprintResult(await runner.reprint()),
      reprint: async (depositId) => reprintResult(await runner.reprint(depositId)),
      recentErrors: () => [...recentErrors],
      recentDeposits: () =>
        journal.recentDeposits(maintenanceDepositsListedMax).map(({ deposit, outbox, receiptPrinted }) => ({
          depositId: deposit.depositId,
          sequence: deposit.sequence,
          committedAtMs: Date.parse(deposit.committedAt),
          totalMinor: deposit.totalMinor,
          voucher: deposit.claimCode !== null,
          recovered: deposit.flags.recovered,
          heldForReview: deposit.flags.recovered || deposit.flags.lostEvents || deposit.flags.deviceFault,
          sync: outbox,
          receiptPrinted,
        })),
    },
    config.technicianPinHash,
    clock,
    {
      pinAttemptsMax: system.pinAttemptsMax,
      pinLockoutMs: system.pinLockoutMs,
      idleLockMs: maintenanceIdleLockMs,
    },
  );

  const recovery = runner.start();
  const keptRefusal = journal.terminalRefusal();
  if (keptRefusal !== null) {
    log.warn(
      keptRefusal,
      'the server refused this terminal before the restart: out of service until enabled',
    );
    runner.terminalRefused(keptRefusal.code);
  }
  for (const deposit of recovery.recovered) {
    log.warn(
      { depositId: deposit.depositId, totalMinor: deposit.totalMinor, flags: deposit.flags },
      'recovered an open deposit: its receipt can be reprinted from maintenance',
    );
    if (deposit.flags.lostEvents)
      noteError('DEVICE_FAULT', `deposit ${deposit.sequence} recovered with lost events: held for review`);
  }
  for (const { deposit, entry } of recovery.alarms) noteLostEvents(entry, deposit.depositId, deposit);
  for (const deposit of recovery.strays) {
    log.warn(
      { depositId: deposit.depositId, totalMinor: deposit.totalMinor },
      'money from before the restart found no open deposit: committed as a stray deposit for suspense',
    );
  }
  const bridge = await startBridgeServer({
    port: config.uiPort,
    token: options.bridgeToken,
    uiDir: config.uiDir,
    source: runner,
    onIntent: (intent) => runner.intent(intent),
    maintenance,
    messageBytesMax: system.bridgeMessageBytesMax,
    helloTimeoutMs: 5_000,
    connectionsMax: 4,
  });
  void sync.syncNow();
  heartbeat.start();
  log.info({ ui: bridge.url, devices: config.devices.map((d) => d.name) }, 'agent started');

  return {
    identity,
    bridge,
    runner,
    sync,
    journal,
    devices,
    async stop() {
      stopped = true;
      heartbeat.stop();
      sync.stop();
      runner.stop();
      await bridge.close();
      await devices.close();
      journal.close();
      log.info('agent stopped');
    },
  };
}
