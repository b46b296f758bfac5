import type { CurrencyCode, Language } from '@cashin/shared';
import {
  DepositCodeResponseSchema,
  FakeClock,
  OpsStoreSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  formatMoney,
  opsApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium, screenshotPath } from '@cashin/scripts/testing/browser';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletMessages } from '../../web/wallet/messages.js';
import { kioskDeposit, signedReceipt } from '../test-kit/terminal-kit.js';
import { scanDurationMsMax } from '../../web/wallet/qr-scan-limits.js';
import { writeQrCameraFile } from './fake-camera.js';
import type { ScreenSize } from './web-test-page.js';
import {
  expectAccessible,
  expectHeading,
  newContext,
  pageErrorsOf,
  signUpInWallet,
} from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { enrollKioskOverOps, startWebTestServer } from './web-test-server.js';

// A kiosk's offline receipt added to the wallet by holding its QR code up to the phone's camera, in
// Debian's Chromium. This machine has no camera: Chromium's fake capture device plays a picture of the QR
// code (fake-camera.ts), which the file below changes between scans. The wallet's own decoder reads it.
let server: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());
const newId = createUuidV7Generator(() => clock.nowMs());
const cameraDir = mkdtempSync(path.join(tmpdir(), 'cashin-camera-'));
const cameraFile = path.join(cameraDir, 'camera.y4m');

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['wallet'], clock });
  writeQrCameraFile(cameraFile, 'no code held up yet');
  browser = await launchChromium([
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${cameraFile}`,
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(cameraDir, { recursive: true, force: true });
});

async function journey(language: Language, size: ScreenSize, currency: CurrencyCode): Promise<void> {
  const w = translator(walletMessages, language);
  const money = (minor: number): string =>
    formatMoney(minor, currency, `${language}-${currency === 'MXN' ? 'MX' : 'US'}`);
  const shot = (name: string): string => `wallet-camera-${language}-${size}-${name}`;
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Camera ${language}`, currency, timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const kiosk = await enrollKioskOverOps(server, store.id, 'Entrada');

  const context = await newContext(browser, language, size);
  // The shopper allows the camera when the phone asks (the prompt itself is the browser's, not the page's).
  await context.grantPermissions(['camera'], { origin: server.url });
  const page = await context.newPage();
  const errors = pageErrorsOf(page);
  try {
    const token = await signUpInWallet(page, server, language, currency);
    const walletOf = async () =>
      WalletResponseSchema.parse(
        await (
          await fetch(`${server.url}/v1/me/wallet`, { headers: { authorization: `Bearer ${token}` } })
        ).json(),
      );
    const codeResponse = await fetch(`${server.url}/v1/me/deposit-code`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const code = DepositCodeResponseSchema.parse(await codeResponse.json()).code;
    // 12 coins of 25, counted by a kiosk that was offline: the receipt it printed is all the shopper has.
    const amountMinor = 12 * 25;
    const deposit = {
      ...kioskDeposit(kiosk, newId, clock.nowMs(), { code, coins: 12, offline: true }),
      currency,
    };
    const { qr } = signedReceipt(kiosk, deposit);

    await page.getByRole('button', { name: w('home.receipt') }).click();
    await expectHeading(page, w('receipt.title'));
    // The camera first sees some other QR code: the wallet says what it is looking at, and keeps looking.
    writeQrCameraFile(cameraFile, 'https://example.com/menu');
    await page.getByRole('button', { name: w('receipt.scan') }).click();
    const video = page.getByLabel(w('receipt.cameraLabel'));
    await expect.poll(() => video.getAttribute('data-streaming')).toBe('yes');
    await expect
      .poll(() => page.getByTestId('camera-status').textContent())
      .toBe(w('receipt.scanNotReceipt'));
    await expectAccessible(page, shot('01-wrong-code'));
    await page.getByRole('button', { name: w('receipt.scanStop') }).click();
    expect(await video.count()).toBe(0);
    expect((await walletOf()).balanceMinor).toBe(0);

    // Now the receipt: read, sent and credited without a key pressed, and the camera let go.
    writeQrCameraFile(cameraFile, qr);
    await page.getByRole('button', { name: w('receipt.scan') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 })
      .toBe(w('receipt.done', { amount: money(amountMinor) }));
    expect(await video.count()).toBe(0);
    // Sent as typed text is: the field is emptied once the receipt is in.
    expect(await page.getByLabel(w('receipt.label')).inputValue()).toBe('');
    expect((await walletOf()).balanceMinor).toBe(amountMinor);
    await expectAccessible(page, shot('02-added'));
    // Scanned again, the receipt counts once: the wallet says it is already in.
    await page.getByRole('button', { name: w('receipt.scan') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 })
      .toBe(w('receipt.already', { amount: money(amountMinor) }));
    expect((await walletOf()).balanceMinor).toBe(amountMinor);
    expect(errors).toEqual([]);
  } catch (error) {
    await page.screenshot({ path: screenshotPath('web', shot('failed')), fullPage: true });
    throw new Error(`${String(error)}; page errors: ${errors.join(' | ')}`, { cause: error });
  } finally {
    await context.close();
  }

  // A camera left looking at the wrong code lets go after scanDurationMsMax, and says so. The page's clock
  // is Playwright's, moved on rather than waited for.
  const waiting = await newContext(browser, language, size);
  await waiting.grantPermissions(['camera'], { origin: server.url });
  await waiting.clock.install();
  const idle = await waiting.newPage();
  try {
    await signUpInWallet(idle, server, language, currency);
    await idle.getByRole('button', { name: w('home.receipt') }).click();
    await expectHeading(idle, w('receipt.title'));
    writeQrCameraFile(cameraFile, 'https://example.com/menu');
    await idle.getByRole('button', { name: w('receipt.scan') }).click();
    const video = idle.getByLabel(w('receipt.cameraLabel'));
    await expect.poll(() => video.getAttribute('data-streaming')).toBe('yes');
    await idle.clock.runFor(scanDurationMsMax + 1_000);
    await expect
      .poll(() => idle.getByRole('alert').textContent())
      .toBe(w('receipt.cameraTimedOut', { minutes: scanDurationMsMax / 60_000 }));
    expect(await video.count()).toBe(0);
    await expectAccessible(idle, shot('04-camera-timed-out'));
  } finally {
    await waiting.close();
  }

  // A shopper who refused the camera is told how to allow it, and can still type the text.
  const refusing = await newContext(browser, language, size);
  const refused = await refusing.newPage();
  try {
    await signUpInWallet(refused, server, language, currency);
    await refused.getByRole('button', { name: w('home.receipt') }).click();
    await expectHeading(refused, w('receipt.title'));
    await refused.getByRole('button', { name: w('receipt.scan') }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toBe(w('receipt.cameraDenied'));
    expect(await refused.getByLabel(w('receipt.label')).isEditable()).toBe(true);
    await expectAccessible(refused, shot('03-camera-denied'));
  } finally {
    await refusing.close();
  }
}

describe('a kiosk receipt scanned with the wallet’s camera', () => {
  it('is added once, after another QR code is told apart, on a 360 px phone in English', async () => {
    await journey('en', 'phone', 'USD');
  }, 120_000);

  it('does the same in Spanish at desktop size, in pesos', async () => {
    await journey('es', 'desktop', 'MXN');
  }, 120_000);
});
