import type { SeededRandom } from '@cashin/shared';
import type { LinkFaults } from '../testing/faulty-fetch.js';
import { noFaults } from '../testing/faulty-fetch.js';

/**
 * The faults of a network chaos run, drawn up front from the seed: when each server process is SIGKILLed
 * and for how long it stays down, when each kiosk agent is killed, when each kiosk's or till's link is cut,
 * slowed, or starts losing answers after commits and sending requests twice, when a device's cable is
 * pulled, and when a coin acceptor loses power in the middle of a deposit. Times are simulated milliseconds
 * from the start of the run. The same seed and shape give the same schedule, whatever the machine does.
 */
export type ChaosFault =
  | { readonly atMs: number; readonly kind: 'killServer'; readonly server: number; readonly downMs: number }
  | { readonly atMs: number; readonly kind: 'killAgent'; readonly kiosk: number; readonly downMs: number }
  | {
      readonly atMs: number;
      readonly kind: 'link';
      readonly client: { readonly kiosk: number } | { readonly till: number };
      readonly faults: LinkFaults;
      readonly forMs: number;
    }
  | {
      readonly atMs: number;
      readonly kind: 'unplug';
      readonly kiosk: number;
      readonly device: 'coin' | 'bill';
      readonly forMs: number;
    }
  | { readonly atMs: number; readonly kind: 'powerOff'; readonly kiosk: number };

export interface ScheduleShape {
  readonly durationMs: number;
  readonly servers: number;
  readonly kiosks: number;
  readonly tills: number;
}

/** How often each fault strikes, as a mean gap between two of them, and how long each lasts. */
export const faultRates = {
  /** Per server process: killed about twice a minute, down 1-8 s (plus its real start-up time). */
  serverKillGapMsMean: 30_000,
  /** Every server process is killed at least once early, so even CI's one-minute run crashes a server. */
  serverFirstKillGapMsMax: 20_000,
  serverDownMs: [1_000, 8_000],
  /** Per kiosk agent: killed about once every two minutes, down 0.5-5 s. */
  agentKillGapMsMean: 120_000,
  agentDownMs: [500, 5_000],
  /** Per kiosk or till link: a bad spell about every 40 s, lasting 5-30 s. */
  linkSpellGapMsMean: 40_000,
  linkSpellMs: [5_000, 30_000],
  /** Per kiosk: a device cable pulled about once every three minutes, for 1-15 s. */
  unplugGapMsMean: 180_000,
  unplugMs: [1_000, 15_000],
  /** Per kiosk: the coin acceptor loses power about once every three minutes. */
  powerOffGapMsMean: 180_000,
  /** No fault starts in the first seconds: the fleet is coming up and the kiosks are enrolling. */
  quietStartMs: 5_000,
} as const;

/** The bad spells a link can have, each a different way of losing or repeating requests. */
const linkSpells: readonly LinkFaults[] = [
  { ...noFaults, down: true },
  { ...noFaults, loseAnswer: 0.5 },
  { ...noFaults, duplicate: 0.5 },
  { ...noFaults, dropRequest: 0.5 },
  { ...noFaults, delayMsMax: 3_000 },
  { ...noFaults, loseAnswer: 0.3, duplicate: 0.3, dropRequest: 0.2, delayMsMax: 800 },
];

/**
 * Faults of one kind at the times of a Poisson-like process with the given mean gap, inside
 * (quietStartMs, durationMs). Each fault's own draws follow its time, from the kind's own stream, so a
 * longer run starts with exactly the faults of a shorter one.
 */
function arrivals(
  random: SeededRandom,
  gapMsMean: number,
  durationMs: number,
  make: (atMs: number, random: SeededRandom) => ChaosFault,
  firstGapMsMax: number = 4 * gapMsMean,
): ChaosFault[] {
  const faults: ChaosFault[] = [];
  let atMs: number = faultRates.quietStartMs;
  for (;;) {
    // An exponential gap, cut at 4x the mean so one unlucky draw cannot empty a short run (and the first
    // one at firstGapMsMax where a kind of fault must come early).
    const gapMsMax = faults.length === 0 ? Math.min(firstGapMsMax, 4 * gapMsMean) : 4 * gapMsMean;
    const gap = Math.min(-Math.log(1 - random.next()) * gapMsMean, gapMsMax);
    atMs += Math.max(1, Math.round(gap));
    if (atMs >= durationMs) return faults;
    faults.push(make(atMs, random));
  }
}

function between(random: SeededRandom, range: readonly [number, number]): number {
  return random.int(range[0], range[1]);
}

export function drawFaultSchedule(random: SeededRandom, shape: ScheduleShape): ChaosFault[] {
  const faults: ChaosFault[] = [];
  const r = faultRates;
  const d = shape.durationMs;
  const linkSpell =
    (client: { kiosk: number } | { till: number }) =>
    (atMs: number, own: SeededRandom): ChaosFault => ({
      atMs,
      kind: 'link',
      client,
      faults: own.pick(linkSpells),
      forMs: between(own, r.linkSpellMs),
    });
  for (let server = 0; server < shape.servers; server += 1) {
    const own = random.fork(`server-${server}`);
    faults.push(
      ...arrivals(
        own,
        r.serverKillGapMsMean,
        d,
        (atMs, draw) => ({ atMs, kind: 'killServer', server, downMs: between(draw, r.serverDownMs) }),
        r.serverFirstKillGapMsMax,
      ),
    );
  }
  for (let kiosk = 0; kiosk < shape.kiosks; kiosk += 1) {
    const own = (what: string) => random.fork(`kiosk-${kiosk}-${what}`);
    faults.push(
      ...arrivals(own('kills'), r.agentKillGapMsMean, d, (atMs, draw) => ({
        atMs,
        kind: 'killAgent',
        kiosk,
        downMs: between(draw, r.agentDownMs),
      })),
      ...arrivals(own('link'), r.linkSpellGapMsMean, d, linkSpell({ kiosk })),
      ...arrivals(own('cables'), r.unplugGapMsMean, d, (atMs, draw) => ({
        atMs,
        kind: 'unplug',
        kiosk,
        device: draw.chance(0.7) ? 'coin' : 'bill',
        forMs: between(draw, r.unplugMs),
      })),
      ...arrivals(own('power'), r.powerOffGapMsMean, d, (atMs) => ({ atMs, kind: 'powerOff', kiosk })),
    );
  }
  for (let till = 0; till < shape.tills; till += 1)
    faults.push(...arrivals(random.fork(`till-${till}-link`), r.linkSpellGapMsMean, d, linkSpell({ till })));
  // Stable: faults at the same millisecond keep the order they were drawn in.
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** How many faults of each kind a schedule holds, for the run's header. */
export function countFaults(faults: readonly ChaosFault[]): Record<ChaosFault['kind'], number> {
  const counts = { killServer: 0, killAgent: 0, link: 0, unplug: 0, powerOff: 0 };
  for (const fault of faults) counts[fault.kind] += 1;
  return counts;
}
