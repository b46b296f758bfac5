import type { Language } from '@cashin/shared';
import {
  AuthorizationSchema,
  CashAccountResponseSchema,
  DepositCodeResponseSchema,
  DepositReceiptSchema,
  ReversalResponseSchema,
  SlipListResponseSchema,
  SlipSchema,
  WalletResponseSchema,
  defaultLimits,
  errorMessage,
  formatCode,
  formatMoney,
  generateCode,
  tillApiPaths,
  translator,
  uuidv7,
} from '@cashin/shared';
import type { CurrencyCode } from '@cashin/shared';
import { launchChromium, screenshotPath } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walletMessages } from '../../web/wallet/messages.js';
import { nextPhone } from '../test-support/test-app.js';
import type { WebTestServer } from './web-test-server.js';
import { SkippableClock, decodeBarcode, signInClerkOverOps, startWebTestServer } from './web-test-server.js';
import { decodeOnScreen, expectAccessible, expectHeading, withPage } from './web-test-page.js';

// The shopper's wallet in Debian's Chromium, against the real server on a temp SQLite file, the app built by
// Vite in beforeAll. Money reaches the wallet only through the server's own deposit and reversal routes.
let server: WebTestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['wallet'] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 900 };

async function tokenOf(page: Page): Promise<string> {
  const stored = await page.evaluate<string | null>("localStorage.getItem('cashin.wallet.session')");
  return (JSON.parse(stored ?? '{}') as { token: string }).token;
}

async function depositCodeOf(page: Page): Promise<string> {
  const response = await fetch(`${server.url}/v1/me/deposit-code`, {
    headers: { authorization: `Bearer ${await tokenOf(page)}` },
  });
  return DepositCodeResponseSchema.parse(await response.json()).code;
}

async function slipStatuses(page: Page): Promise<[string, string][]> {
  const response = await fetch(`${server.url}/v1/me/slips`, {
    headers: { authorization: `Bearer ${await tokenOf(page)}` },
  });
  return SlipListResponseSchema.parse(await response.json()).slips.map((slip) => [slip.code, slip.status]);
}

/**
 * A clerk of a new store authorizes a deposit of the code at the till (the cash not yet taken); answers
 * the clerk's cancel at the check, which lets the authorization go.
 */
async function authorizeAtTill(
  code: string,
  amountMinor: number,
  currency: CurrencyCode,
): Promise<() => Promise<void>> {
  const { token } = await signInClerkOverOps(server, currency);
  const authorized = await fetch(`${server.url}${tillApiPaths.authorizations}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ authorizationId: uuidv7(), code, amountMinor, currency }),
  });
  const { authorizationId, status } = AuthorizationSchema.parse(await authorized.json());
  expect(status).toBe('authorized');
  return async () => {
    const voided = await fetch(`${server.url}${tillApiPaths.void(authorizationId)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'customer left before paying' }),
    });
    expect(AuthorizationSchema.parse(await voided.json()).status).toBe('voided');
  };
}

async function walletShopper(
  page: Page,
  on: WebTestServer = server,
): Promise<{ name: string | null; currency: string; language: string }> {
  const response = await fetch(`${on.url}/v1/me/wallet`, {
    headers: { authorization: `Bearer ${await tokenOf(page)}` },
  });
  return WalletResponseSchema.parse(await response.json()).shopper;
}

async function credit(code: string, amountMinor: number, currency: CurrencyCode, cashAlreadyTaken = false) {
  const drawer = await server.ops(
    'POST',
    '/v1/ops/cash-accounts',
    { kind: 'storeDrawer', ownerRef: `web-test-${currency}`, currency },
    CashAccountResponseSchema,
  );
  return server.ops(
    'POST',
    '/v1/deposits',
    { id: uuidv7(), code, amountMinor, currency, sourceAccountId: drawer.accountId, cashAlreadyTaken },
    DepositReceiptSchema,
  );
}

/**
 * The whole wallet, one language at one size: sign up, sign in with the texted code, the empty wallet, the
 * barcode (decoded), a credit and a reversal seen without a reload, a claim code redeemed, a rotation, and
 * the printed card (decoded).
 */
async function walletJourney(language: Language, size: 'phone' | 'desktop'): Promise<void> {
  const t = translator(walletMessages, language);
  const currency: CurrencyCode = language === 'es' ? 'MXN' : 'USD';
  const locale = language === 'es' ? 'es-MX' : 'en-US';
  const money = (minor: number): string => formatMoney(minor, currency, locale);
  const shot = (name: string): string => `wallet-${language}-${size}-${name}`;
  const context = await browser.newContext({
    viewport: size === 'phone' ? phone : desktop,
    locale: language === 'es' ? 'es-MX' : 'en-US',
    // A 360 px phone has a 2x screen or better; the desktop is a plain 1x monitor.
    deviceScaleFactor: size === 'phone' ? 2 : 1,
  });
  await withPage(context, shot('failed'), async (page) => {
    await page.goto(`${server.url}/wallet/`);
    await expectHeading(page, t('welcome.title'));
    expect(await page.evaluate<string>('document.documentElement.lang')).toBe(language);
    await expectAccessible(page, shot('01-welcome'));

    await page.getByRole('button', { name: t('welcome.signUp') }).click();
    await expectHeading(page, t('signUp.title'));
    expect(new URL(page.url()).pathname).toBe('/wallet/sign-up');
    // A number without its country code is caught before anything is sent.
    await page.getByLabel(t('signUp.phone')).fill('5551234');
    await page.getByRole('button', { name: t('signUp.submit') }).click();
    await expect
      .poll(() => page.locator('#phone-status').textContent())
      .toBe(errorMessage('PHONE_INVALID', language));
    await expectAccessible(page, shot('02-sign-up-invalid-phone'));
    const phoneNumber = nextPhone();
    await page.getByLabel(t('signUp.phone')).fill(phoneNumber.replace(/^(\+1)(\d{3})/, '$1 $2 '));
    await page.getByLabel(t('signUp.name')).fill('Maria Gonzalez');
    expect(await page.getByLabel(t('signUp.currency')).inputValue()).toBe(currency);
    await page.getByRole('button', { name: t('signUp.submit') }).click();

    await expectHeading(page, t('verify.title'));
    expect(await page.getByText(t('verify.bodySignUp', { phone: phoneNumber })).count()).toBe(1);
    await expectAccessible(page, shot('03a-verify-sign-up'));
    // A wrong code is refused with the catalogue's words for OTP_INVALID.
    const otp = await server.otpFor(phoneNumber);
    const wrongOtp = otp.replace(/^\d/, (digit) => String((Number(digit) + 1) % 10));
    await page.getByLabel(t('verify.code')).fill(wrongOtp);
    await page.getByRole('button', { name: t('verify.submitSignUp'), exact: true }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe(errorMessage('OTP_INVALID', language));
    await expectAccessible(page, shot('03-verify-wrong-code'));
    // Meanwhile a stranger signs the same number up with other details: the phone gets a newer code, and
    // the shopper types that one. The wallet still opens with the shopper's own details (below), as the
    // app sends the code with the token of the shopper's own sign-up.
    const stranger = await fetch(`${server.url}/v1/shoppers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        phone: phoneNumber,
        name: 'Mallory',
        language: language === 'es' ? 'en' : 'es',
        currency: currency === 'USD' ? 'MXN' : 'USD',
      }),
    });
    expect(stranger.status).toBe(202);
    await page.getByLabel(t('verify.code')).fill(await server.otpFor(phoneNumber));
    await page.getByRole('button', { name: t('verify.submitSignUp'), exact: true }).click();

    await expectHeading(page, t('home.title'));
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(money(0));
    expect(await page.getByText(t('home.historyEmpty')).count()).toBe(1);
    // The wallet was opened by the code, with the details the shopper's sign-up gave, not the stranger's.
    expect(await walletShopper(page)).toMatchObject({ name: 'Maria Gonzalez', currency, language });
    await expectAccessible(page, shot('04-home-empty'));

    await page.getByRole('button', { name: t('home.showCode') }).click();
    await expectHeading(page, t('code.title'));
    const code = await depositCodeOf(page);
    await expect
      .poll(() => page.getByTestId('code-digits').textContent())
      .toBe(formatCode(code as never, ''));
    expect(await decodeOnScreen(page, 'barcode-code128')).toBe(code);
    expect(await decodeOnScreen(page, 'barcode-qr')).toBe(code);
    // Help for a clerk who has never taken a cash-in code, one tap away on the same screen.
    await page.getByText(t('code.clerkHelp')).click();
    expect(await page.getByText(t('code.clerkSteps')).isVisible()).toBe(true);
    await expectAccessible(page, shot('05-barcode'));

    // A clerk credits the code while the barcode is on screen: the open page shows it without a reload.
    const amountMinor = currency === 'MXN' ? 20_000 : 2_000;
    const receipt = await credit(code, amountMinor, currency);
    expect(receipt.status).toBe('credited');
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: money(amountMinor) })
            .count(),
        { timeout: 15_000 },
      )
      .toBe(1);
    expect(await page.getByRole('status').first().textContent()).toBe(
      t('home.credited', { amount: money(amountMinor) }),
    );
    await expectAccessible(page, shot('06-barcode-credited'));

    // Ops reverses it: the wallet says so, again without a reload.
    await server.ops(
      'POST',
      '/v1/reversals',
      { id: uuidv7(), depositId: receipt.depositId, reason: 'Clerk keyed the wrong amount' },
      ReversalResponseSchema,
    );
    await expect
      .poll(() => page.getByRole('status').first().textContent(), { timeout: 15_000 })
      .toBe(t('home.reversed', { amount: money(amountMinor) }));

    await page.getByRole('button', { name: t('code.back') }).click();
    await expectHeading(page, t('home.title'));
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(money(0));
    const entries = page.locator('.history .entry');
    await expect.poll(() => entries.count()).toBe(2);
    expect(await entries.locator('.status').allTextContents()).toEqual([
      t('status.reversed'),
      t('status.reversed'),
    ]);
    await expectAccessible(page, shot('07-home-history'));

    // Cash already taken for a code nobody holds goes to suspense with a claim code (as a kiosk deposit
    // synced late does); the shopper adds it to the wallet.
    const suspense = await credit(generateCode('deposit'), amountMinor, currency, true);
    expect(suspense.status).toBe('suspense');
    const claimCode = suspense.claimCode ?? '';
    await page.getByRole('button', { name: t('home.claim') }).click();
    await expectHeading(page, t('claim.title'));
    const claimField = page.getByLabel(t('claim.code'));
    const wrongLast = String((Number(claimCode.at(-1)) + 1) % 10);
    await claimField.fill(claimCode.slice(0, -1) + wrongLast);
    await expect.poll(() => page.locator('#claim-code-status').textContent()).toBe(t('claim.invalid'));
    expect(await page.getByRole('button', { name: t('claim.submit') }).isDisabled()).toBe(true);
    await expectAccessible(page, shot('08-claim-wrong-digit'));
    await claimField.fill(claimCode);
    await expect.poll(() => page.locator('#claim-code-status').textContent()).toBe(t('claim.complete'));
    await page.getByRole('button', { name: t('claim.submit') }).click();
    await expectHeading(page, t('home.title'));
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(money(amountMinor));
    expect(await page.getByRole('status').first().textContent()).toBe(
      t('claim.done', { amount: money(amountMinor) }),
    );
    await expectAccessible(page, shot('09-home-claimed'));

    // A payment slip: a one-use barcode for an exact amount, listed as open, decodable from the screen.
    await page.getByRole('button', { name: t('home.slips') }).click();
    await expectHeading(page, t('slips.title'));
    await expect.poll(() => page.getByText(t('slips.none')).count()).toBe(1);
    // An amount a till takes in the wallet's currency (at least 100 MXN, 5 USD).
    const slipMajor = currency === 'MXN' ? 150 : 15;
    // Too small an amount is refused by the server; typing another clears that answer.
    const slipAmount = page.getByLabel(t('slips.amount', { currency }));
    await slipAmount.fill('1');
    await page.getByRole('button', { name: t('slips.create') }).click();
    await expect.poll(() => page.locator('.banner-error').count()).toBe(1);
    await slipAmount.pressSequentially('5');
    expect(await page.locator('.banner-error').count()).toBe(0);
    await page.getByLabel(t('slips.amount', { currency })).fill(String(slipMajor));
    await page.getByLabel(t('slips.validity')).selectOption({ label: t('slips.day') });
    await page.getByRole('button', { name: t('slips.create') }).click();
    await expect.poll(() => page.locator('.history .entry').count()).toBe(1);
    const slips = SlipListResponseSchema.parse(
      await (
        await fetch(`${server.url}/v1/me/slips`, {
          headers: { authorization: `Bearer ${await tokenOf(page)}` },
        })
      ).json(),
    ).slips;
    expect(slips.map((slip) => [slip.amountMinor, slip.status])).toEqual([[slipMajor * 100, 'open']]);
    expect(await page.locator('.history .status').textContent()).toBe(t('slips.status.open'));
    expect(await decodeOnScreen(page, 'slip-barcode')).toBe(slips[0]?.code);
    await expectAccessible(page, shot('10-slip'));
    // Back later, the open slip's barcode can be shown again from the list, with what it is for.
    await page.getByRole('button', { name: t('code.back') }).click();
    await expectHeading(page, t('home.title'));
    await page.getByRole('button', { name: t('home.slips') }).click();
    await expectHeading(page, t('slips.title'));
    expect(await page.getByTestId('slip-shown').count()).toBe(0);
    const showAgain = page.getByRole('button', {
      name: t('slips.show', { amount: money(slipMajor * 100) }),
    });
    await showAgain.click();
    await expect.poll(() => page.getByTestId('slip-shown').count()).toBe(1);
    expect(await page.getByTestId('slip-for').textContent()).toContain(money(slipMajor * 100));
    expect(await decodeOnScreen(page, 'slip-barcode')).toBe(slips[0]?.code);
    expect(await showAgain.count()).toBe(0);
    await expectAccessible(page, shot('10b-slip-again'));

    // Cancelling asks first; "Keep it" changes nothing.
    const slipCode = slips[0]!.code;
    const cancelSlip = page.getByRole('button', {
      name: t('slips.cancel', { amount: money(slipMajor * 100) }),
    });
    await cancelSlip.click();
    const cancelAsk = page.getByRole('group', {
      name: t('slips.cancelAsk', { amount: money(slipMajor * 100) }),
    });
    await expect.poll(() => cancelAsk.count()).toBe(1);
    // Focus moves to the question, and back to the button that asked it when the slip is kept.
    const focusedText = () => page.evaluate<string>('document.activeElement?.textContent ?? ""');
    await expect.poll(focusedText).toBe(t('slips.cancelAsk', { amount: money(slipMajor * 100) }));
    await page.getByRole('button', { name: t('slips.cancelNo') }).click();
    expect(await cancelAsk.count()).toBe(0);
    await expect.poll(focusedText).toBe(t('slips.cancel', { amount: money(slipMajor * 100) }));
    expect(await slipStatuses(page)).toEqual([[slipCode, 'open']]);
    // While a clerk holds an authorization for the slip, the cancel is refused and says until when.
    const voidAtTill = await authorizeAtTill(slipCode, slipMajor * 100, currency);
    await cancelSlip.click();
    await page.getByRole('button', { name: t('slips.cancelYes') }).click();
    const [heldText] = t('slips.cancelAuthorized', { time: '\u0000' }).split('\u0000');
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(heldText);
    expect(await slipStatuses(page)).toEqual([[slipCode, 'open']]);
    await expectAccessible(page, shot('10c-slip-held'));
    // Once the clerk cancels at the check, the slip is cancelled: its barcode goes, the list says so.
    await voidAtTill();
    await cancelSlip.click();
    await page.getByRole('button', { name: t('slips.cancelYes') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('slips.cancelled', { amount: money(slipMajor * 100) }));
    expect(await page.getByTestId('slip-shown').count()).toBe(0);
    await expect.poll(() => page.locator('.history .status').textContent()).toBe(t('slips.status.cancelled'));
    expect(await cancelSlip.count()).toBe(0);
    expect(await slipStatuses(page)).toEqual([[slipCode, 'cancelled']]);
    await expectAccessible(page, shot('10d-slip-cancelled'));
    await page.getByRole('button', { name: t('code.back') }).click();
    await expectHeading(page, t('home.title'));

    // Rotation: a new code, shown and decodable; the old one is no longer the wallet's.
    await page.getByRole('button', { name: t('home.showCode') }).click();
    await expectHeading(page, t('code.title'));
    await page.getByRole('button', { name: t('code.rotate') }).click();
    await expectAccessible(page, shot('11-rotate-confirm'));
    await page.getByRole('button', { name: t('code.rotateConfirm') }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe(t('code.rotated'));
    const rotated = await depositCodeOf(page);
    expect(rotated).not.toBe(code);
    await expect
      .poll(() => page.getByTestId('code-digits').textContent())
      .toBe(formatCode(rotated as never, ''));
    expect(await decodeOnScreen(page, 'barcode-code128')).toBe(rotated);

    // The printed card: only the card shows, at wallet-card size, and its barcode decodes.
    await page.emulateMedia({ media: 'print' });
    const card = page.locator('.print-card');
    await expect.poll(() => card.isVisible()).toBe(true);
    const box = await card.boundingBox();
    // 85.6 mm x 54 mm at 96 px per inch.
    expect(Math.round(box?.width ?? 0)).toBe(Math.round((85.6 / 25.4) * 96));
    expect(Math.round(box?.height ?? 0)).toBe(Math.round((54 / 25.4) * 96));
    expect(await page.locator('.screen-heading').isVisible()).toBe(false);
    await page.screenshot({ path: screenshotPath('web', shot('12-print-card')) });
    expect(decodeBarcode(await card.locator('img').screenshot())).toBe(rotated);
    await page.emulateMedia({ media: 'screen' });

    // A reload keeps the shopper signed in on the same screen (the server's SPA fallback answers the path).
    await page.reload();
    await expectHeading(page, t('code.title'));
    await page.getByRole('button', { name: t('code.back') }).click();
    await page.getByRole('button', { name: t('home.signOut') }).click();
    await expectHeading(page, t('welcome.title'));
    expect(await page.evaluate<string | null>("localStorage.getItem('cashin.wallet.session')")).toBeNull();

    // Signing in again: the same code screen, worded for signing in, back to the same wallet.
    await page.getByRole('button', { name: t('welcome.signIn') }).click();
    await expectHeading(page, t('signIn.title'));
    await page.getByLabel(t('signUp.phone')).fill(phoneNumber);
    await page.getByRole('button', { name: t('signIn.submit') }).click();
    await expectHeading(page, t('verify.title'));
    expect(await page.getByText(t('verify.body', { phone: phoneNumber })).count()).toBe(1);
    await expectAccessible(page, shot('13-verify-sign-in'));
    await page.getByLabel(t('verify.code')).fill(await server.otpFor(phoneNumber));
    await page.getByRole('button', { name: t('verify.submit'), exact: true }).click();
    await expectHeading(page, t('home.title'));
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(money(amountMinor));

    // A slip paid at a till is named as one in the wallet's history.
    const paidSlip = await fetch(`${server.url}/v1/me/slips`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenOf(page)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amountMinor: slipMajor * 100, ttlMs: defaultLimits.system.slipTtlMsMin }),
    });
    const slipPaid = await credit(SlipSchema.parse(await paidSlip.json()).code, slipMajor * 100, currency);
    expect(slipPaid.status).toBe('credited');
    const slipEntry = page.locator(`[data-transfer-id="${slipPaid.depositId}"] .entry-kind`);
    await expect.poll(() => slipEntry.textContent(), { timeout: 15_000 }).toBe(t('kind.depositSlip'));
    await expect
      .poll(() => page.getByTestId('balance').textContent())
      .toBe(money(amountMinor + slipMajor * 100));
  });
}

describe('the shopper wallet', () => {
  it('works end to end in English on a 360 px phone', async () => {
    await walletJourney('en', 'phone');
  }, 90_000);

  it('works end to end in Spanish at desktop size', async () => {
    await walletJourney('es', 'desktop');
  }, 90_000);
});

describe('signing up in the wallet', () => {
  it('opens the wallet with the token of the newest sending after "Send a new code"', async () => {
    const t = translator(walletMessages, 'en');
    const clock = new SkippableClock();
    const own = await startWebTestServer({ apps: ['wallet'], clock });
    const context = await browser.newContext({ viewport: phone, locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${own.url}/wallet/`);
      await page.getByRole('button', { name: t('welcome.signUp') }).click();
      const phoneNumber = nextPhone();
      await page.getByLabel(t('signUp.phone')).fill(phoneNumber);
      await page.getByLabel(t('signUp.name')).fill('Ana Ruiz');
      await page.getByRole('button', { name: t('signUp.submit') }).click();
      await expectHeading(page, t('verify.title'));
      // Near the end of the first sign-up's life the shopper asks for a new code: a new sign-up, with a
      // new token. Then the first token expires, while the newer code and token are still good.
      const { signUpTtlMs } = defaultLimits.system;
      clock.skip(signUpTtlMs - 60_000);
      await page.getByRole('button', { name: t('verify.resend') }).click();
      await expect.poll(() => page.getByText(t('verify.resent')).count()).toBe(1);
      clock.skip(2 * 60_000);
      await page.getByLabel(t('verify.code')).fill(await own.otpFor(phoneNumber));
      await page.getByRole('button', { name: t('verify.submitSignUp'), exact: true }).click();
      await expectHeading(page, t('home.title'));
      expect(await walletShopper(page, own)).toMatchObject({ name: 'Ana Ruiz', currency: 'USD' });
    } finally {
      await context.close();
      await own.close();
    }
  }, 90_000);
});
