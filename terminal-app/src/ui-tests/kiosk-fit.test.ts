import { formatCode, generateCode, uuidv7 } from '@cashin/shared';
import type { KioskNotice, KioskSnapshot } from '@cashin/shared';
import { launchChromium, screenshotPath } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { ManualSnapshotSource, blankSnapshot } from '../testing/manual-snapshot-source.js';
import { serveKioskUi } from './build-ui.js';

// A kiosk screen has no scroll bar to find: whatever does not fit the display is out of the shopper's
// reach. Each shopper screen, at the displays the kiosk is built for (the 1080 x 1920 portrait panel and
// the 1280 x 800 landscape one), in the longer of its languages, must fit without scrolling either way.
const token = 'kiosk-fit-test-token-0123456789abcdef';
const displays = [
  { width: 1080, height: 1920 },
  { width: 1280, height: 800 },
] as const;

const receipt = {
  depositId: uuidv7(),
  sequence: 7,
  status: 'printed' as const,
  totalMinor: 600,
  newBalanceMinor: null,
  pending: true,
  claimCode: formatCode(generateCode('claim')),
};

/** The insert-money screen at its fullest: six kinds of money in, coins and a bill handed back. */
const insertMoneyFullest: Partial<KioskSnapshot> = {
  screen: 'insertMoney',
  shopper: { maskedName: 'Maria G.', voucher: false, offline: false },
  totalMinor: 1_850,
  remainingMinor: 93_150,
  items: [
    { kind: 'bill', valueMinor: 1_000, count: 1 },
    { kind: 'bill', valueMinor: 500, count: 1 },
    { kind: 'coin', valueMinor: 100, count: 2 },
    { kind: 'coin', valueMinor: 25, count: 4 },
    { kind: 'coin', valueMinor: 10, count: 3 },
    { kind: 'coin', valueMinor: 5, count: 4 },
  ],
  rejectedCoinCount: 2,
  rejectedBillCount: 1,
};

/**
 * Why a bill came back while the deposit takes money: each reason is a banner of its own length, above the
 * fullest insert-money screen. (After Finish, a bill comes back on the finishing screen, below.)
 */
const billNoticesWhileAccepting = [
  'billOverLimit',
  'billOtherCurrency',
  'billEscrowBusy',
  'billNotStacked',
] as const satisfies readonly KioskNotice[];

/** Each shopper screen at its fullest: every list, notice and error it can show at once. */
const screens: Record<string, Partial<KioskSnapshot>> = {
  attract: { screen: 'attract' },
  identify: { screen: 'identify', lastError: 'CODE_MALFORMED' },
  // The longest notices on code entry: a slip or a voucher's claim code was scanned.
  'identify-slipAtTill': { screen: 'identify', notice: 'slipAtTill' },
  'identify-claimInWallet': { screen: 'identify', notice: 'claimInWallet' },
  confirm: {
    screen: 'confirm',
    shopper: { maskedName: 'Maria G.', voucher: false, offline: false },
    remainingMinor: 95_000,
  },
  confirmVoucher: {
    screen: 'confirm',
    shopper: { maskedName: null, voucher: true, offline: false },
    remainingMinor: 50_000,
  },
  insertMoney: { ...insertMoneyFullest, notice: 'coinRejected' },
  ...Object.fromEntries(
    billNoticesWhileAccepting.map((notice) => [`insertMoney-${notice}`, { ...insertMoneyFullest, notice }]),
  ),
  finishing: { screen: 'finishing', totalMinor: 1_850, notice: 'billAfterFinish' },
  done: {
    screen: 'done',
    shopper: { maskedName: 'Maria G.', voucher: false, offline: false },
    totalMinor: 600,
    receipt: { ...receipt, claimCode: null, newBalanceMinor: 4_600, pending: false },
  },
  doneVoucher: {
    screen: 'done',
    shopper: { maskedName: null, voucher: true, offline: false },
    totalMinor: 600,
    receipt: { ...receipt, status: 'failed' },
    lastError: 'DEVICE_FAULT',
    notice: 'scanIgnored',
  },
  outOfService: {
    screen: 'outOfService',
    outOfService: { device: 'coin', fault: 'jam', errorCode: 'DEVICE_FAULT' },
  },
};

let browser: Browser;
let server: BridgeServer;
let source: ManualSnapshotSource;

beforeAll(async () => {
  source = new ManualSnapshotSource();
  server = await serveKioskUi(token, source);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What a box scrolls by, either way: the parts of the DOM a test reads here, without the DOM types. */
interface Scrolling {
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
}

async function overflow(page: Page): Promise<{ width: number; height: number }> {
  return page.locator('html').evaluate((html: Scrolling) => ({
    width: html.scrollWidth - html.clientWidth,
    height: html.scrollHeight - html.clientHeight,
  }));
}

/**
 * A notice's banner shows whole, above the screen it is about: none of its text spills out of its box, and
 * nothing of the screen is drawn over it.
 */
async function expectBannerClear(page: Page, where: string): Promise<void> {
  const banner = page.locator('.banner-notice');
  expect(await banner.count(), where).toBe(1);
  const spill = await banner.evaluate((box: Scrolling) => ({
    width: box.scrollWidth - box.clientWidth,
    height: box.scrollHeight - box.clientHeight,
  }));
  expect(spill, where).toEqual({ width: 0, height: 0 });
  const bannerBox = (await banner.boundingBox())!;
  const screenBox = (await page.locator('.screen-host').boundingBox())!;
  expect(bannerBox.y + bannerBox.height, where).toBeLessThanOrEqual(screenBox.y);
  expect(bannerBox.x, where).toBeGreaterThanOrEqual(0);
  expect(bannerBox.x + bannerBox.width, where).toBeLessThanOrEqual(page.viewportSize()!.width);
}

describe.each(displays)('kiosk screens at $width x $height', (display) => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage({ viewport: display });
    await page.goto(`${server.url}/#token=${token}`);
  });
  afterAll(async () => page?.close());

  it.each(Object.keys(screens))('%s fits the display in English and Spanish, no scrolling', async (name) => {
    for (const language of ['en', 'es'] as const) {
      source.publish(blankSnapshot({ ...screens[name], language }));
      await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe(screens[name]!.screen);
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(language);
      await page.screenshot({
        path: screenshotPath('kiosk-fit', `${display.width}x${display.height}-${name}-${language}`),
        fullPage: true,
      });
      expect(await overflow(page), `${name} ${language}`).toEqual({ width: 0, height: 0 });
      if (screens[name]!.notice) await expectBannerClear(page, `${name} ${language}`);
    }
  });

  it('places the keypad where either hand reaches it: centred under the code, or beside it in landscape', async () => {
    source.publish(blankSnapshot({ screen: 'identify' }));
    await expect.poll(() => page.locator('.keypad').count()).toBe(1);
    const keypad = (await page.locator('.keypad').boundingBox())!;
    const field = (await page.locator('#code').boundingBox())!;
    const screen = (await page.locator('.screen-identify').boundingBox())!;
    // A whole code, typed, shows whole in the field: none of it scrolls out of sight.
    await page.locator('#code').fill(generateCode('deposit'));
    await expect.poll(() => page.locator('#code').inputValue()).toMatch(/^(\d{4} ){3}\d{4}$/);
    await page.screenshot({
      path: screenshotPath('kiosk-fit', `${display.width}x${display.height}-identify-typed`),
    });
    expect(
      await page.locator('#code').evaluate((input: Scrolling) => input.scrollWidth - input.clientWidth),
    ).toBeLessThanOrEqual(0);
    if (display.height > display.width) {
      const offCentre = keypad.x + keypad.width / 2 - (screen.x + screen.width / 2);
      expect(Math.abs(offCentre)).toBeLessThanOrEqual(2);
    } else {
      expect(keypad.x).toBeGreaterThanOrEqual(field.x + field.width);
      expect(keypad.x + keypad.width).toBeLessThanOrEqual(screen.x + screen.width + 1);
    }
  });
});
