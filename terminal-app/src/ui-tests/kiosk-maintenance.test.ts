import type { Language } from '@cashin/shared';
import { FakeClock, errorMessage, translator } from '@cashin/shared';
import { launchChromium, screenshotPath, seriousAxeViolations } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { startBridgeServer } from '../agent/bridge-server.js';
import { MaintenanceService } from '../agent/maintenance.js';
import { hashTechnicianPin } from '../agent/technician-pin.js';
import { fakeMaintenanceSources } from '../testing/maintenance-sources.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import { kioskMessages } from '../ui/messages.js';
import { buildKioskUi } from './build-ui.js';

// Maintenance mode in Chromium: the real bridge and maintenance service (real PIN hashing and lockout);
// the devices, journal and sync behind it are a recorded test double.
const token = 'kiosk-maintenance-test-token-0123';
let browser: Browser;
let server: BridgeServer;
let page: Page;
const sources = fakeMaintenanceSources();
const snapshots = new ManualSnapshotSource();

async function typePin(pin: string, language: Language = 'en'): Promise<void> {
  for (const digit of pin) await page.getByRole('button', { name: digit, exact: true }).click();
  await page.getByRole('button', { name: kioskMessages[language]['maintenance.unlock'] }).click();
}

/** What the last action's banner says (a notice or an alert). */
const resultText = () => page.getByTestId('maintenance-result').locator('.banner').textContent();

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
    source: snapshots,
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
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Wrong PIN. Try again.');
    await typePin('2468');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Maintenance');
    expect(await page.getByTestId('devices').locator('li').count()).toBe(3);
    expect(await page.getByTestId('bag').textContent()).toContain('$123.45');
    expect(await page.getByTestId('outbox').textContent()).toContain('3 deposits, $4.50');
    await page.screenshot({ path: screenshotPath('kiosk', '21-maintenance-dashboard'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('runs a self-test and records a collection only after confirmation', async () => {
    await page.getByRole('button', { name: 'Self-test coin' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('coin: self-test passed.');
    await page.getByRole('button', { name: 'Record bag collection' }).click();
    expect(sources.calls).not.toContain('collect');
    await page.getByRole('button', { name: /Confirm collection/ }).click();
    await expect.poll(() => page.getByTestId('bag').textContent()).toContain('$0.00');
    expect(await resultText()).toBe('Bag collection recorded: coin: $123.45 (pieces: 312).');
    await page.screenshot({ path: screenshotPath('kiosk', '23-maintenance-collected-en'), fullPage: true });
    expect(sources.calls).toEqual(['selfTest:coin', 'collect']);
  });

  it('lists recent deposits, a recovered one marked, and reprints the receipt the tech picks', async () => {
    const deposits = page.getByTestId('deposits').locator('li');
    expect(await deposits.count()).toBe(3);
    const recovered = page.getByTestId('deposits').locator('li[data-recovered="true"]');
    expect(await recovered.count()).toBe(1);
    expect(await recovered.textContent()).toContain('$1.00');
    // A voucher whose receipt never printed is marked: its claim code is on paper nowhere yet.
    const unprinted = page.getByTestId('deposits').locator('li[data-unprinted="true"]');
    expect(await unprinted.count()).toBe(1);
    expect(await unprinted.textContent()).toContain('$10.00');
    expect(await unprinted.textContent()).toContain('receipt not printed');
    // The quarantined $1.25 is shown apart from the $4.50 waiting to sync.
    expect(await page.getByTestId('quarantined').textContent()).toContain('$1.25');
    await recovered.getByRole('button', { name: 'Reprint receipt 40' }).click();
    await expect.poll(() => sources.calls.at(-1)).toBe('reprint:019aab40-8c00-7000-8000-000000000040');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Receipt No. 40 reprinted.');
    await page.getByTestId('deposits').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('kiosk', '22-maintenance-deposits'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('sends the set-aside deposits again when the tech asks, and says what became of them', async () => {
    const setAside = page.getByTestId('quarantined');
    await setAside.getByRole('button', { name: 'Send set-aside deposits again' }).click();
    await expect.poll(resultText).toBe('Set-aside deposits back in the queue: 1. Sent: 1. In conflict: 0.');
    await expect.poll(() => setAside.count()).toBe(0);
    expect(sources.calls.at(-1)).toBe('retrySetAside');
    await page.screenshot({ path: screenshotPath('kiosk', '24-maintenance-set-aside-sent'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('locks again on exit', async () => {
    await page.getByRole('button', { name: 'Lock and exit' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Turn your cash into wallet money');
    await page.keyboard.press('Control+Alt+m');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Technician PIN');
  });
});

describe('maintenance mode in Spanish', () => {
  const t = translator(kioskMessages, 'es');

  it('asks for the PIN in Spanish and says a wrong PIN is wrong in Spanish', async () => {
    snapshots.publish({ language: 'es' });
    await expect.poll(() => page.locator('h1').textContent()).toBe(t('maintenance.pinTitle'));
    // The page's lang follows the language once the screen has rendered in it (an effect after paint).
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await typePin('9999', 'es');
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(t('maintenance.result.pinWrong'));
    await page.screenshot({ path: screenshotPath('kiosk', '30-maintenance-wrong-pin-es'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('unlocks, and names devices and faults in Spanish', async () => {
    await typePin('2468', 'es');
    await expect.poll(() => page.locator('h1').textContent()).toBe(t('maintenance.title'));
    const devices = page.getByTestId('devices');
    expect(await devices.locator('li').first().textContent()).toContain(
      t('maintenance.deviceKind.coinAcceptor'),
    );
    expect(await devices.locator('li').nth(1).textContent()).toContain(t('maintenance.fault.paperOut'));
    // A recent error's detail is the agent's own English words, marked as English for screen readers.
    const errors = page.getByTestId('errors').locator('li');
    expect(await errors.first().textContent()).toContain(errorMessage('DEVICE_FAULT', 'es'));
    expect(await errors.first().locator('span[lang="en"]').textContent()).toBe('printer: paper out');
  });

  it('words self-tests in Spanish: passed, a fault, and a failure whose English detail is labelled', async () => {
    await page.getByRole('button', { name: t('maintenance.selfTest', { device: 'coin' }) }).click();
    await expect.poll(resultText).toBe(t('maintenance.result.selfTestPassed', { device: 'coin' }));
    await page.getByRole('button', { name: t('maintenance.selfTest', { device: 'printer' }) }).click();
    await expect.poll(resultText).toBe(
      t('maintenance.result.selfTestFailed', {
        device: 'printer',
        faults: t('maintenance.fault.paperOut'),
      }),
    );
    expect(await page.getByTestId('maintenance-result').getByRole('alert').count()).toBe(1);
    await page.screenshot({ path: screenshotPath('kiosk', '31-maintenance-self-test-es'), fullPage: true });
    await page.getByRole('button', { name: t('maintenance.selfTest', { device: 'bill' }) }).click();
    await expect.poll(resultText).toBe(t('maintenance.result.failed'));
    const detail = page.getByTestId('maintenance-result-detail');
    expect(await detail.textContent()).toBe(`${t('maintenance.detailLabel')} port /dev/ttyUSB1 is closed`);
    expect(await detail.locator('span[lang="en"]').textContent()).toBe('port /dev/ttyUSB1 is closed');
    await page.screenshot({
      path: screenshotPath('kiosk', '32-maintenance-failure-detail-es'),
      fullPage: true,
    });
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('words a sync that could not reach the server in Spanish, with its counts', async () => {
    await page.getByRole('button', { name: t('maintenance.syncNow') }).click();
    const reason = errorMessage('SERVER_UNREACHABLE', 'es');
    await expect
      .poll(resultText)
      .toBe(t('maintenance.result.syncFailed', { synced: 0, quarantined: 0, reason }));
    expect(await page.getByTestId('maintenance-result-detail').count()).toBe(0);
    await page.screenshot({ path: screenshotPath('kiosk', '33-maintenance-sync-es'), fullPage: true });
    await page.getByRole('button', { name: t('maintenance.reprintDeposit', { sequence: 40 }) }).click();
    await expect.poll(resultText).toBe(t('maintenance.result.receiptReprinted', { sequence: 40 }));
    expect(sources.calls.slice(-5)).toEqual([
      'selfTest:coin',
      'selfTest:printer',
      'selfTest:bill',
      'syncNow',
      'reprint:019aab40-8c00-7000-8000-000000000040',
    ]);
  });
});
