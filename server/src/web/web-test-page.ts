import { screenshotPath, seriousAxeViolations } from '@cashin/scripts/testing/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { CurrencyCode, Language, Staff } from '@cashin/shared';
import { StaffSchema, opsApiPaths, translator } from '@cashin/shared';
import type { OpsMessageKey } from '../../web/ops/messages.js';
import { opsMessages } from '../../web/ops/messages.js';
import { walletMessages } from '../../web/wallet/messages.js';
import { nextPhone } from '../test-support/test-app.js';
import type { WebTestServer } from './web-test-server.js';
import { decodeBarcode } from './web-test-server.js';

/**
 * What the Chromium tests of the web apps share: the two screen sizes, a journey on a page that reports
 * how it failed, the accessibility and layout check each screen gets (with its screenshot), waiting for a
 * screen, and a keyboard-wedge scanner's burst.
 */
export const screenSizes = {
  // A 360 px phone has a 2x screen or better; the desktop is a plain 1x monitor.
  phone: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 },
} as const;
export type ScreenSize = keyof typeof screenSizes;

export async function newContext(
  browser: Browser,
  language: 'en' | 'es',
  size: ScreenSize,
): Promise<BrowserContext> {
  return browser.newContext({
    ...screenSizes[size],
    locale: language === 'es' ? 'es-MX' : 'en-US',
    acceptDownloads: true,
  });
}

/** Collects uncaught errors and console errors, so a failing test says what the page said. */
export function pageErrorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/**
 * Runs a test's journey on a new page of `context`, then closes the context whatever happened. The journey
 * gets the page and its errors (pageErrorsOf), live, to assert on. When it throws, the page is screenshot
 * as it was (full page, screenshotPath('web', failedShotName)) for whoever reads the test output, and the
 * error is thrown again with what the page said appended and the original as its cause.
 */
export async function withPage(
  context: BrowserContext,
  failedShotName: string,
  journey: (page: Page, errors: readonly string[]) => Promise<void>,
): Promise<void> {
  const page = await context.newPage();
  const errors = pageErrorsOf(page);
  try {
    await journey(page, errors);
  } catch (error) {
    await page.screenshot({ path: screenshotPath('web', failedShotName), fullPage: true });
    throw new Error(`${String(error)}; page errors: ${errors.join(' | ')}`, { cause: error });
  } finally {
    await context.close();
  }
}

/** Screenshots the screen, then checks it: no serious or critical axe-core violation, no sideways scroll. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath('web', name), fullPage: true });
  expect(await seriousAxeViolations(page), name).toEqual([]);
  // Nothing wider than the screen: at 360 px a sideways scroll hides half of every line.
  expect(
    await page.evaluate<boolean>(
      'document.documentElement.scrollWidth > document.documentElement.clientWidth',
    ),
    name,
  ).toBe(false);
  // Nor inside a table's region: a list whose columns scroll in their box hides most of each row.
  expect(
    await page.evaluate<string[]>(
      `[...document.querySelectorAll('.table-scroll')]
        .filter((region) => region.scrollWidth > region.clientWidth)
        .map((region) => region.getAttribute('aria-label'))`,
    ),
    name,
  ).toEqual([]);
}

/** The current screen's heading, once the app has put it up and focused it. */
export async function expectHeading(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.locator('h1').textContent(), { timeout: 10_000 }).toBe(text);
  // The app moves focus to the new heading after it paints; acting before that would race the move.
  await expect
    .poll(() => page.evaluate<string | undefined>('document.activeElement?.tagName'), { timeout: 10_000 })
    .toBe('H1');
}

/**
 * A keyboard-wedge scan as Chromium receives it: real key events, a few ms apart by their own timestamps,
 * then Enter. The timestamps are set on each event, so a busy test machine cannot stretch the burst into
 * what looks like a person typing.
 */
export async function wedgeScan(page: Page, text: string): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const startS = Date.now() / 1000;
  const keyGapS = 0.004;
  const keys = [...text].map((char) => ({
    key: char,
    code: `Digit${char}`,
    keyCode: char.charCodeAt(0),
    text: char,
  }));
  keys.push({ key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' });
  // Sent all at once, not one round trip per key: the session delivers them in order, and a loaded
  // machine cannot open real-time gaps between keys long enough for the till's flush timer (a few key
  // gaps of real time) to hand a half-received burst to the page as typing.
  await Promise.all(
    keys.flatMap((key, index) => {
      const timestamp = startS + index * keyGapS;
      return [
        cdp.send('Input.dispatchKeyEvent', {
          type: 'keyDown',
          key: key.key,
          code: key.code,
          windowsVirtualKeyCode: key.keyCode,
          text: key.text,
          unmodifiedText: key.text,
          timestamp,
        }),
        cdp.send('Input.dispatchKeyEvent', {
          type: 'keyUp',
          key: key.key,
          code: key.code,
          windowsVirtualKeyCode: key.keyCode,
          timestamp: timestamp + keyGapS / 2,
        }),
      ];
    }),
  );
  await cdp.detach();
}

/** Screenshots one barcode image as the screen shows it and decodes it with zbarimg. */
export async function decodeOnScreen(page: Page, testId: string): Promise<string> {
  const image = page.getByTestId(testId);
  await expect
    .poll(() =>
      image.evaluate((node) => {
        const img = node as unknown as { complete: boolean; naturalWidth: number };
        return img.complete && img.naturalWidth > 0;
      }),
    )
    .toBe(true);
  return decodeBarcode(await image.screenshot());
}

/**
 * A new shopper signs up in the wallet with a fresh phone number and signs in with the one-time code from
 * the development inbox, as a person would; answers the wallet's session token.
 */
export async function signUpInWallet(
  page: Page,
  server: WebTestServer,
  language: Language,
  currency: CurrencyCode,
): Promise<string> {
  const w = translator(walletMessages, language);
  const phone = nextPhone();
  await page.goto(`${server.url}/wallet/`);
  await expectHeading(page, w('welcome.title'));
  await page.getByRole('button', { name: w('welcome.signUp') }).click();
  await expectHeading(page, w('signUp.title'));
  await page.getByLabel(w('signUp.phone')).fill(phone);
  await page.getByLabel(w('signUp.name')).fill('Maria Gonzalez');
  expect(await page.getByLabel(w('signUp.currency')).inputValue()).toBe(currency);
  await page.getByRole('button', { name: w('signUp.submit') }).click();
  await expectHeading(page, w('verify.title'));
  await page.getByLabel(w('verify.code')).fill(await server.otpFor(phone));
  await page.getByRole('button', { name: w('verify.submitSignUp'), exact: true }).click();
  await expectHeading(page, w('home.title'));
  const stored = await page.evaluate<string | null>("localStorage.getItem('cashin.wallet.session')");
  return (JSON.parse(stored ?? '{}') as { token: string }).token;
}

/**
 * Ops makes a staff account `username` (lower-case letters, digits, dots and dashes, up to 40) named
 * `name`, and the person signs in with it at the console's `section` (the Fleet by default), which shows
 * its heading `headingKey`. Answers the account, whose id the audit trail names.
 */
export async function signInToOps(
  page: Page,
  server: WebTestServer,
  language: Language,
  username: string,
  landing: { section?: string; headingKey?: OpsMessageKey; name?: string } = {},
): Promise<Staff> {
  const t = translator(opsMessages, language);
  const password = `first-password-${username}`;
  const staff = await server.ops(
    'POST',
    opsApiPaths.staff,
    { username, name: landing.name ?? 'Rosa Ops', password },
    StaffSchema,
  );
  await page.goto(`${server.url}/ops/${landing.section ?? 'fleet'}`);
  await expectHeading(page, t('signIn.title'));
  await page.getByLabel(t('signIn.username')).fill(username);
  await page.getByLabel(t('signIn.password')).fill(password);
  await page.getByRole('button', { name: t('signIn.submit') }).click();
  await expectHeading(page, t(landing.headingKey ?? 'fleet.title'));
  return staff;
}
