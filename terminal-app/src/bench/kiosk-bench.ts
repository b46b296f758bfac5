// `npm run bench:kiosk [-- coins]`: how fast money reaches the kiosk screen, stage by stage, and how big the
// kiosk UI is. `BENCH_JSON=<file>` also writes the rows as JSON.
//
// The whole real path runs here: the hardware simulator's coin acceptor and bill validator at 9600 baud
// with echo over TCP, the ccTalk drivers, the deposit runner and its SQLite journal (synchronous=FULL), the
// bridge and Debian's Chromium, with the agent enrolled at the real server (in process, on loopback). Each
// coin is timed at every hand-over: into the simulator, its 229 reply in at the agent, journaled,
// published by the runner, the snapshot in the page, the total in the DOM. The same is run twice, each on
// a fresh kiosk: once polling an enabled acceptor at the normal interval (the baseline, as before issue 7)
// and once at `ccTalkPollIntervalAcceptingMs`; bills go through escrow in both, to show their path is
// unchanged.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defaultLimits, formatMoney, realClock } from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser } from 'playwright-core';
import { serverBackend } from '../chaos/server-backend.js';
import type { ServerChaosBackend } from '../chaos/server-backend.js';
import { ccTalkLineRate } from '../devices/bench/line-rate.js';
import { buildKioskUi } from '../ui-tests/build-ui.js';
import { observeCalls, startBenchKiosk } from './bench-kiosk.js';
import type { BenchRow } from './bench-report.js';
import { epochMs, percentile, reportBench } from './bench-report.js';

const coins = Number(process.argv[2] ?? 150);
const bills = 20;
const jsTargetBytes = 150 * 1024;
const screenTargetMs = 100;
const limits = defaultLimits.system;

/** Where the time of one piece of money went, in ms, hand-over to hand-over. */
interface Stages {
  /** Into the simulator -> its poll reply fully in at the agent: the wait for a poll and line time. */
  toReply: number;
  /** Reply in -> journaled: the driver, the runner and one SQLite FULL transaction. */
  toJournal: number;
  /** Journaled -> snapshot published by the runner. */
  toPublish: number;
  /** Published -> the snapshot message in the page: the bridge and the WebSocket. */
  toPage: number;
  /** Message in the page -> the new total in the DOM: the UI's render. */
  toDom: number;
  /** Into the simulator -> total in the DOM. */
  total: number;
}

interface PassResult {
  coins: Stages[];
  /** Bill into the validator -> total in the DOM (escrow, route, stack, credit). */
  billsMs: number[];
}

/** Runs in the page before the UI: notes when each bridge message arrives, ahead of the UI's handler. */
function hookBridgeMessages(): void {
  const page = globalThis as unknown as {
    benchMessages: Array<[number, string]>;
    WebSocket: new (...args: unknown[]) => {
      addEventListener(type: string, listener: (event: { data: unknown }) => void): void;
    };
    performance: { timeOrigin: number; now(): number };
  };
  page.benchMessages = [];
  const Native = page.WebSocket;
  page.WebSocket = class extends Native {
    constructor(...args: unknown[]) {
      super(...args);
      this.addEventListener('message', (event) => {
        page.benchMessages.push([page.performance.timeOrigin + page.performance.now(), String(event.data)]);
      });
    }
  };
}

/** Runs in the page: notes when the total's text changes. */
function watchTotal(): void {
  const page = globalThis as unknown as {
    marks: Array<[string, number]>;
    document: { querySelector(selector: string): { textContent: string | null } | null };
    MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
    performance: { timeOrigin: number; now(): number };
  };
  page.marks = [];
  const total = page.document.querySelector('[data-testid="total"]')!;
  new page.MutationObserver(() =>
    page.marks.push([total.textContent ?? '', page.performance.timeOrigin + page.performance.now()]),
  ).observe(total, { childList: true, characterData: true, subtree: true });
}

async function measurePass(
  browser: Browser,
  server: ServerChaosBackend,
  uiDir: string,
  passLimits: unknown,
): Promise<PassResult> {
  const token = 'kiosk-bench-bridge-token-0123456';
  const kiosk = await startBenchKiosk({
    server,
    devices: ['coin', 'bill'],
    uiDir,
    bridgeToken: token,
    limits: passLimits,
  });
  const { agent, sim } = kiosk;
  const journaled: Array<{ device: string; replyAtMs: number; returnedAtMs: number }> = [];
  observeCalls(agent.journal, 'append', ([, entry], _id, enteredAtMs, returnedAtMs) => {
    if (entry.type !== 'credit') return;
    journaled.push({
      device: entry.device,
      replyAtMs: kiosk.lastBytesAtMs.get(entry.device) ?? enteredAtMs,
      returnedAtMs,
    });
  });
  const published = new Map<number, { atMs: number; version: number }>();
  agent.runner.subscribe((snapshot) => {
    if (snapshot.screen === 'insertMoney' && !published.has(snapshot.totalMinor))
      published.set(snapshot.totalMinor, { atMs: epochMs(), version: snapshot.version });
  });

  const page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  try {
    await page.addInitScript(hookBridgeMessages);
    await page.goto(`${agent.bridge.url}/#token=${token}`);
    await page.getByRole('button', { name: 'Touch to start' }).click();
    await page.locator('#code').fill(kiosk.shopperCode);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Yes, continue' }).click();
    await page.getByTestId('total').waitFor();
    await page.evaluate(watchTotal);
    await sim.coin!.whenAccepting();

    const shownAt = async (totalMinor: number): Promise<number> => {
      const text = formatMoney(totalMinor, 'USD', 'en-US');
      await page.waitForFunction(
        (shown) =>
          (globalThis as unknown as { marks: Array<[string, number]> }).marks.some(([t]) => t === shown),
        text,
      );
      return page.evaluate(
        (shown) =>
          (globalThis as unknown as { marks: Array<[string, number]> }).marks.find(([t]) => t === shown)![1],
        text,
      );
    };

    let totalMinor = 0;
    const coinsInserted: Array<{ insertedAtMs: number; totalMinor: number; shownAtMs: number }> = [];
    for (let index = 1; index <= coins; index += 1) {
      const insertedAtMs = epochMs();
      sim.coin!.insert(25);
      totalMinor += 25;
      coinsInserted.push({ insertedAtMs, totalMinor, shownAtMs: await shownAt(totalMinor) });
      // Coins arrive at a shopper's pace, not all in one poll, and at every phase of the poll.
      await new Promise((resolve) => setTimeout(resolve, 50 + (index % 7) * 37));
    }
    const billsMs: number[] = [];
    for (let index = 0; index < bills; index += 1) {
      const insertedAtMs = epochMs();
      if (sim.bill!.insert(500) !== 'escrowed') throw new Error('the bench bill was not taken into escrow');
      totalMinor += 500;
      billsMs.push((await shownAt(totalMinor)) - insertedAtMs);
      await new Promise((resolve) => setTimeout(resolve, 50 + (index % 5) * 61));
    }

    const messages = await page.evaluate(
      () => (globalThis as unknown as { benchMessages: Array<[number, string]> }).benchMessages,
    );
    const arrivedAt = new Map<number, number>();
    for (const [atMs, data] of messages) {
      const message = JSON.parse(data) as { type: string; snapshot?: { version: number } };
      if (message.type === 'snapshot' && message.snapshot && !arrivedAt.has(message.snapshot.version))
        arrivedAt.set(message.snapshot.version, atMs);
    }
    const coinJournal = journaled.filter((entry) => entry.device === 'coin');
    const stages = coinsInserted.map((coin, index): Stages => {
      const journal = coinJournal[index]!;
      const publish = published.get(coin.totalMinor)!;
      const pageAtMs = arrivedAt.get(publish.version) ?? Number.NaN;
      return {
        toReply: journal.replyAtMs - coin.insertedAtMs,
        toJournal: journal.returnedAtMs - journal.replyAtMs,
        toPublish: publish.atMs - journal.returnedAtMs,
        toPage: pageAtMs - publish.atMs,
        toDom: coin.shownAtMs - pageAtMs,
        total: coin.shownAtMs - coin.insertedAtMs,
      };
    });
    return { coins: stages, billsMs };
  } finally {
    await page.close();
    await kiosk.close();
  }
}

const uiDir = await buildKioskUi();
const jsFiles = readdirSync(path.join(uiDir, 'assets')).filter((file) => file.endsWith('.js'));
const jsGzipBytes = jsFiles.reduce(
  (sum, file) => sum + gzipSync(readFileSync(path.join(uiDir, 'assets', file))).length,
  0,
);
const server = await serverBackend(realClock(), { listen: true });
const browser = await launchChromium();
let baseline: PassResult;
let current: PassResult;
try {
  process.stderr.write(`baseline pass: enabled acceptor polled every ${limits.ccTalkPollIntervalMs} ms\n`);
  baseline = await measurePass(browser, server, uiDir, {
    system: { ccTalkPollIntervalAcceptingMs: limits.ccTalkPollIntervalMs },
  });
  process.stderr.write(
    `current pass: enabled acceptor polled every ${limits.ccTalkPollIntervalAcceptingMs} ms\n`,
  );
  current = await measurePass(browser, server, uiDir, undefined);
} finally {
  await browser.close();
  await server.close();
}

const line = ccTalkLineRate(9600, true, limits.ccTalkEventBufferSize);
const stage = (pass: PassResult, key: keyof Stages, p: number): number =>
  percentile(
    pass.coins.map((coin) => coin[key]).filter((ms) => !Number.isNaN(ms)),
    p,
  );
const stageNames: Array<[keyof Stages, string]> = [
  ['toReply', 'coin into simulator -> 229 reply in at the agent (poll wait + line)'],
  ['toJournal', 'reply in -> coin journaled (driver, runner, SQLite FULL)'],
  ['toPublish', 'journaled -> snapshot published (runner)'],
  ['toPage', 'published -> message in the page (bridge, WebSocket)'],
  ['toDom', 'message in the page -> total in the DOM (render)'],
];
const oldPoll = `old: polled every ${limits.ccTalkPollIntervalMs} ms`;
const rows: BenchRow[] = [
  {
    scenario: `ccTalk 229 exchange at 9600 baud with echo (computed)`,
    value: line.exchangeMs,
    unit: 'ms',
    note: `the floor under ccTalkPollIntervalAcceptingMs (${limits.ccTalkPollIntervalAcceptingMs} ms)`,
  },
  ...[50, 99].map((p): BenchRow => ({
    scenario: `coin into simulator -> total on screen, p${p}`,
    value: stage(current, 'total', p),
    unit: 'ms',
    baseline: { value: stage(baseline, 'total', p), unit: 'ms', what: oldPoll },
    ...(p === 99 ? { target: screenTargetMs } : {}),
  })),
  ...stageNames.flatMap(([key, name]) =>
    [50, 99].map((p): BenchRow => ({
      scenario: `  ${name}, p${p}`,
      value: stage(current, key, p),
      unit: 'ms',
      baseline: { value: stage(baseline, key, p), unit: 'ms', what: 'old poll' },
    })),
  ),
  ...[50, 99].map((p): BenchRow => ({
    scenario: `bill into validator -> total on screen (escrow, stack), p${p}`,
    value: percentile(current.billsMs, p),
    unit: 'ms',
    baseline: { value: percentile(baseline.billsMs, p), unit: 'ms', what: oldPoll },
    note: `bills polled every ${limits.ccTalkPollIntervalMs} ms in both`,
  })),
  {
    scenario: 'kiosk UI JavaScript, gzipped',
    value: jsGzipBytes / 1024,
    unit: 'kB',
    target: jsTargetBytes / 1024,
  },
];
reportBench({
  bench: 'kiosk',
  heading: `bench:kiosk  (${coins} coins and ${bills} bills per pass, ${new Date().toISOString()})`,
  rows,
  jsonFile: process.env.BENCH_JSON,
});
