// `npm run bench:kiosk`: how fast a coin reaches the kiosk screen, and how big the kiosk UI is.
//
// The whole real path runs here: the hardware simulator's coin acceptor at 9600 baud over TCP, the ccTalk
// driver polling at its normal interval, the journal (synchronous=FULL), the deposit runner, the bridge
// and Debian's Chromium. Two latencies are reported per coin: from the coin entering the simulator (this
// includes waiting for the next poll, so the poll interval is the baseline it is compared with) and from the
// agent publishing the new total to the total showing in the page (the software path the UI owns).
import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Simulator } from '@cashin/hardware-sim';
import { defaultLimits, generateCode, realClock } from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import { pino } from 'pino';
import { loadAgentConfig } from '../agent/agent-config.js';
import { startAgent } from '../agent/agent.js';
import { enrollTerminal } from '../agent/enroll.js';
import { writeSimulatedKioskConfig } from '../agent/simulated-kiosk-config.js';
import { loadOrCreateTerminalKey } from '../sync/terminal-key.js';
import { startTerminalServerDouble } from '../testing/terminal-server-double.js';
import { buildKioskUi } from '../ui-tests/build-ui.js';

const coins = Number(process.argv[2] ?? 150);
const jsTargetBytes = 150 * 1024;
const latencyTargetMs = 100;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const uiDir = await buildKioskUi();
const jsFiles = readdirSync(path.join(uiDir, 'assets')).filter((file) => file.endsWith('.js'));
const jsGzipBytes = jsFiles.reduce(
  (sum, file) => sum + gzipSync(readFileSync(path.join(uiDir, 'assets', file))).length,
  0,
);

const clock = realClock();
const sim = await Simulator.start({ currency: 'USD', clock, devices: { coin: { kind: 'tcp', port: 0 } } });
// The server's terminal channel stands in as its test double: no coin latency crosses the network.
const server = await startTerminalServerDouble('bench', null, 'bench-enrollment-token-0123');
const code = generateCode('deposit');
server.shoppers.set(code, { maskedName: 'Bench S.', remainingMinor: 10_000_000, balanceMinor: 0 });
const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-bench-'));
const configFile = path.join(dir, 'kiosk.json');
writeSimulatedKioskConfig(configFile, {
  serverUrl: server.baseUrl,
  deviceUrls: { coin: sim.urls.coin },
  uiDir,
  terminalName: 'bench',
  languages: ['en'],
});
const config = loadAgentConfig(configFile);
const { key } = loadOrCreateTerminalKey(config.dataDir);
await enrollTerminal({
  serverUrl: server.baseUrl,
  token: 'bench-enrollment-token-0123',
  key,
  softwareVersion: 'bench',
  dataDir: config.dataDir,
  clock,
  requestTimeoutMs: 5_000,
});
const token = 'kiosk-bench-bridge-token-0123456';
const agent = await startAgent({ config, bridgeToken: token, clock, logger: pino({ level: 'silent' }) });

const published = new Map<number, number>();
agent.runner.subscribe((snapshot) => {
  if (snapshot.screen === 'insertMoney' && !published.has(snapshot.totalMinor))
    published.set(snapshot.totalMinor, Date.now());
});

const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
await page.goto(`${agent.bridge.url}/#token=${token}`);
await page.getByRole('button', { name: 'Touch to start' }).click();
await page.locator('#code').fill(code);
await page.getByRole('button', { name: 'Continue' }).click();
await page.getByRole('button', { name: 'Yes, continue' }).click();
await page.getByTestId('total').waitFor();
// Runs in the page: records when the total's text changes. Typed loosely because this file is Node code.
await page.evaluate(() => {
  const page = globalThis as unknown as {
    marks: Array<[string, number]>;
    document: { querySelector(selector: string): { textContent: string | null } | null };
    MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  };
  page.marks = [];
  const total = page.document.querySelector('[data-testid="total"]')!;
  new page.MutationObserver(() => page.marks.push([total.textContent ?? '', Date.now()])).observe(total, {
    childList: true,
    characterData: true,
    subtree: true,
  });
});

const fromCoin: number[] = [];
const fromAgent: number[] = [];
for (let index = 1; index <= coins; index += 1) {
  const insertedAt = Date.now();
  sim.coin!.insert(25);
  const totalText = `$${((index * 25) / 100).toFixed(2)}`;
  await page.waitForFunction(
    (text) =>
      (globalThis as unknown as { marks: Array<[string, number]> }).marks.some(([shown]) => shown === text),
    totalText,
  );
  const shownAt = await page.evaluate(
    (text) =>
      (globalThis as unknown as { marks: Array<[string, number]> }).marks.find(
        ([shown]) => shown === text,
      )![1],
    totalText,
  );
  fromCoin.push(shownAt - insertedAt);
  fromAgent.push(shownAt - (published.get(index * 25) ?? shownAt));
  // Coins arrive at a shopper's pace, not all in one poll, so each is measured on its own.
  await new Promise((resolve) => setTimeout(resolve, 50 + (index % 7) * 37));
}

await browser.close();
await agent.stop();
await sim.close();
await server.close();

const pollMs = defaultLimits.system.ccTalkPollIntervalMs;
const rows: Array<[string, string, string, string]> = [
  [
    'baseline: ccTalk poll interval (mean wait = half)',
    `${pollMs} ms`,
    `${pollMs / 2} ms mean`,
    'set by the protocol (100-900 ms)',
  ],
  [
    'coin in simulator -> total on screen, p50',
    `${percentile(fromCoin, 50)} ms`,
    '',
    'includes the wait for the next poll',
  ],
  ['coin in simulator -> total on screen, p99', `${percentile(fromCoin, 99)} ms`, '', ''],
  ['agent publishes total -> total on screen, p50', `${percentile(fromAgent, 50)} ms`, '', ''],
  [
    'agent publishes total -> total on screen, p99',
    `${percentile(fromAgent, 99)} ms`,
    `< ${latencyTargetMs} ms`,
    percentile(fromAgent, 99) < latencyTargetMs ? 'PASS' : 'MISS',
  ],
  [
    'kiosk UI JavaScript, gzipped',
    `${(jsGzipBytes / 1024).toFixed(1)} kB`,
    `< ${jsTargetBytes / 1024} kB`,
    jsGzipBytes < jsTargetBytes ? 'PASS' : 'MISS',
  ],
];
console.log(`\nbench:kiosk  (${coins} coins, ${new Date().toISOString()})\n`);
console.log('| metric | value | target | note |\n|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
