import { FakeClock } from '@cashin/shared';
import { launchChromium, screenshotPath, seriousAxeViolations } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { startBridgeServer } from '../agent/bridge-server.js';
import { MaintenanceService } from '../agent/maintenance.js';
import { hashTechnicianPin } from '../agent/technician-pin.js';
import { fakeMaintenanceSources } from '../testing/maintenance-sources.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import { buildKioskUi } from './build-ui.js';

// Maintenance mode in Chromium: the real bridge and maintenance service (real PIN hashing and lockout);
// the devices, journal and sync behind it are a recorded test double.
const token = 'kiosk-maintenance-test-token-0123';
let browser: Browser;
let server: BridgeServer;
let page: Page;
const sources = fakeMaintenanceSources();

async function typePin(pin: string): Promise<void> {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click();
  await page.getByRole('button', { name: 'Unlock' }).click();
}

beforeAll(async () => {
  const uiDir = await buildKioskUi();
  const maintenance = new MaintenanceService(sources, hashTechnicianPin('2468'), new FakeClock(), {
    pinAttemptsMax: 5,
    pinLockoutMs: 900_000,
    idleLockMs: 300_000,
  });
  server = await startBridgeServer({
    port: 0,
    token,
    uiDir,
    source: new ManualSnapshotSource(),
    onIntent: () => {},
    maintenance,
    messageBytesMax: 64 * 1024,
    helloTimeoutMs: 5_000,
    connectionsMax: 4,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('maintenance mode', () => {
  it('opens from a long press on the attract screen and asks for the PIN', async () => {
    await page.goto(`${server.url}/#token=${token}`);
    const heading = page.locator('h1');
    await expect.poll(() => heading.textContent()).toBe('Turn your cash into wallet money');
    await heading.hover();
    await page.mouse.down();
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 6_000 }).toBe('Technician PIN');
    await page.mouse.up();
    await page.screenshot({ path: screenshotPath('kiosk', '20-maintenance-pin'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('refuses a wrong PIN and opens the dashboard with the right one', async () => {
    await typePin('1357');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/PIN/);
    await typePin('2468');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Maintenance');
    expect(await page.getByTestId('devices').locator('li').count()).toBe(2);
    expect(await page.getByTestId('bag').textContent()).toContain('$123.45');
    expect(await page.getByTestId('outbox').textContent()).toContain('3 deposits, $4.50');
    await page.screenshot({ path: screenshotPath('kiosk', '21-maintenance-dashboard'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('runs a self-test and records a collection only after confirmation', async () => {
    await page.getByRole('button', { name: 'Self-test coin' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('coin: self-check passed');
    await page.getByRole('button', { name: 'Record bag collection' }).click();
    expect(sources.calls).not.toContain('collect');
    await page.getByRole('button', { name: /Confirm collection/ }).click();
    await expect.poll(() => page.getByTestId('bag').textContent()).toContain('$0.00');
    expect(sources.calls).toEqual(['selfTest:coin', 'collect']);
  });

  it('lists recent deposits, a recovered one marked, and reprints the receipt the tech picks', async () => {
    const deposits = page.getByTestId('deposits').locator('li');
    expect(await deposits.count()).toBe(3);
    const recovered = page.getByTestId('deposits').locator('li[data-recovered="true"]');
    expect(await recovered.count()).toBe(1);
    expect(await recovered.textContent()).toContain('$1.00');
    // The quarantined $1.25 is shown apart from the $4.50 waiting to sync.
    expect(await page.getByTestId('quarantined').textContent()).toContain('$1.25');
    await recovered.getByRole('button', { name: 'Reprint receipt 40' }).click();
    await expect.poll(() => sources.calls.at(-1)).toBe('reprint:019aab40-8c00-7000-8000-000000000040');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('reprinted deposit 40');
    await page.getByTestId('deposits').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('kiosk', '22-maintenance-deposits'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('locks again on exit', async () => {
    await page.getByRole('button', { name: 'Lock and exit' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Turn your cash into wallet money');
    await page.keyboard.press('Control+Alt+m');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Technician PIN');
  });
});
