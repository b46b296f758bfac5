// `npm run bench:devices`: how fast the coin path is, next to what a 9600-baud ccTalk line allows.
// Simulated-time runs use the FakeClock (deterministic, seconds of wall time); the idle CPU run uses the
// real clock against the simulator in a child process, so only the driver's work is measured here.
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

/** CPU of this process while the driver polls an idle acceptor served by a simulator child process. */
async function idleCpu(limits: SystemLimits): Promise<number> {
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
    await driver.setAcceptLimit(1_000);
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
  const atNormal = await fastestLossless(
    limits,
    (1000 / limits.ccTalkPollIntervalMs) * limits.ccTalkEventBufferSize * 1.5,
  );
  const fastestPoll = { ...limits, ccTalkPollIntervalMs: 30 };
  const atFastest = await fastestLossless(fastestPoll, line.coinsPerSecondMax);
  const cpuPercent = await idleCpu(limits);

  const rows: Array<[string, string, string]> = [
    ['9600-baud line: bytes per 229 exchange (req + echo + reply)', String(line.exchangeBytes), 'computed'],
    ['9600-baud line: ms per exchange', line.exchangeMs.toFixed(2), 'computed'],
    ['9600-baud line: max polls/s', line.pollsPerSecondMax.toFixed(1), 'computed'],
    ['9600-baud line: max coins/s (5 per poll)', line.coinsPerSecondMax.toFixed(1), 'computed'],
    [
      `coins/s, zero lost, poll every ${limits.ccTalkPollIntervalMs} ms (normal)`,
      String(atNormal.rate),
      `measured: ${atNormal.coins} coins in ${simulatedSeconds} s sim time, ${atNormal.wallMs.toFixed(0)} ms wall`,
    ],
    [
      'coins/s, zero lost, polling back to back (line-bound)',
      String(atFastest.rate),
      `measured: ${atFastest.coins} coins in ${simulatedSeconds} s sim time, ${atFastest.wallMs.toFixed(0)} ms wall`,
    ],
    [
      'driver coins processed per wall second (sim time, line-bound run)',
      atFastest.wallMs > 0 ? ((atFastest.coins / atFastest.wallMs) * 1000).toFixed(0) : '-',
      'measured: both ends in-process',
    ],
    [
      `driver CPU, idle acceptor, ${idleCpuSeconds} s real polling`,
      `${cpuPercent.toFixed(2)} %`,
      `measured (target < 2 % of one core): ${cpuPercent < 2 ? 'PASS' : 'FAIL'}`,
    ],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0), 6));
  const line_ = (r: [string, string, string]) =>
    `| ${r[0].padEnd(widths[0] ?? 0)} | ${r[1].padStart(widths[1] ?? 0)} | ${r[2].padEnd(widths[2] ?? 0)} |`;
  console.log(line_(['metric', 'value', 'how']));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line_(row));
}

await main();
