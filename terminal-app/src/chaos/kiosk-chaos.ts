import type { Code, KioskSnapshot, SeededRandom } from '@cashin/shared';
import { FakeClock, defaultLimits, generateCode, seededRandom } from '@cashin/shared';
import type { LinkFaults } from '@cashin/scripts/testing/faulty-fetch';
import { noFaults } from '@cashin/scripts/testing/faulty-fetch';
import type { ChaosBackend } from './chaos-backend.js';
import { ChaosKiosk, settle } from './chaos-rig.js';

/**
 * A seeded whole-kiosk chaos run: thousands of deposits through the real agent and drivers, with the agent
 * killed and restarted at random points, and the network to the server cut, slowed, duplicated and robbed
 * of answers after commits. At the end the network heals, the outbox drains, and the books must agree:
 * every coin the simulated devices kept is in a committed deposit or journaled as a stray, every committed
 * deposit is credited exactly once with exactly its total, and nothing is credited that the kiosk did not
 * commit. The same seed makes the same run.
 */
export interface ChaosRunOptions {
  seed: number;
  deposits: number;
  /** Opens the server side on the run's clock; the run closes it. */
  openBackend: (clock: FakeClock) => Promise<ChaosBackend>;
  dataDir: string;
  /** Probability of a crash before each step of a deposit. */
  crashRate?: number;
  /** Probability that a deposit runs over a faulty link. */
  faultRate?: number;
  progress?: (done: number, total: number) => void;
}

export interface ChaosReport {
  seed: number;
  depositsAttempted: number;
  depositsCommitted: number;
  /** Deposits a restart committed for a shopper who never saw them finish. */
  depositsRecovered: number;
  /** Deposits flagged because a device reported more events than it buffers. */
  depositsWithLostEvents: number;
  restarts: number;
  simAcceptedMinor: number;
  committedMinor: number;
  strayMinor: number;
  strayEvents: number;
  creditedMinor: number;
  creditedDeposits: number;
  link: { sent: number; dropped: number; answersLost: number; duplicated: number; refusedWhileDown: number };
  problems: string[];
}

const stepMs = 25;
/** A kiosk away from the attract screen after this many deposits in a row is stuck: a problem. */
const stuckDepositsMax = 20;
const coinValues = [5, 10, 25, 100] as const;
const bills = ['US0001A', 'US0005A'] as const;

export async function runKioskChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12));
  const backend = await options.openBackend(clock);
  try {
    return await runOn(backend, clock, options);
  } finally {
    await backend.close();
  }
}

async function runOn(
  backend: ChaosBackend,
  clock: FakeClock,
  options: ChaosRunOptions,
): Promise<ChaosReport> {
  const random = seededRandom(options.seed);
  const kiosk = await ChaosKiosk.create({ clock, random, backend, dataDir: options.dataDir });
  const crashRate = options.crashRate ?? 0.03;
  const faultRate = options.faultRate ?? 0.3;
  const codes: Code[] = [];
  for (let index = 0; index < 5; index += 1) codes.push(await backend.newShopperCode());

  const agent = () => {
    if (!kiosk.agent) throw new Error('the chaos kiosk is not running');
    return kiosk.agent;
  };
  const snapshot = (): KioskSnapshot => agent().runner.current();
  const advance = async (ms: number): Promise<void> => {
    for (let passed = 0; passed < ms; passed += stepMs) {
      await clock.advanceAsync(stepMs);
      await settle();
    }
  };
  const until = async (done: () => boolean, budgetMs: number): Promise<boolean> => {
    for (let passed = 0; passed <= budgetMs; passed += stepMs) {
      if (done()) return true;
      await clock.advanceAsync(stepMs);
      await settle();
    }
    return done();
  };
  /** Before each step of a deposit, the process may die. Returns true when it did. */
  const maybeCrash = async (): Promise<boolean> => {
    if (!random.chance(crashRate)) return false;
    await kiosk.crash();
    await kiosk.restart();
    return true;
  };

  const pickFaults = (r: SeededRandom): LinkFaults => {
    if (!r.chance(faultRate)) return noFaults;
    return r.pick<LinkFaults>([
      { ...noFaults, down: true },
      { ...noFaults, loseAnswer: 0.5 },
      { ...noFaults, duplicate: 0.5 },
      { ...noFaults, dropRequest: 0.5 },
      { ...noFaults, delayMsMax: 2_000 },
      { ...noFaults, loseAnswer: 0.3, duplicate: 0.3, dropRequest: 0.2, delayMsMax: 500 },
    ]);
  };

  const readyForShopper = async (): Promise<void> => {
    if (snapshot().screen === 'done') agent().runner.intent({ type: 'dismiss' });
    if (snapshot().screen === 'outOfService') {
      // The technician's visit: clear the jams and empty a full cash box.
      kiosk.coin.clearJam();
      kiosk.bill.clearJam();
      if (snapshot().outOfService?.fault === 'stackerFull') kiosk.bill.emptyStacker();
    }
    if (snapshot().screen === 'offlineCapped') {
      kiosk.link.faults = noFaults;
      // Never await the sync itself: a request may be waiting on the fake clock (a delayed link).
      void agent().sync.syncNow();
    }
    await until(() => snapshot().screen === 'attract', 30_000);
  };

  /** Deposits that got past the attract screen. */
  let served = 0;
  /** One shopper's deposit, from the attract screen to done; a crash or a stuck screen ends it early. */
  const oneDeposit = async (): Promise<void> => {
    kiosk.link.faults = pickFaults(random);
    await readyForShopper();
    if (snapshot().screen !== 'attract') return;
    if (await maybeCrash()) return;
    agent().runner.intent({ type: 'start' });
    if (!(await until(() => snapshot().screen === 'identify', 2_000))) return;
    served += 1;

    const who = random.next();
    if (who < 0.7) agent().runner.intent({ type: 'keyedCode', text: random.pick(codes) });
    else if (who < 0.8)
      agent().runner.intent({ type: 'keyedCode', text: generateCode('deposit', random.bytes) });
    else agent().runner.intent({ type: 'noAccount' });
    await until(
      () => snapshot().screen !== 'identify' && snapshot().screen !== 'lookingUp',
      defaultLimits.system.depositLookupTimeoutMs + 2_000,
    );
    if (snapshot().screen === 'identify') agent().runner.intent({ type: 'noAccount' });
    if (!(await until(() => snapshot().screen === 'confirm', 5_000))) return;
    if (await maybeCrash()) return;
    agent().runner.intent({ type: 'confirm' });
    if (!(await until(() => snapshot().screen === 'insertMoney', 2_000))) return;
    await until(() => false, 400); // the acceptors open on the next poll

    const pieces = random.int(1, 12);
    for (let piece = 0; piece < pieces; piece += 1) {
      // A crash here may fall between a coin and its poll (the next step can be under a poll interval).
      if (await maybeCrash()) return;
      if (random.chance(0.1)) kiosk.bill.insert(random.pick(bills));
      else kiosk.coin.insert(random.pick(coinValues));
      await advance(random.int(0, 600));
    }
    if (random.chance(0.85)) agent().runner.intent({ type: 'finish' });
    else await advance(defaultLimits.system.depositIdleTimeoutMs);
    // And while the deposit drains, commits, syncs and prints.
    await advance(random.int(0, 1_500));
    if (await maybeCrash()) return;
    await until(() => snapshot().screen === 'done' || snapshot().screen === 'attract', 20_000);
  };

  let attempted = 0;
  const stuck: string[] = [];
  let unavailableInARow = 0;
  for (let deposit = 0; deposit < options.deposits; deposit += 1) {
    attempted += 1;
    const servedBefore = served;
    await oneDeposit();
    // A kiosk that never comes back to the attract screen would pass the audit by taking no money.
    unavailableInARow = served > servedBefore ? 0 : unavailableInARow + 1;
    if (unavailableInARow === stuckDepositsMax)
      stuck.push(
        `the kiosk stayed on ${snapshot().screen} for ${stuckDepositsMax} deposits from #${deposit}`,
      );
    options.progress?.(deposit + 1, options.deposits);
  }

  // Heal the network, let the kiosk drain its outbox, and close the books.
  kiosk.link.faults = noFaults;
  await readyForShopper();
  void agent().sync.syncNow();
  await until(
    () => agent().journal.outbox.status().depth === 0,
    defaultLimits.system.syncRetryBackoffMsMax * 3,
  );
  const report = await audit(kiosk, backend, options, attempted);
  report.problems.push(...stuck);
  await kiosk.close();
  return report;
}

async function audit(
  kiosk: ChaosKiosk,
  backend: ChaosBackend,
  options: ChaosRunOptions,
  attempted: number,
): Promise<ChaosReport> {
  const problems: string[] = [];
  const running = kiosk.agent!;
  const journal = running.journal;
  const committed = journal.committedAfter(0, Number.MAX_SAFE_INTEGER);
  const strays = journal.strayCredits();
  const outbox = journal.outbox.status();
  const credited = await backend.creditedByDeposit(running.identity.terminalId);
  const bagDebitedMinor = await backend.bagDebitedMinor(running.identity.terminalId);
  const simAcceptedMinor = kiosk.coin.totals.valueMinor + kiosk.bill.totals.valueMinor;
  const committedMinor = committed.reduce((sum, deposit) => sum + deposit.totalMinor, 0);
  let creditedMinor = 0;
  for (const amount of credited.values()) creditedMinor += amount;

  const ids = new Set<string>();
  for (const deposit of committed) {
    if (ids.has(deposit.depositId)) problems.push(`deposit ${deposit.depositId} was queued twice`);
    ids.add(deposit.depositId);
  }
  committed.forEach((deposit, index) => {
    if (deposit.sequence !== index + 1)
      problems.push(`sequence gap: expected ${index + 1}, found ${deposit.sequence}`);
    const items = deposit.items.reduce((sum, item) => sum + item.valueMinor * item.count, 0);
    if (items !== deposit.totalMinor)
      problems.push(`deposit ${deposit.depositId}: items ${items} != total ${deposit.totalMinor}`);
    const amount = credited.get(deposit.depositId);
    if (amount === undefined)
      problems.push(`deposit ${deposit.depositId} (${deposit.totalMinor}) was never credited`);
    else if (amount !== deposit.totalMinor)
      problems.push(`deposit ${deposit.depositId}: credited ${amount}, committed ${deposit.totalMinor}`);
  });
  const known = new Set<string>(committed.map((deposit) => deposit.depositId));
  for (const id of credited.keys())
    if (!known.has(id)) problems.push(`server credited ${id}, which the kiosk never committed`);
  if (simAcceptedMinor !== committedMinor + strays.totalMinor) {
    problems.push(
      `the devices kept ${simAcceptedMinor} but the journal holds ${committedMinor} committed + ${strays.totalMinor} stray`,
    );
  }
  if (bagDebitedMinor !== committedMinor)
    problems.push(
      `the ledger moved ${bagDebitedMinor} out of the kiosk's bag for ${committedMinor} committed`,
    );
  if (outbox.depth !== 0) problems.push(`${outbox.depth} deposits still unsynced after the network healed`);
  if (outbox.quarantined !== 0) problems.push(`${outbox.quarantined} deposits quarantined`);
  return {
    seed: options.seed,
    depositsAttempted: attempted,
    depositsCommitted: committed.length,
    depositsRecovered: committed.filter((deposit) => deposit.flags.recovered).length,
    depositsWithLostEvents: committed.filter((deposit) => deposit.flags.lostEvents).length,
    restarts: kiosk.restarts,
    simAcceptedMinor,
    committedMinor,
    strayMinor: strays.totalMinor,
    strayEvents: strays.events,
    creditedMinor,
    creditedDeposits: credited.size,
    link: { ...kiosk.link.stats },
    problems,
  };
}
