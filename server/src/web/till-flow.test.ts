import type { CurrencyCode, Language, LimitsOverride } from '@cashin/shared';
import {
  ClerkSchema,
  DepositCodeResponseSchema,
  OpsStoreSchema,
  SlipSchema,
  WalletResponseSchema,
  defaultLimits,
  errorMessage,
  formatCode,
  formatMoney,
  generateCode,
  opsApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium, screenshotPath } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tillMessages } from '../../web/till/messages.js';
import { walletMessages } from '../../web/wallet/messages.js';
import type { ScreenSize } from './web-test-page.js';
import {
  decodeOnScreen,
  expectAccessible,
  expectHeading,
  newContext,
  pageErrorsOf,
  signUpInWallet,
  wedgeScan,
} from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { SkippableClock, startWebTestServer } from './web-test-server.js';

// The clerk's till and the shopper's wallet side by side in Debian's Chromium, against the real server:
// the wallet shows a barcode, the till scans it as a wedge scanner types it, checks the limit before the
// cash is taken, credits, voids, refuses what the limits refuse, and sums up the shift. Every amount the
// wallet shows arrives by its own polling, never by a reload.

/**
 * Small limits, as an operator's limits file would set them, so a second deposit can pass the day's limit
 * while staying under the till maximum. MXN runs twenty times the USD figures.
 */
const mxnPerUsd = 20;
const usd = { tillMaxMinor: 5_000, dailyMaxMinor: 6_000 } as const;
const limitsFor = (scale: number) => ({
  tillDepositMaxMinor: usd.tillMaxMinor * scale,
  kioskOfflineDepositMaxMinor: 4_000 * scale,
  tiers: { 0: { walletDailyMaxMinor: usd.dailyMaxMinor * scale } },
});
const limits: LimitsOverride = { money: { USD: limitsFor(1), MXN: limitsFor(mxnPerUsd) } };

let server: WebTestServer;
let browser: Browser;
const clock = new SkippableClock();
const tillAuthorizationTtlMs = defaultLimits.system.tillAuthorizationTtlMs;

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['wallet', 'till'], limits, clock });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Types an amount the way a clerk does, key by key, into an emptied field. */
async function typeAmount(till: Page, label: string, text: string): Promise<void> {
  const field = till.getByLabel(label);
  await field.fill('');
  await field.pressSequentially(text);
}

async function walletStatus(wallet: Page): Promise<string | null> {
  return wallet.getByRole('status').first().textContent();
}

async function tillJourney(language: Language, size: ScreenSize, currency: CurrencyCode): Promise<void> {
  const scale = currency === 'MXN' ? mxnPerUsd : 1;
  const t = translator(tillMessages, language);
  const w = translator(walletMessages, language);
  // The language with the currency's country, as the apps format money (es + MXN is es-MX).
  const locale = `${language}-${currency === 'MXN' ? 'MX' : 'US'}`;
  const money = (minor: number): string => formatMoney(minor, currency, locale);
  const typed = (minor: number): string => (minor / 100).toFixed(2);
  const shot = (name: string): string => `till-flow-${language}-${size}-${name}`;
  const amountLabel = t('amount.field', { currency });
  const first = 2_000 * scale;
  const second = 4_500 * scale;
  const overLimit = 2_000 * scale;
  const aboveMaximum = 5_500 * scale;
  const late = 1_000 * scale;
  const slipMinor = 1_500 * scale;
  const dailyMax = usd.dailyMaxMinor * scale;

  // Ops set up the store and its clerk (the ops console's own test drives these screens).
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Tienda ${language} ${size}`, currency, timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const pin = '482916';
  const clerk = await server.ops(
    'POST',
    opsApiPaths.clerks(store.id),
    { name: 'Carla Mendez', pin },
    ClerkSchema,
  );

  const walletContext = await newContext(browser, language, size);
  const tillContext = await newContext(browser, language, size);
  const wallet = await walletContext.newPage();
  const till = await tillContext.newPage();
  const walletErrors = pageErrorsOf(wallet);
  const tillErrors = pageErrorsOf(till);
  try {
    /** The scanner reads the shopper's code, the clerk types an amount, and the till answers with `heading`. */
    const scanAndType = async (amountMinor: number, heading: 'check.title' | 'refused.title') => {
      await wedgeScan(till, code);
      await expectHeading(till, t('amount.title'));
      await typeAmount(till, amountLabel, typed(amountMinor));
      await till.getByRole('button', { name: t('amount.continue') }).click();
      await expectHeading(till, t(heading));
    };
    // The shopper signs up and in with the code the development inbox holds, and shows the barcode.
    const token = await signUpInWallet(wallet, server, language, currency);
    await wallet.getByRole('button', { name: w('home.showCode') }).click();
    await expectHeading(wallet, w('code.title'));
    // What a scanner at the till would read: the Code 128 on the wallet's screen, decoded by zbarimg.
    const code = await decodeOnScreen(wallet, 'barcode-code128');
    const codeResponse = await fetch(`${server.url}/v1/me/deposit-code`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(DepositCodeResponseSchema.parse(await codeResponse.json()).code).toBe(code);

    // The clerk signs in with the store, clerk and PIN ops gave them.
    await till.goto(`${server.url}/till/`);
    await expectHeading(till, t('signIn.title'));
    await till.getByLabel(t('signIn.store')).fill(store.id);
    await till.getByLabel(t('signIn.clerk')).fill(clerk.id);
    await till.getByLabel(t('signIn.pin')).fill(pin);
    await expectAccessible(till, shot('01-sign-in'));
    await till.getByRole('button', { name: t('signIn.submit') }).click();
    await expectHeading(till, t('scan.title'));
    expect(await till.locator('.clerk-bar').textContent()).toBe(
      t('bar.clerk', { clerk: 'Carla Mendez', store: store.name }),
    );
    await expectAccessible(till, shot('02-scan'));
    // A voucher's claim code typed here is named for what it is, and goes no further.
    const codeField = till.getByLabel(t('scan.code'));
    await codeField.fill(generateCode('claim'));
    await expect.poll(() => till.locator('#code-status').textContent()).toBe(t('scan.claimCode'));
    expect(await till.getByRole('button', { name: t('scan.continue') }).isDisabled()).toBe(true);
    await codeField.fill('');

    // The scanner types the code as a burst, wherever focus is; the clerk types 20.00.
    await wedgeScan(till, code);
    await expectHeading(till, t('amount.title'));
    expect(await till.locator('.code-line').textContent()).toBe(
      t('amount.code', { code: formatCode(code as never) }),
    );
    // The code is looked up as soon as it is scanned: whose it is and what it may still take, before
    // the clerk counts anything.
    await expect
      .poll(() => till.locator('.shopper-for').textContent())
      .toBe(t('amount.for', { name: 'Maria G.' }));
    expect(await till.getByTestId('lookup').textContent()).toContain(
      t('amount.remaining', { amount: money(dailyMax) }),
    );
    // And what one deposit may be here, so a clerk does not count more than the till takes at once.
    expect(await till.getByTestId('lookup').textContent()).toContain(
      t('amount.range', {
        minimum: money(defaultLimits.money[currency]!.tillDepositMinMinor),
        maximum: money(usd.tillMaxMinor * scale),
      }),
    );
    await typeAmount(till, amountLabel, typed(first));
    await expect.poll(() => till.locator('#amount-status').textContent()).toBe(money(first));
    await expectAccessible(till, shot('03-amount'));
    await till.getByRole('button', { name: t('amount.continue') }).click();

    // Before any cash changes hands: who the code belongs to, and that the limit allows it.
    await expectHeading(till, t('check.title'));
    expect(await till.getByTestId('masked-name').textContent()).toBe('Maria G.');
    expect(await till.getByTestId('authorized-amount').textContent()).toBe(money(first));
    expect(await till.locator('.allowed').textContent()).toBe(
      `✔ ${t('check.allowed', { amount: money(dailyMax - first) })}`,
    );
    expect(await till.locator('.instruction').textContent()).toBe(t('check.take', { amount: money(first) }));
    // Nothing is credited until the clerk confirms they hold the cash.
    expect(await walletBalance(token)).toBe(0);
    await expectAccessible(till, shot('04-check'));
    await till.getByRole('button', { name: t('check.confirm') }).click();
    await expectHeading(till, t('done.title'));
    expect(await till.getByRole('status').first().textContent()).toBe(
      t('done.body', { amount: money(first) }),
    );
    await expectAccessible(till, shot('05-done'));

    // The wallet, still on its barcode, shows the credit without a reload.
    await expect
      .poll(() => walletStatus(wallet), { timeout: 15_000 })
      .toBe(w('home.credited', { amount: money(first) }));
    await expectAccessible(wallet, shot('06-wallet-credited'));

    // The clerk voids it, with a reason; the wallet shows the reversal.
    await till.getByRole('button', { name: t('done.void') }).click();
    await expectHeading(till, t('void.title'));
    await till.getByRole('button', { name: t('void.submit') }).click();
    await expect.poll(() => till.getByRole('alert').textContent()).toBe(t('void.reasonMissing'));
    await till.getByLabel(t('void.reasonWrongAmount')).check();
    await expectAccessible(till, shot('07-void'));
    await till.getByRole('button', { name: t('void.submit') }).click();
    await expectHeading(till, t('voided.title'));
    expect(await till.getByRole('status').first().textContent()).toBe(
      t('voided.body', { amount: money(first) }),
    );
    expect(await till.locator('.receipt').textContent()).toContain(t('receipt.statusVoided'));
    await expectAccessible(till, shot('08-voided'));
    await expect
      .poll(() => walletStatus(wallet), { timeout: 15_000 })
      .toBe(w('home.reversed', { amount: money(first) }));
    expect(await walletBalance(token)).toBe(0);

    // A second visit: a deposit that fits. The server commits it but its answer is lost on the way back
    // (the connection drops after the request got through); the clerk keeps the cash and tries again,
    // and the same authorization id credits the wallet once.
    await till.getByRole('button', { name: t('done.next') }).click();
    await expectHeading(till, t('scan.title'));
    await scanAndType(second, 'check.title');
    expect(await till.locator('.allowed').textContent()).toBe(
      `✔ ${t('check.allowed', { amount: money(dailyMax - second) })}`,
    );
    await till.route(
      '**/v1/till/authorizations/*/commit',
      async (route) => {
        await route.fetch();
        await route.abort('connectionreset');
      },
      { times: 1 },
    );
    await till.getByRole('button', { name: t('check.confirm') }).click();
    await expectHeading(till, t('committing.retryTitle'));
    expect(await till.getByRole('alert').textContent()).toBe(errorMessage('SERVER_UNREACHABLE', language));
    await expectAccessible(till, shot('09-commit-retry'));
    await till.getByRole('button', { name: t('committing.retry') }).click();
    await expectHeading(till, t('done.title'));
    await expect
      .poll(() => walletStatus(wallet), { timeout: 15_000 })
      .toBe(w('home.credited', { amount: money(second) }));
    expect(await walletBalance(token)).toBe(second);
    await till.getByRole('button', { name: t('done.next') }).click();
    await expectHeading(till, t('scan.title'));

    // Past the day's limit: refused at the check, before the clerk is ever told to take the cash.
    await scanAndType(overLimit, 'refused.title');
    expect(await till.locator('main').getAttribute('data-screen')).toBe('refused');
    expect(await till.getByRole('alert').textContent()).toBe(
      errorMessage('LIMIT_EXCEEDED', language, { remaining: money(dailyMax - second) }),
    );
    expect(await till.getByText(t('check.confirm')).count()).toBe(0);
    await expectAccessible(till, shot('10-refused-limit'));

    // A smaller amount is one tap away; above the till's maximum is refused the same way, with the maximum.
    await till.getByRole('button', { name: t('refused.changeAmount') }).click();
    await expectHeading(till, t('amount.title'));
    expect(await till.getByLabel(amountLabel).inputValue()).toBe(typed(overLimit));
    await typeAmount(till, amountLabel, typed(aboveMaximum));
    await till.getByRole('button', { name: t('amount.continue') }).click();
    await expectHeading(till, t('refused.title'));
    expect(await till.getByRole('alert').textContent()).toBe(
      errorMessage('AMOUNT_ABOVE_MAXIMUM', language, { maximum: money(usd.tillMaxMinor * scale) }),
    );
    await expectAccessible(till, shot('11-refused-maximum'));
    await till.getByRole('button', { name: t('refused.newCustomer') }).click();
    await expectHeading(till, t('scan.title'));

    // A payment slip is for one exact amount: the lookup fills it in, and the clerk cannot change it.
    const slipResponse = await fetch(`${server.url}/v1/me/slips`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amountMinor: slipMinor, ttlMs: defaultLimits.system.slipTtlMsMin }),
    });
    const slip = SlipSchema.parse(await slipResponse.json());
    await wedgeScan(till, slip.code);
    await expectHeading(till, t('amount.title'));
    await expect
      .poll(() => till.locator('.slip-hint').textContent())
      .toBe(t('amount.slipFixed', { amount: money(slipMinor) }));
    expect(await till.getByLabel(amountLabel).inputValue()).toBe(typed(slipMinor));
    expect(await till.locator('.lead').textContent()).toBe(t('amount.bodySlip'));
    expect(await till.getByLabel(amountLabel).getAttribute('readonly')).not.toBeNull();
    expect(await till.locator('fieldset.bills').count()).toBe(0);
    await expectAccessible(till, shot('10b-slip-amount'));
    await till.getByRole('button', { name: t('amount.back') }).click();
    await expectHeading(till, t('scan.title'));

    // When the lookup's answer is lost, the till says so and goes on: the authorization checks the code.
    // A wrong amount typed for the slip is refused there, naming the slip's amount.
    await till.route('**/v1/till/lookups', (route) => route.abort('connectionreset'));
    await wedgeScan(till, slip.code);
    await expectHeading(till, t('amount.title'));
    await expect
      .poll(() => till.locator('main p.muted').first().textContent())
      .toBe(t('amount.lookupUnavailable'));
    expect(await till.locator('.slip-hint').textContent()).toBe(t('amount.slipHint'));
    await typeAmount(till, amountLabel, typed(slipMinor - 100 * scale));
    await till.getByRole('button', { name: t('amount.continue') }).click();
    await expectHeading(till, t('refused.title'));
    expect(await till.getByRole('alert').textContent()).toBe(
      errorMessage('AMOUNT_MISMATCH', language, { expected: money(slipMinor) }),
    );
    // One tap takes the clerk back with the slip's own amount typed in; the check then allows it.
    await till
      .getByRole('button', { name: t('refused.useSlipAmount', { amount: money(slipMinor) }) })
      .click();
    await expectHeading(till, t('amount.title'));
    expect(await till.getByLabel(amountLabel).inputValue()).toBe(typed(slipMinor));
    await till.getByRole('button', { name: t('amount.continue') }).click();
    await expectHeading(till, t('check.title'));
    expect(await till.getByTestId('authorized-amount').textContent()).toBe(money(slipMinor));
    // The customer keeps the slip for another day: cancelled at the check, nothing is credited.
    await till.getByRole('button', { name: t('check.cancel') }).click();
    await expectHeading(till, t('scan.title'));
    expect(await walletBalance(token)).toBe(second);
    await till.unroute('**/v1/till/lookups');

    // The shopper cancels the slip in the wallet app: scanned again, it goes no further than the scan.
    const cancelled = await fetch(`${server.url}/v1/me/slips/${slip.code}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(SlipSchema.parse(await cancelled.json()).status).toBe('cancelled');
    await wedgeScan(till, slip.code);
    await expectHeading(till, t('scan.title'));
    await expect
      .poll(() => till.getByRole('alert').textContent())
      .toBe(errorMessage('CODE_CANCELLED', language));
    await expectAccessible(till, shot('12a-slip-cancelled'));

    // The customer changes their mind at the check: the clerk cancels, and the server lets the
    // authorization go at once, so the wallet no longer shows it pending and its limit is free again.
    await scanAndType(late, 'check.title');
    expect(await walletPending(token)).toEqual([late]);
    await till.getByRole('button', { name: t('check.cancel') }).click();
    await expectHeading(till, t('scan.title'));
    expect(await till.getByRole('status').first().textContent()).toBe(
      t('check.cancelled', { amount: money(late) }),
    );
    await expectAccessible(till, shot('12-cancelled'));
    expect(await walletPending(token)).toEqual([]);
    expect((await walletOf(token)).allowance.remainingMinor).toBe(dailyMax - second);
    expect(await walletBalance(token)).toBe(second);

    // A clerk who takes too long: the authorization expires before the confirm, nothing is credited, and
    // the till says to give the cash back.
    await scanAndType(late, 'check.title');
    clock.skip(tillAuthorizationTtlMs);
    await till.getByRole('button', { name: t('check.confirm') }).click();
    await expectHeading(till, t('failed.title'));
    expect(await till.getByRole('alert').textContent()).toBe(errorMessage('AUTHORIZATION_EXPIRED', language));
    await expectAccessible(till, shot('13-expired'));
    await till.getByRole('button', { name: t('failed.next') }).click();
    await expectHeading(till, t('scan.title'));
    expect(await walletBalance(token)).toBe(second);

    // The shift: two deposits taken, one voided, and the cash to hand over is what stayed credited.
    await till.getByRole('button', { name: t('bar.shift') }).click();
    await expectHeading(till, t('shift.title'));
    await expect.poll(() => till.getByTestId('hand-over').textContent()).toBe(money(second));
    expect(await till.getByTestId('shift-deposits').textContent()).toBe(
      `${t('shift.deposits', { count: 2 })}: ${money(first + second)}`,
    );
    expect(await till.getByTestId('shift-voids').textContent()).toBe(
      `${t('shift.voids', { count: 1 })}: ${money(first)}`,
    );
    // The refused attempts never became authorizations: only the expired, the two cancelled at the check
    // (a deposit and the slip), the credited and the voided.
    expect(await till.locator('tbody tr td:last-child').allTextContents()).toEqual([
      t('status.expired'),
      t('status.notTaken'),
      t('status.notTaken'),
      t('status.committed'),
      t('status.voided'),
    ]);
    // The table fits the screen as it is, even at 360 px: nothing hides behind a sideways scroll.
    expect(
      await till.locator('.table-scroll').evaluate((node) => {
        const box = node as unknown as { scrollWidth: number; clientWidth: number };
        return box.scrollWidth <= box.clientWidth;
      }),
    ).toBe(true);
    await expectAccessible(till, shot('14-shift'));

    // The wallet agrees: back on its home screen, the balance is the one deposit that stayed.
    await wallet.getByRole('button', { name: w('code.back') }).click();
    await expectHeading(wallet, w('home.title'));
    await expect.poll(() => wallet.getByTestId('balance').textContent()).toBe(money(second));
    await expectAccessible(wallet, shot('15-wallet-home'));
  } catch (error) {
    // The state each page was in when it failed, for whoever reads the test output.
    await till.screenshot({ path: screenshotPath('web', shot('failed-till')), fullPage: true });
    await wallet.screenshot({ path: screenshotPath('web', shot('failed-wallet')), fullPage: true });
    const errors = [...walletErrors.map((e) => `wallet: ${e}`), ...tillErrors.map((e) => `till: ${e}`)];
    throw new Error(`${String(error)}; page errors: ${errors.join(' | ')}`, { cause: error });
  } finally {
    await walletContext.close();
    await tillContext.close();
  }
}

async function walletOf(token: string) {
  const response = await fetch(`${server.url}/v1/me/wallet`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return WalletResponseSchema.parse(await response.json());
}

async function walletBalance(token: string): Promise<number> {
  return (await walletOf(token)).balanceMinor;
}

/** The amounts the shopper's wallet lists as pending: till authorizations not yet confirmed. */
async function walletPending(token: string): Promise<number[]> {
  return (await walletOf(token)).history
    .filter((entry) => entry.status === 'pending')
    .map((entry) => entry.amountMinor);
}

describe('the clerk till with the shopper wallet', () => {
  it('credits a scanned code, voids it, refuses over the limit before the cash, and sums the shift (en, phone)', async () => {
    await tillJourney('en', 'phone', 'USD');
  }, 90_000);

  it('does the same in Spanish at desktop size, in pesos', async () => {
    await tillJourney('es', 'desktop', 'MXN');
  }, 90_000);
});
