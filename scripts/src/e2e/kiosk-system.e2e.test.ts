import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Simulator } from '@cashin/hardware-sim';
import type { Code } from '@cashin/shared';
import { createUuidV7Generator, depositReference, realClock, seededRandom } from '@cashin/shared';
import { buildApp } from '@cashin/server/app.js';
import { CapturingSender, testConfig, testOpsToken } from '@cashin/server/test-support/test-app.js';
import { openTestDb } from '@cashin/server/test-support/test-db.js';
import type { RunningAgent } from '@cashin/terminal-app/agent/agent.js';
import { startAgent } from '@cashin/terminal-app/agent/agent.js';
import { loadAgentConfig } from '@cashin/terminal-app/agent/agent-config.js';
import { enrollTerminal } from '@cashin/terminal-app/agent/enroll.js';
import { writeSimulatedKioskConfig } from '@cashin/terminal-app/agent/simulated-kiosk-config.js';
import { loadOrCreateTerminalKey } from '@cashin/terminal-app/sync/terminal-key.js';
import { buildKioskUi } from '@cashin/terminal-app/ui-tests/build-ui.js';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath, seriousAxeViolations } from '../testing/browser.js';
import { createFaultyLink } from '../testing/faulty-fetch.js';
import { signUpShopperOverHttp } from '../testing/shopper-sign-up.js';

// The kiosk as a shopper meets it, against the real server: the server on SQLite, the hardware simulator's
// devices over TCP, the real agent (drivers, journal, runner, signed sync) and the kiosk UI in Chromium.
const run = promisify(execFile);
const clock = realClock();
const ops = { authorization: `Bearer ${testOpsToken}`, 'content-type': 'application/json' };
const bridgeToken = 'kiosk-system-e2e-token-0123456789';
let baseUrl = '';
let close: Array<() => Promise<void>> = [];
let sim: Simulator;
let agent: RunningAgent;
let browser: Browser;
let page: Page;
let sender: CapturingSender;
const link = createFaultyLink({ random: seededRandom(1) });

async function post<T>(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<T> {
  const response = await fetch(`${baseUrl}${url}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function newShopper(
  phone: string,
  name: string,
): Promise<{ code: Code; balance: () => Promise<number> }> {
  const signUp = await signUpShopperOverHttp({
    baseUrl,
    signUp: { phone, name, language: 'en', currency: 'USD' },
    codeFor: (to) => Promise.resolve(sender.lastOtpFor(to)),
  });
  return {
    code: signUp.depositCode,
    balance: async () => {
      const response = await fetch(`${baseUrl}/v1/me/wallet`, {
        headers: { authorization: `Bearer ${signUp.token}` },
      });
      return ((await response.json()) as { balanceMinor: number }).balanceMinor;
    },
  };
}

beforeAll(async () => {
  const testDb = await openTestDb('sqlite');
  sender = new CapturingSender();
  const app = await buildApp(testConfig(), {
    db: testDb.db,
    clock,
    newId: createUuidV7Generator(() => clock.nowMs()),
    messageSender: sender,
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  close.push(
    () => app.close(),
    () => testDb.dispose(),
  );

  const store = await post<{ id: string }>(
    '/v1/ops/stores',
    { name: 'E2E Store', currency: 'USD', timeZone: 'America/New_York' },
    ops,
  );
  const terminal = await post<{ token: string }>(
    '/v1/ops/terminals',
    { storeId: store.id, name: 'E2E kiosk' },
    ops,
  );

  sim = await Simulator.start({
    currency: 'USD',
    clock,
    devices: {
      coin: { kind: 'tcp', port: 0 },
      bill: { kind: 'tcp', port: 0 },
      scanner: { kind: 'tcp', port: 0 },
      printer: { kind: 'tcp', port: 0 },
    },
    baud: undefined,
  });
  close.push(() => sim.close());
  const dir = mkdtempSync(path.join(tmpdir(), 'kiosk-system-'));
  const configFile = path.join(dir, 'kiosk.json');
  writeSimulatedKioskConfig(configFile, {
    serverUrl: baseUrl,
    deviceUrls: sim.urls,
    uiDir: await buildKioskUi(),
    terminalName: 'E2E kiosk',
  });
  const config = loadAgentConfig(configFile);
  const { key } = loadOrCreateTerminalKey(config.dataDir);
  const enrolled = await enrollTerminal({
    serverUrl: baseUrl,
    token: terminal.token,
    key,
    softwareVersion: 'e2e',
    dataDir: config.dataDir,
    clock,
    requestTimeoutMs: 5_000,
  });
  expect(enrolled.ok).toBe(true);
  agent = await startAgent({
    config,
    bridgeToken,
    clock,
    logger: pino({ level: 'silent' }),
    fetch: link.fetch,
  });
  close.push(() => agent.stop());
  browser = await launchChromium();
  close.push(() => browser.close());
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(`${agent.bridge.url}/#token=${bridgeToken}`);
}, 120_000);

afterAll(async () => {
  for (const done of close.reverse()) await done().catch(() => undefined);
  close = [];
});

const heading = () => page.locator('h1').textContent();
const total = () => page.getByTestId('total').textContent();

async function startDeposit(): Promise<void> {
  await expect.poll(heading, { timeout: 20_000 }).toMatch(/Turn your cash|Convierta su efectivo/);
  await page.getByRole('button', { name: /Touch to start|Toque para empezar/ }).click();
}

async function insertCoinsWatchingTotal(
  values: number[],
  startMinor: number,
  format: (minor: number) => string,
): Promise<number> {
  await sim.coin!.whenAccepting();
  let sum = startMinor;
  for (const value of values) {
    expect(sim.coin!.insert(value)).toBe('accepted');
    sum += value;
    await expect.poll(total, { timeout: 10_000 }).toBe(format(sum));
  }
  return sum;
}

const usd = (minor: number) => `$${(minor / 100).toFixed(2)}`;

describe('a kiosk deposit against the real server', { timeout: 90_000 }, () => {
  it('scanned code: the total rises coin by coin, the receipt scans, and the wallet is credited', async () => {
    const shopper = await newShopper('+15550200001', 'Maria Garcia');
    await startDeposit();
    await sim.scanner!.scan(shopper.code);
    await expect
      .poll(() => page.locator('.shopper-name').textContent(), { timeout: 15_000 })
      .toMatch(/^Maria/);
    await page.screenshot({ path: screenshotPath('kiosk-system', '01-confirm'), fullPage: true });
    await page.getByRole('button', { name: 'Yes, continue' }).click();
    let sum = await insertCoinsWatchingTotal([25, 25, 10, 100], 0, usd);
    expect(sim.bill!.insert('US0005A')).toBe('escrowed');
    sum += 500;
    await expect.poll(total, { timeout: 10_000 }).toBe(usd(sum));
    await page.screenshot({ path: screenshotPath('kiosk-system', '02-insert'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Finish' }).click();
    await expect
      .poll(() => page.getByTestId('done-amount').textContent(), { timeout: 15_000 })
      .toBe(`You deposited ${usd(sum)}.`);
    await page.screenshot({ path: screenshotPath('kiosk-system', '03-done'), fullPage: true });

    await expect.poll(() => sim.printer!.receipts.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const png = path.join(mkdtempSync(path.join(tmpdir(), 'receipt-')), 'receipt.png');
    writeFileSync(png, await sim.printer!.png(sim.printer!.receipts.at(-1)!));
    const { stdout } = await run('/usr/bin/zbarimg', ['--raw', '-q', png]);
    const sequence = agent.journal.outbox.status().lastSequence;
    expect(stdout.trim().split('\n')).toContain(depositReference(agent.identity.terminalId, sequence));
    await expect.poll(shopper.balance, { timeout: 15_000 }).toBe(sum);
    await page.getByRole('button', { name: 'Done' }).click();
  });

  it('keyed code in Spanish, while the server is down: pending, then credited when it returns', async () => {
    const shopper = await newShopper('+15550200002', 'Ana Pérez');
    await expect.poll(heading, { timeout: 20_000 }).toMatch(/Turn your cash/);
    await page.getByRole('button', { name: 'Español' }).click();
    link.faults = { ...link.faults, down: true };
    await startDeposit();
    await page.locator('#code').fill(shopper.code);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expect.poll(heading, { timeout: 20_000 }).toBe('¿Es usted?');
    await page.getByRole('button', { name: 'Sí, continuar' }).click();
    const sum = await insertCoinsWatchingTotal([100, 100, 25], 0, usd);
    await page.screenshot({ path: screenshotPath('kiosk-system', '04-insert-es-offline'), fullPage: true });
    await page.getByRole('button', { name: 'Terminar' }).click();
    await expect.poll(() => page.locator('.pending').textContent(), { timeout: 15_000 }).toMatch(/pendiente/);
    await page.screenshot({ path: screenshotPath('kiosk-system', '05-done-pending-es'), fullPage: true });
    expect(await shopper.balance()).toBe(0);
    link.faults = { ...link.faults, down: false };
    void agent.sync.syncNow();
    await expect.poll(shopper.balance, { timeout: 30_000 }).toBe(sum);
    await page.getByRole('button', { name: 'Listo' }).click();
    await page.getByRole('button', { name: 'English' }).click();
  });

  it('a jam mid-deposit commits what was counted and takes the kiosk out of service', async () => {
    const shopper = await newShopper('+15550200003', 'Luis Ortiz');
    await startDeposit();
    await page.locator('#code').fill(shopper.code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Yes, continue' }).click();
    const sum = await insertCoinsWatchingTotal([25, 25], 0, usd);
    sim.coin!.jam();
    await expect.poll(heading, { timeout: 20_000 }).toMatch(/Done|Out of service/);
    await expect.poll(shopper.balance, { timeout: 20_000 }).toBe(sum);
    await expect.poll(heading, { timeout: 30_000 }).toBe('Out of service');
    await page.screenshot({ path: screenshotPath('kiosk-system', '06-out-of-service'), fullPage: true });
    sim.coin!.clearJam();
    await expect.poll(heading, { timeout: 30_000 }).toBe('Turn your cash into wallet money');
  });
});
