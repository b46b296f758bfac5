import type { KioskIntent } from '@cashin/shared';
import { launchChromium, screenshotPath, seriousAxeViolations } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import { serveKioskUi } from './build-ui.js';

// The pour-in kiosk's insert-money screen in Debian's Chromium, served by the real bridge server from the
// real Vite build: while the bulk counter is still counting, Finish says so and cannot be tapped.
const token = 'kiosk-counting-test-token-0123456789';
let browser: Browser;
let server: BridgeServer;
let source: ManualSnapshotSource;
let page: Page;
const intents: KioskIntent[] = [];

beforeAll(async () => {
  source = new ManualSnapshotSource();
  server = await serveKioskUi(token, source, (intent) => {
    intents.push(intent);
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(`${server.url}/#token=${token}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('insert money on a pour-in kiosk', () => {
  it('shows Finish as still counting, disabled, while the counter counts, in English and Spanish', async () => {
    source.publish({
      screen: 'insertMoney',
      totalMinor: 1_250,
      items: [{ kind: 'coin', valueMinor: 25, count: 50 }],
      remainingMinor: 3_750,
      counting: true,
    });
    const finish = page.getByTestId('finish');
    await expect.poll(() => finish.textContent()).toBe('Still counting your coins…');
    expect(await finish.isDisabled()).toBe(true);
    await finish.click({ force: true });
    await page.screenshot({ path: screenshotPath('kiosk', '20-insert-money-counting'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    source.publish({ language: 'es' });
    await expect.poll(() => finish.textContent()).toBe('Todavía contando sus monedas…');
    expect(intents).toEqual([]);

    source.publish({ language: 'en', counting: false, totalMinor: 5_000 });
    await expect.poll(() => finish.textContent()).toBe('Finish');
    expect(await finish.isDisabled()).toBe(false);
    await finish.click();
    await expect.poll(() => intents).toEqual([{ type: 'finish' }]);
  });

  it('says why coins poured before Start go on a voucher, in English and Spanish', async () => {
    intents.length = 0;
    source.publish({
      screen: 'insertMoney',
      language: 'en',
      totalMinor: 725,
      items: [{ kind: 'coin', valueMinor: 25, count: 29 }],
      remainingMinor: 4_275,
      counting: true,
      notice: 'pouredAsVoucher',
      shopper: { maskedName: null, voucher: true, offline: false },
    });
    const banner = page.getByText(/coins you poured/);
    await expect.poll(() => banner.count()).toBe(1);
    expect(await banner.textContent()).toBe(
      'We are counting the coins you poured. They go on a voucher: tap Finish to print it, then add it to your wallet.',
    );
    await page.screenshot({ path: screenshotPath('kiosk', '20b-poured-as-voucher'), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);
    source.publish({ language: 'es' });
    await expect
      .poll(() => page.getByText(/monedas que echó/).textContent())
      .toBe(
        'Estamos contando las monedas que echó. Van en un vale: toque Terminar para imprimirlo y luego agréguelo a su monedero.',
      );
    await page.screenshot({ path: screenshotPath('kiosk', '20c-poured-as-voucher-es'), fullPage: true });
    source.publish({ language: 'en', notice: null, counting: false });
  });
});
