// `npm run bench:devices`: how fast the coin path is, next to what a 9600-baud ccTalk line allows.
// Simulated-time runs use the FakeClock (deterministic, seconds of wall time); the idle CPU run uses the
// real clock against the simulator in a child process, so only the driver's work is measured here.
// `BENCH_JSON=<file>` also writes the rows as JSON.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setImmediate as nextIoTurn } from 'node:timers/promises';
import type { DeviceEvent, SystemLimits } from '@cashin/shared';
import { FakeClock, defaultLimits, realClock } from '@cashin/shared';
import { CoinAcceptorSim } from '@cashin/hardware-sim';
import { parseDeviceUrl } from '../../ports/device-url.js';
import { openStream } from '../../ports/open-stream.js';
import { CoinAcceptor } from '../coin/coin-acceptor.js';
import { duplexPair } from '../common/duplex-pair.js';
import { ccTalkLineRate } from './line-rate.js';
import type { BenchRow } from '../../bench/bench-report.js';
import { reportBench } from '../../bench/bench-report.js';

const baud = 9600;
const simulatedSeconds = 20;
const idleCpuSeconds = 5;

async function step(clock: FakeClock, ms: number): Promise<void> {
  await nextIoTurn();
  await clock.advanceAsync(ms);
  await nextIoTurn();
}

async function settle<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => (done = true));
  while (!done) await step(clock, 1);
  return promise;
}

interface RunResult {
  coins: number;
  credited: number;
  lost: number;
  wallMs: number;
}

/** Inserts coins at `coinsPerSecond` for `simulatedSeconds` of fake time against a 9600-baud-paced sim. */
async function run(limits: SystemLimits, coinsPerSecond: number): Promise<RunResult> {
  const clock = new FakeClock();
  const [kioskEnd, deviceEnd] = duplexPair();
  const sim = new CoinAcceptorSim({ currency: 'USD', clock, limits, echo: true, baud, replyLatencyMs: 2 });
  sim.attach(deviceEnd);
  const driver = new CoinAcceptor({ name: 'coin', currency: 'USD', stream: kioskEnd, clock, limits });
  let credited = 0;
  let lost = 0;
  driver.subscribe((e: DeviceEvent) => {
    if (e.type === 'credit') credited += 1;
    if (e.type === 'lostEvents') lost += e.count;
  });
  await settle(clock, driver.start());
  await settle(clock, driver.setAcceptLimit(1_000_000));
  const started = performance.now();
  const coinEveryMs = 1000 / coinsPerSecond;
  const tickMs = 1;
  let nextCoinMs = 0;
  let coins = 0;
  for (let t = 0; t < simulatedSeconds * 1000; t += tickMs) {
    while (nextCoinMs <= t) {
      if (sim.insert('US025A') === 'accepted') coins += 1;
      nextCoinMs += coinEveryMs;
    }
    await step(clock, tickMs);
  }
  for (let t = 0; t < 1000; t += tickMs) await step(clock, tickMs);
  const wallMs = performance.now() - started;
  await settle(clock, driver.close());
  return { coins, credited, lost, wallMs };
}

/** The highest whole coins/s with every coin credited once and nothing lost, by bisection. */
async function fastestLossless(
  limits: SystemLimits,
  ceiling: number,
): Promise<{ rate: number; wallMs: number; coins: number }> {
  let low = 1;
  let high = Math.ceil(ceiling) + 1;
  let best = { rate: 0, wallMs: 0, coins: 0 };
  while (low <= high) {
    const rate = Math.floor((low + high) / 2);
    const result = await run(limits, rate);
    if (result.lost === 0 && result.credited === result.coins) {
      best = { rate, wallMs: result.wallMs, coins: result.coins };
      low = rate + 1;
    } else high = rate - 1;
  }
  return best;
}

/**
 * CPU of this process while the driver polls an acceptor served by a simulator child process, with every
 * coin inhibited (a kiosk waiting for a shopper) or enabled (a deposit open, no coin coming), so only the
 * driver's work is measured here.
 */
async function pollingCpu(limits: SystemLimits, enabled: boolean): Promise<number> {
  const cli = fileURLToPath(new URL('../../../../hardware-sim/src/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--coin', 'tcp:0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /coin\s+(tcp:\/\/\S+)/.exec(out);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`simulator exited (${code})`)));
    });
    const parsed = parseDeviceUrl(url);
    if (!parsed.ok) throw new Error(parsed.problem);
    const stream = await openStream(parsed.url);
    const clock = realClock();
    const driver = new CoinAcceptor({ name: 'coin', currency: 'USD', stream, clock, limits });
    await driver.start();
    await driver.setAcceptLimit(enabled ? 1_000 : 0);
    const before = process.cpuUsage();
    const wallStart = performance.now();
    await clock.sleep(idleCpuSeconds * 1000);
    const used = process.cpuUsage(before);
    const wallMs = performance.now() - wallStart;
    await driver.close();
    stream.destroy();
    return ((used.user + used.system) / 1000 / wallMs) * 100;
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const limits = defaultLimits.system;
  const line = ccTalkLineRate(baud, true, limits.ccTalkEventBufferSize);
  // The baseline: an enabled acceptor polled at the normal interval, as before issue 7.
  const normalPoll = { ...limits, ccTalkPollIntervalAcceptingMs: limits.ccTalkPollIntervalMs };
  const atNormal = await fastestLossless(
    normalPoll,
    (1000 / limits.ccTalkPollIntervalMs) * limits.ccTalkEventBufferSize * 1.5,
  );
  const atAccepting = await fastestLossless(
    limits,
    Math.min(
      line.coinsPerSecondMax,
      (1000 / limits.ccTalkPollIntervalAcceptingMs) * limits.ccTalkEventBufferSize * 1.5,
    ),
  );
  const backToBackMs = 30;
  const fastestPoll = {
    ...limits,
    ccTalkPollIntervalMs: backToBackMs,
    ccTalkPollIntervalAcceptingMs: backToBackMs,
  };
  const atFastest = await fastestLossless(fastestPoll, line.coinsPerSecondMax);
  const cpuInhibited = await pollingCpu(limits, false);
  const cpuEnabled = await pollingCpu(limits, true);

  const simulated = (result: { coins: number; wallMs: number }) =>
    `${result.coins} coins in ${simulatedSeconds} s sim time, ${result.wallMs.toFixed(0)} ms wall`;
  const cpuTargetPercent = 2;
  const rows: BenchRow[] = [
    {
      scenario: '9600-baud line: bytes per 229 exchange (req + echo + reply)',
      value: line.exchangeBytes,
      unit: 'B',
      note: 'computed',
    },
    { scenario: '9600-baud line: ms per exchange', value: line.exchangeMs, unit: 'ms', note: 'computed' },
    { scenario: '9600-baud line: max polls/s', value: line.pollsPerSecondMax, unit: '/s', note: 'computed' },
    {
      scenario: '9600-baud line: max coins/s (5 per poll)',
      value: line.coinsPerSecondMax,
      unit: '/s',
      note: 'computed',
    },
    {
      scenario: `coins/s, zero lost, enabled acceptor polled every ${limits.ccTalkPollIntervalAcceptingMs} ms`,
      value: atAccepting.rate,
      unit: '/s',
      baseline: {
        value: atNormal.rate,
        unit: '/s',
        what: `polled every ${limits.ccTalkPollIntervalMs} ms while enabled, as before`,
      },
      note: `measured: ${simulated(atAccepting)}`,
    },
    {
      scenario: `coins/s, zero lost, polling back to back (${backToBackMs} ms, line-bound)`,
      value: atFastest.rate,
      unit: '/s',
      baseline: { value: line.coinsPerSecondMax, unit: '/s', what: 'line maximum, computed' },
      note: `measured: ${simulated(atFastest)}`,
    },
    {
      scenario: 'driver coins processed per wall second (sim time, line-bound run)',
      value: atFastest.wallMs > 0 ? (atFastest.coins / atFastest.wallMs) * 1000 : Number.NaN,
      unit: '/s',
      note: 'measured: both ends in-process',
    },
    {
      scenario: `driver CPU, idle acceptor (all inhibited, polled every ${limits.ccTalkPollIntervalMs} ms), ${idleCpuSeconds} s`,
      value: cpuInhibited,
      unit: '%',
      target: cpuTargetPercent,
      note: 'of one core, real clock, simulator in a child process',
    },
    {
      scenario: `driver CPU, enabled acceptor without coins (polled every ${limits.ccTalkPollIntervalAcceptingMs} ms), ${idleCpuSeconds} s`,
      value: cpuEnabled,
      unit: '%',
      baseline: { value: cpuInhibited, unit: '%', what: 'inhibited, normal poll' },
      note: 'only while a deposit is open; the idle target is for the row above',
    },
  ];
  reportBench({
    bench: 'devices',
    heading: `bench:devices  (${new Date().toISOString()})`,
    rows,
    jsonFile: process.env.BENCH_JSON,
  });
}

await main();
