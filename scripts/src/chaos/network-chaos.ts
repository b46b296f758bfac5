import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Code, CurrencyCode, SeededRandom } from '@cashin/shared';
import { EnrollmentTokenSchema, FakeClock, StoreSchema, opsApiPaths, seededRandom } from '@cashin/shared';
import { ChaosKiosk, settle } from '@cashin/terminal-app/chaos/chaos-rig.js';
import { z } from 'zod';
import { noFaults } from '../testing/faulty-fetch.js';
import { codeFromDevInbox, signUpShopperOverHttp } from '../testing/shopper-sign-up.js';
import type { CheckResult } from './check-end-state.js';
import { checkEndState } from './check-end-state.js';
import { ChaosTill, tillStepAttemptsMax } from './chaos-till.js';
import { collectEndState, dropChaosSchema, kioskEndState } from './collect-end-state.js';
import type { EndState } from './end-state.js';
import type { ChaosFault } from './fault-schedule.js';
import { countFaults, drawFaultSchedule } from './fault-schedule.js';
import { KioskShoppers } from './kiosk-shopper.js';
import type { FleetDatabase } from './server-fleet.js';
import { ServerFleet, fleetBaseUrl } from './server-fleet.js';

/**
 * Issue 9's chaos run: a cash-in network on one machine. Real server child processes (one on SQLite, or
 * several on one PostgreSQL schema behind a client-side balancer), kiosks as in-process agents with
 * simulated devices and their own SQLite journals, and store tills, all making deposits while a fault
 * schedule drawn from the seed kills and restarts servers (SIGKILL) and agents, cuts, slows, duplicates and
 * robs links of their answers, pulls device cables and powers coin acceptors off mid-deposit. Then the
 * network heals, everything drains, and the end state is checked to the cent (check-end-state.ts).
 *
 * Determinism, honestly: the fault schedule, every shopper's and clerk's plan, and every in-process
 * decision come from the seed and run on one FakeClock, so a seed replays the same faults against the same
 * queue of shoppers. The servers are real processes on the wall clock; how their answers interleave with
 * the simulation (which request a SIGKILL cuts, which retry lands first) differs from run to run, so the
 * counts of a replay can differ while the checks must pass the same. The FakeClock is paced so it never
 * runs ahead of the wall clock: the servers see the kiosks' signature timestamps as current.
 */
export interface NetworkChaosOptions {
  readonly seed: number;
  /** Simulated minutes of deposits under faults (then the heal and the drain). */
  readonly minutes: number;
  readonly db: 'sqlite' | 'postgres';
  readonly kiosks: number;
  readonly tills: number;
  readonly serverProcesses: number;
  readonly postgresUrl: string;
  /** Where the SQLite database and the kiosk journals go. */
  readonly dataDir: string;
  readonly progress: (line: string) => void;
}

export interface NetworkChaosResult {
  readonly seed: number;
  readonly endState: EndState;
  readonly checks: CheckResult[];
  readonly ok: boolean;
  readonly faultsScheduled: Record<ChaosFault['kind'], number>;
  readonly stats: Record<string, number>;
  /** Problems of the run itself (a server that would not start, a fault that threw). */
  readonly runProblems: string[];
}

export const chaosOpsToken = 'chaos-network-ops-token-0123456789';
const currency: CurrencyCode = 'USD';
/**
 * Shoppers signed up before the run; kiosks and tills pick among them. Enough that a 10-minute run stays
 * mostly inside each tier-0 wallet's 20 deposits a day (beyond it tills are refused, correctly, and
 * kiosk shoppers take vouchers).
 */
export const chaosShoppers = 120;
/** Each store has one till and several kiosks. */
export const chaosStoresMax = 8;
const clockStepMs = 25;
/**
 * The servers' signature skew window in a chaos run (the default is 5 minutes). The kiosks' clock is
 * simulated and paced never to run ahead of the wall clock, but on a loaded machine it falls behind (it
 * has fallen 7 minutes behind on a 2-core machine shared with other builds): with the default window,
 * that lag would be refused as stale signatures, which is the simulation's slowness, not a finding. The
 * nonce retention stays twice the window, as the limits require. A run whose lag exceeds the window
 * reports it as a problem of the run.
 */
export const chaosSignatureSkewMs = 30 * 60_000;
/** Simulated time the heal may take for every outbox to drain and every till sale to be answered. */
export const healMsMax = 180_000;
/** How often the heal asks each kiosk to sync, in simulated ms. */
const healSyncEveryMs = 5_000;
const progressEveryMs = 15_000;

const ClerkCreatedSchema = z.object({ id: z.string() });

function kioskName(index: number): string {
  return `kiosk-${String(index + 1).padStart(2, '0')}`;
}

function wallSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function runNetworkChaos(options: NetworkChaosOptions): Promise<NetworkChaosResult> {
  const random = seededRandom(options.seed);
  const durationMs = Math.round(options.minutes * 60_000);
  const schedule = drawFaultSchedule(random.fork('faults'), {
    durationMs,
    servers: options.serverProcesses,
    kiosks: options.kiosks,
    tills: options.tills,
  });
  const faultsScheduled = countFaults(schedule);
  const runProblems: string[] = [];
  const say = options.progress;
  mkdirSync(options.dataDir, { recursive: true });

  const schema = `chaos_${options.seed}_${process.pid}_${Date.now().toString(36)}`;
  const database: FleetDatabase =
    options.db === 'sqlite'
      ? { kind: 'sqlite', path: path.join(options.dataDir, 'server.sqlite') }
      : { kind: 'postgres', url: options.postgresUrl, schema };

  const limitsFile = path.join(options.dataDir, 'server-limits.json');
  writeFileSync(
    limitsFile,
    JSON.stringify({
      system: {
        signatureSkewMs: chaosSignatureSkewMs,
        nonceRetentionMs: 2 * chaosSignatureSkewMs,
        // Every shopper of the run signs up from 127.0.0.1: the run is not SMS pumping.
        otpSendsPerClientIpMax: chaosShoppers,
        otpGuessesPerClientIpMax: chaosShoppers,
      },
    }),
  );
  say(`starting ${options.serverProcesses} server process(es) on ${options.db}`);
  const fleet = await ServerFleet.start({
    database,
    processes: options.serverProcesses,
    opsToken: chaosOpsToken,
    limitsFile,
    log: (line) => say(line),
  });

  // One clock for every kiosk and till, paced so it never runs ahead of the wall clock.
  const clock = new FakeClock(Date.now());
  const wallStartMs = Date.now();
  const simStartMs = clock.nowMs();
  let driving = true;
  let lagMsMax = 0;
  const driver = (async () => {
    while (driving) {
      await clock.advanceAsync(clockStepMs);
      await settle();
      const aheadMs = clock.nowMs() - simStartMs - (Date.now() - wallStartMs);
      if (aheadMs > 0) await wallSleep(aheadMs);
      else lagMsMax = Math.max(lagMsMax, -aheadMs);
    }
  })();

  const kiosks: ChaosKiosk[] = [];
  const shoppers: KioskShoppers[] = [];
  const tills: ChaosTill[] = [];
  try {
    const setup = await makeNetwork(fleet, options, random);
    for (let index = 0; index < options.kiosks; index += 1) {
      const name = kioskName(index);
      const dataDir = path.join(options.dataDir, name);
      mkdirSync(dataDir, { recursive: true });
      const own = random.fork(name);
      const storeId = setup.storeIds[index % setup.storeIds.length]!;
      const kiosk = await ChaosKiosk.create({
        clock,
        random: own,
        dataDir,
        terminalName: name,
        drivesClock: false,
        backend: {
          baseUrl: fleetBaseUrl,
          fetch: fleet.fetch,
          enrollmentToken: () => enrollmentToken(fleet, storeId, name),
        },
      });
      kiosks.push(kiosk);
      shoppers.push(new KioskShoppers(kiosk, clock, own.fork('shoppers'), setup.codes));
    }
    for (let index = 0; index < options.tills; index += 1) {
      const name = `till-${index + 1}`;
      const clerk = setup.clerks[index % setup.clerks.length]!;
      const till = new ChaosTill(name, {
        clock,
        random: random.fork(name),
        target: fleet.fetch,
        baseUrl: fleetBaseUrl,
        storeId: clerk.storeId,
        clerkId: clerk.clerkId,
        pin: clerk.pin,
        currency,
      });
      if (!(await till.signIn())) throw new Error(`${name} could not sign in`);
      tills.push(till);
    }
    say(
      `network up: ${fleet.size} server process(es), ${kiosks.length} kiosks, ${tills.length} tills, ${setup.codes.length} shoppers; ${options.minutes} simulated minute(s) of deposits`,
    );

    const startMs = clock.nowMs();
    const endAtMs = startMs + durationMs;
    const faults = new FaultInjector(fleet, kiosks, shoppers, tills, clock, runProblems);
    const injecting = faults.run(schedule, startMs, endAtMs);
    const tillRandoms = tills.map((till) => random.fork(`${till.name}-sales`));
    const working = [
      ...shoppers.map((queue) => queue.run(endAtMs)),
      ...tills.map((till, index) => sellUntil(till, tillRandoms[index]!, setup.codes, clock, endAtMs)),
    ];
    let lastProgressMs = startMs;
    const progress = (phase: string): void => {
      const simS = Math.round((clock.nowMs() - startMs) / 1000);
      const wallS = Math.round((Date.now() - wallStartMs) / 1000);
      const served = shoppers.reduce((sum, queue) => sum + queue.stats.served, 0);
      const committed = tills.reduce(
        (sum, till) => sum + till.sales.filter((sale) => sale.outcome === 'committed').length,
        0,
      );
      const sales = tills.reduce((sum, till) => sum + till.sales.length, 0);
      say(
        `  ${phase} sim ${simS}s (wall ${wallS}s, lag ${Math.round(lagMsMax / 100) / 10}s): ${served} kiosk shoppers, ${sales} till sales (${committed} committed); faults so far ${JSON.stringify(faults.fired)}; servers up ${fleet.upCount()}/${fleet.size}`,
      );
    };
    const allWork = Promise.all([...working, injecting]);
    let finished = false;
    void allWork.finally(() => (finished = true));
    while (!finished) {
      await clock.sleep(1_000);
      if (clock.nowMs() - lastProgressMs >= progressEveryMs) {
        lastProgressMs = clock.nowMs();
        progress('running');
      }
    }
    await allWork;
    progress('faults over,');

    await heal(fleet, kiosks, shoppers, tills, clock, runProblems, say);
    const kioskStates = kiosks.map((kiosk, index) => kioskEndState(kioskName(index), kiosk));
    const tillStates = tills.map((till) => ({
      name: till.name,
      storeId: till.storeId,
      sales: till.sales.map((sale) => ({
        authorizationId: sale.authorizationId,
        amountMinor: sale.amountMinor,
        outcome: sale.step === 'done' ? sale.outcome : ('unknown' as const),
        committedBeforeVoid: sale.committedBeforeVoid,
      })),
    }));
    for (const kiosk of kiosks) await kiosk.close();
    driving = false;
    await driver;
    await fleet.stop();
    runProblems.push(...fleet.unexpectedExits);
    if (lagMsMax > chaosSignatureSkewMs)
      runProblems.push(
        `the simulated clock fell ${Math.round(lagMsMax / 1000)} s behind the wall clock, beyond the servers' skew window`,
      );

    const endState = await collectEndState(database, {
      seed: options.seed,
      db: options.db,
      currency,
      kiosks: kioskStates,
      tills: tillStates,
    });
    const checks = checkEndState(endState);
    const stats = {
      simulatedSeconds: Math.round((clock.nowMs() - startMs) / 1000),
      wallSeconds: Math.round((Date.now() - wallStartMs) / 1000),
      clockLagSecondsMax: Math.round(lagMsMax / 1000),
      kioskShoppers: shoppers.reduce((sum, queue) => sum + queue.stats.served, 0),
      kioskDepositsCommitted: kioskStates.reduce((sum, kiosk) => sum + kiosk.deposits.length, 0),
      kioskDepositsInterrupted: shoppers.reduce((sum, queue) => sum + queue.stats.interrupted, 0),
      tillSales: tillStates.reduce((sum, till) => sum + till.sales.length, 0),
      ...tillOutcomes(tills),
      serverKills: fleet.kills,
      serverStarts: fleet.starts,
      agentRestarts: kiosks.reduce((sum, kiosk) => sum + kiosk.restarts, 0),
      powerOffs: shoppers.reduce((sum, queue) => sum + queue.stats.powerOffs, 0),
      linkRequests: [...kiosks, ...tills].reduce((sum, client) => sum + client.link.stats.sent, 0),
      linkDropped: [...kiosks, ...tills].reduce((sum, client) => sum + client.link.stats.dropped, 0),
      linkAnswersLost: [...kiosks, ...tills].reduce((sum, client) => sum + client.link.stats.answersLost, 0),
      linkDuplicated: [...kiosks, ...tills].reduce((sum, client) => sum + client.link.stats.duplicated, 0),
      linkRefusedWhileDown: [...kiosks, ...tills].reduce(
        (sum, client) => sum + client.link.stats.refusedWhileDown,
        0,
      ),
    };
    return {
      seed: options.seed,
      endState,
      checks,
      ok: runProblems.length === 0 && checks.every((check) => check.ok),
      faultsScheduled,
      stats,
      runProblems,
    };
  } finally {
    for (const kiosk of kiosks) await kiosk.close().catch(() => undefined);
    driving = false;
    await driver;
    await fleet.stop();
    // The shared `test` database keeps no litter, whether the run passed, failed or broke.
    await dropChaosSchema(database).catch((error: unknown) =>
      say(`could not drop the run's PostgreSQL schema ${schema}: ${String(error)}`),
    );
  }
}

/** How the till sales ended, for the run's summary: `tillCommitted`, `tillRefused`, ... */
function tillOutcomes(tills: readonly ChaosTill[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const till of tills)
    for (const sale of till.sales) {
      const outcome = sale.step === 'done' ? sale.outcome : 'unknown';
      const key = `till${outcome[0]!.toUpperCase()}${outcome.slice(1)}${sale.refusedWith ? `:${sale.refusedWith}` : ''}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
  return counts;
}

interface NetworkSetup {
  readonly storeIds: string[];
  readonly clerks: Array<{ storeId: string; clerkId: string; pin: string }>;
  readonly codes: Code[];
}

async function post<T>(
  fleet: ServerFleet,
  pathName: string,
  body: unknown,
  schema: z.ZodType<T>,
  ops: boolean,
): Promise<T> {
  const response = await fleet.fetch(new URL(pathName, fleetBaseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(ops ? { authorization: `Bearer ${chaosOpsToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${pathName} answered ${response.status}: ${text}`);
  return schema.parse(JSON.parse(text));
}

/** Stores, clerks and shoppers, made through the server's own API before any fault. */
async function makeNetwork(
  fleet: ServerFleet,
  options: NetworkChaosOptions,
  random: SeededRandom,
): Promise<NetworkSetup> {
  const stores = Math.min(chaosStoresMax, Math.max(1, options.tills, Math.ceil(options.kiosks / 5)));
  const storeIds: string[] = [];
  const clerks: NetworkSetup['clerks'] = [];
  const pins = random.fork('pins');
  for (let index = 0; index < stores; index += 1) {
    const store = await post(
      fleet,
      opsApiPaths.stores,
      { name: `Chaos Store ${index + 1}`, currency, timeZone: 'UTC' },
      StoreSchema,
      true,
    );
    storeIds.push(store.id);
    const pin = String(pins.int(1000, 9999));
    const clerk = await post(
      fleet,
      opsApiPaths.clerks(store.id),
      { name: `Clerk ${index + 1}`, pin },
      ClerkCreatedSchema,
      true,
    );
    clerks.push({ storeId: store.id, clerkId: clerk.id, pin });
  }
  const codes: Code[] = [];
  for (let index = 0; index < chaosShoppers; index += 1) {
    const signUp = await signUpShopperOverHttp({
      baseUrl: fleetBaseUrl,
      fetch: fleet.fetch,
      signUp: {
        phone: `+1555${String(index + 1).padStart(7, '0')}`,
        name: `Chaos Shopper ${index + 1}`,
        language: 'en',
        currency,
      },
      codeFor: (phone) => codeFromDevInbox(fleetBaseUrl, phone, fleet.fetch),
    });
    codes.push(signUp.depositCode);
  }
  return { storeIds, clerks, codes };
}

async function enrollmentToken(fleet: ServerFleet, storeId: string, name: string): Promise<string> {
  const terminal = await post(fleet, opsApiPaths.terminals, { storeId, name }, EnrollmentTokenSchema, true);
  return terminal.token;
}

/** One till's clerk: a sale every few seconds, each plan drawn with the same draws whatever happens. */
async function sellUntil(
  till: ChaosTill,
  random: SeededRandom,
  codes: readonly Code[],
  clock: FakeClock,
  endAtMs: number,
): Promise<void> {
  while (clock.nowMs() < endAtMs) {
    const gapMs = random.int(2_000, 8_000);
    const shopper = random.int(0, codes.length - 1);
    const amountMinor = random.int(5, 60) * 100;
    const voidAfterCommit = random.chance(0.1);
    await clock.sleep(gapMs);
    if (clock.nowMs() >= endAtMs) break;
    await till.sell({ code: codes[shopper]!, amountMinor, voidAfterCommit });
  }
}

/**
 * Fires the schedule's faults at their times. Faults on one target (a server process, a kiosk, a link) run
 * one after another, so a kill that falls while its target is still down waits for it to come back.
 */
class FaultInjector {
  readonly fired: Record<ChaosFault['kind'], number> = {
    killServer: 0,
    killAgent: 0,
    link: 0,
    unplug: 0,
    powerOff: 0,
  };
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly fleet: ServerFleet,
    private readonly kiosks: readonly ChaosKiosk[],
    private readonly shoppers: readonly KioskShoppers[],
    private readonly tills: readonly ChaosTill[],
    private readonly clock: FakeClock,
    private readonly problems: string[],
  ) {}

  private serial(key: string, work: () => Promise<void>): void {
    const next = (this.chains.get(key) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      this.problems.push(`fault on ${key} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.chains.set(key, next);
  }

  /** Spells (a bad link, a pulled cable) end with the run's deposits at the latest: then the heal begins. */
  private endAtMs = Number.MAX_SAFE_INTEGER;

  private spellMs(forMs: number): number {
    return Math.max(0, Math.min(forMs, this.endAtMs - this.clock.nowMs()));
  }

  async run(schedule: readonly ChaosFault[], startMs: number, endAtMs: number): Promise<void> {
    this.endAtMs = endAtMs;
    for (const fault of schedule) {
      const waitMs = startMs + fault.atMs - this.clock.nowMs();
      if (waitMs > 0) await this.clock.sleep(waitMs);
      this.fired[fault.kind] += 1;
      this.fire(fault);
    }
    await Promise.all([...this.chains.values()]);
  }

  private fire(fault: ChaosFault): void {
    const { clock } = this;
    switch (fault.kind) {
      case 'killServer':
        this.serial(`server-${fault.server}`, async () => {
          // A kill that waited behind slow restarts past the end of the deposits is not done.
          if (this.clock.nowMs() >= this.endAtMs) return;
          await this.fleet.kill(fault.server);
          await clock.sleep(fault.downMs);
          await this.fleet.startProcess(fault.server);
        });
        return;
      case 'killAgent': {
        const kiosk = this.kiosks[fault.kiosk]!;
        this.serial(`kiosk-${fault.kiosk}`, async () => {
          if (this.clock.nowMs() >= this.endAtMs) return;
          await kiosk.crash();
          await clock.sleep(fault.downMs);
          // A technician plugs the cables in before the restart: a device missing at start is left out.
          while (!kiosk.isPlugged('coin') || !kiosk.isPlugged('bill')) await clock.sleep(250);
          await kiosk.restart();
        });
        return;
      }
      case 'link': {
        const client =
          'kiosk' in fault.client ? this.kiosks[fault.client.kiosk]! : this.tills[fault.client.till]!;
        const key =
          'kiosk' in fault.client ? `link-kiosk-${fault.client.kiosk}` : `link-till-${fault.client.till}`;
        this.serial(key, async () => {
          client.link.faults = fault.faults;
          await clock.sleep(this.spellMs(fault.forMs));
          client.link.faults = noFaults;
        });
        return;
      }
      case 'unplug': {
        const kiosk = this.kiosks[fault.kiosk]!;
        this.serial(`cable-${fault.kiosk}-${fault.device}`, async () => {
          kiosk.unplug(fault.device);
          await clock.sleep(this.spellMs(fault.forMs));
          kiosk.plugIn(fault.device);
        });
        return;
      }
      case 'powerOff':
        this.shoppers[fault.kiosk]!.powerOffPending = true;
        return;
    }
  }
}

/**
 * Everything comes back: links clean, cables in, every server process up, every agent running. Then the
 * kiosks are asked to sync until their outboxes are empty, and the tills drive every unanswered sale.
 */
async function heal(
  fleet: ServerFleet,
  kiosks: readonly ChaosKiosk[],
  shoppers: readonly KioskShoppers[],
  tills: readonly ChaosTill[],
  clock: FakeClock,
  problems: string[],
  say: (line: string) => void,
): Promise<void> {
  for (let index = 0; index < fleet.size; index += 1) await fleet.startProcess(index);
  for (const kiosk of [...kiosks, ...tills]) kiosk.link.faults = noFaults;
  for (const kiosk of kiosks) {
    kiosk.plugIn('coin');
    kiosk.plugIn('bill');
    if (kiosk.agent === undefined) await kiosk.restart();
  }
  for (const queue of shoppers) queue.powerOffPending = false;
  const healStartMs = clock.nowMs();
  const depth = () =>
    kiosks.reduce((sum, kiosk) => sum + (kiosk.agent?.journal.outbox.status().depth ?? 0), 0);
  // A deposit still taking or counting money is not in the outbox yet: the books wait for it too.
  const open = () =>
    kiosks.filter((kiosk) => {
      const screen = kiosk.agent?.runner.current().screen;
      return screen === 'insertMoney' || screen === 'finishing';
    }).length;
  while ((depth() > 0 || open() > 0) && clock.nowMs() - healStartMs < healMsMax) {
    for (const queue of shoppers) await queue.readyForShopper(1_000);
    for (const kiosk of kiosks) void kiosk.agent?.sync.syncNow();
    await clock.sleep(healSyncEveryMs);
  }
  if (depth() > 0) problems.push(`${depth()} kiosk deposits still unsynced after ${healMsMax} ms of heal`);
  if (open() > 0) problems.push(`${open()} kiosks still hold an open deposit after ${healMsMax} ms of heal`);
  for (const till of tills) for (const sale of till.pending()) await till.drive(sale, tillStepAttemptsMax);
  say(
    `  healed in sim ${Math.round((clock.nowMs() - healStartMs) / 1000)}s: outboxes ${depth()}, till sales unanswered ${tills.reduce((sum, till) => sum + till.pending().length, 0)}`,
  );
}
