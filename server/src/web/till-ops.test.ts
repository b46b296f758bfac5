import type { Code, Language } from '@cashin/shared';
import {
  CashAccountResponseSchema,
  DepositReceiptSchema,
  WalletResponseSchema,
  errorMessage,
  formatCode,
  formatMoney,
  translator,
  uuidv7,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import { signUpShopperOverHttp } from '@cashin/scripts/testing/shopper-sign-up';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import { tillMessages } from '../../web/till/messages.js';
import { nextPhone, testOpsToken } from '../test-support/test-app.js';
import type { WebTestServer } from './web-test-server.js';
import { signInClerkOverOps, startWebTestServer } from './web-test-server.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, wedgeScan } from './web-test-page.js';

// The till's and the ops console's local behaviour in Debian's Chromium against the real server: the
// till's sign-in form, and its scan and amount steps, which check codes and amounts before any call that
// moves money (the amount step looks the scanned code up); the
// ops console's code lookup and reversal. The whole flows, with money, are till-flow.test.ts and
// ops-flow.test.ts.
let server: WebTestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['till', 'ops'] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The deposit code of a shopper who just signed up. */
async function shopperCode(): Promise<Code> {
  const shopper = await signUpShopperOverHttp({
    baseUrl: server.url,
    signUp: { phone: nextPhone(), name: 'Maria Gonzalez', language: 'en', currency: 'USD' },
    codeFor: (to) => server.otpFor(to),
  });
  return shopper.depositCode;
}

async function openPage(language: Language, size: ScreenSize): Promise<Page> {
  return (await newContext(browser, language, size)).newPage();
}

describe('the clerk till', () => {
  it.each([
    ['en', 'phone'],
    ['es', 'desktop'],
  ] as const)('shows the sign-in screen (%s, %s)', async (language, size) => {
    const t = translator(tillMessages, language);
    const page = await openPage(language, size);
    try {
      await page.goto(`${server.url}/till/`);
      await expectHeading(page, t('signIn.title'));
      expect(await page.getByRole('button', { name: t('signIn.submit') }).isDisabled()).toBe(true);
      await page.getByLabel(t('signIn.store')).fill('store-1');
      await page.getByLabel(t('signIn.clerk')).fill('clerk-1');
      await page.getByLabel(t('signIn.pin')).fill('12ab34');
      // Only digits reach the PIN field.
      expect(await page.getByLabel(t('signIn.pin')).inputValue()).toBe('1234');
      expect(await page.getByRole('button', { name: t('signIn.submit') }).isDisabled()).toBe(false);
      await expectAccessible(page, `till-${language}-${size}-01-sign-in`);
    } finally {
      await page.context().close();
    }
  });

  it('catches a wedge scanner burst wherever focus is, and takes typed digits with check-digit feedback', async () => {
    const t = translator(tillMessages, 'en');
    const page = await openPage('en', 'desktop');
    try {
      // A clerk of a real store, signed in as the sign-in form would leave the session in this tab: the
      // amount step looks each scanned code up with it. The codes are two shoppers' real deposit codes.
      const session = await signInClerkOverOps(server);
      const [code, second] = await Promise.all([shopperCode(), shopperCode()]);
      await page.goto(`${server.url}/till/`);
      await page.evaluate(
        `sessionStorage.setItem('cashin.till.session', ${JSON.stringify(JSON.stringify(session))})`,
      );
      await page.reload();
      await expectHeading(page, t('scan.title'));
      await expectAccessible(page, 'till-en-desktop-02-scan');

      // A scanner types the whole code in a few ms per key, then Enter, with focus on the page heading.
      await wedgeScan(page, code);
      await expectHeading(page, t('amount.title'));
      expect(await page.locator('.code-line').textContent()).toBe(
        t('amount.code', { code: formatCode(code) }),
      );
      // The clerk types an amount, then another code is scanned into the amount field: said, and the
      // amount typed stays as it was, the scanned digits taken out.
      const amountField = page.getByLabel(t('amount.field', { currency: 'USD' }));
      await amountField.focus();
      await page.keyboard.type('12', { delay: 120 });
      await wedgeScan(page, second);
      await expect.poll(() => page.getByRole('status').first().textContent()).toBe(t('amount.scanIgnored'));
      expect(await amountField.inputValue()).toBe('12');
      expect(await page.locator('.code-line').textContent()).toBe(
        t('amount.code', { code: formatCode(code) }),
      );
      await page.getByRole('button', { name: t('amount.back') }).click();
      await expectHeading(page, t('scan.title'));

      // The same burst with the cursor in the code field: it is a scan, and not one digit lands in the field.
      const field = page.getByLabel(t('scan.code'));
      await field.focus();
      await wedgeScan(page, second);
      await expectHeading(page, t('amount.title'));
      expect(await page.locator('.code-line').textContent()).toBe(
        t('amount.code', { code: formatCode(second) }),
      );
      await page.getByRole('button', { name: t('amount.back') }).click();
      await expectHeading(page, t('scan.title'));

      // A person typing (slowly) gets their digits in the field, with the check digit checked at the end.
      const typed = page.getByLabel(t('scan.code'));
      await typed.focus();
      const wrongLast = String((Number(code.at(-1)) + 1) % 10);
      await page.keyboard.type(code.slice(0, -1) + wrongLast, { delay: 120 });
      await expect.poll(() => typed.inputValue()).toBe(formatCode((code.slice(0, -1) + wrongLast) as never));
      await expect.poll(() => page.locator('#code-status').textContent()).toBe(t('scan.invalid'));
      expect(await page.getByRole('button', { name: t('scan.continue') }).isDisabled()).toBe(true);
      await expectAccessible(page, 'till-en-desktop-03-scan-wrong-digit');
      await page.keyboard.press('Backspace');
      await page.keyboard.type(code.at(-1) ?? '', { delay: 120 });
      await expect.poll(() => page.locator('#code-status').textContent()).toBe(t('scan.complete'));
      await page.getByRole('button', { name: t('scan.continue') }).click();
      await expectHeading(page, t('amount.title'));

      // The denomination helper adds bills to the amount; the amount is shown in the store's currency.
      const twenty = t('amount.add', { value: formatMoney(2_000, 'USD', 'en-US') });
      await page.getByRole('button', { name: twenty }).click();
      await page.getByRole('button', { name: twenty }).click();
      await page
        .getByRole('button', { name: t('amount.add', { value: formatMoney(500, 'USD', 'en-US') }) })
        .click();
      expect(await page.getByLabel(t('amount.field', { currency: 'USD' })).inputValue()).toBe('45.00');
      await expect.poll(() => page.locator('#amount-status').textContent()).toBe('$45.00');
      await expectAccessible(page, 'till-en-desktop-04-amount');
    } finally {
      await page.context().close();
    }
  });
});

describe('the ops console', () => {
  it.each([
    ['en', 'desktop'],
    ['es', 'phone'],
  ] as const)(
    'looks up a code and reverses a deposit through the real routes (%s, %s)',
    async (language, size) => {
      const t = translator(opsMessages, language);
      const shot = (name: string): string => `ops-${language}-${size}-${name}`;
      // A shopper with a credited deposit, made through the server's own routes.
      const phone = nextPhone();
      const shopper = await signUpShopperOverHttp({
        baseUrl: server.url,
        signUp: { phone, name: 'Maria Gonzalez', language, currency: 'USD' },
        codeFor: (to) => server.otpFor(to),
      });
      const drawer = await server.ops(
        'POST',
        '/v1/ops/cash-accounts',
        { kind: 'storeDrawer', ownerRef: 'ops-test', currency: 'USD' },
        CashAccountResponseSchema,
      );
      const deposit = await server.ops(
        'POST',
        '/v1/deposits',
        {
          id: uuidv7(),
          code: shopper.depositCode,
          amountMinor: 3_000,
          currency: 'USD',
          sourceAccountId: drawer.accountId,
        },
        DepositReceiptSchema,
      );

      const page = await openPage(language, size);
      try {
        await page.goto(`${server.url}/ops/lookup`);
        await expectHeading(page, t('signIn.title'));
        await expectAccessible(page, shot('01-sign-in'));
        // Staff sign in with a username and password (ops-flow.test.ts); this test uses the service token.
        await page.getByRole('button', { name: t('signIn.withToken') }).click();
        await page.getByLabel(t('signIn.token')).fill(testOpsToken);
        await page.getByRole('button', { name: t('signIn.submit') }).click();
        await expectHeading(page, t('lookup.title'));

        // A malformed code is refused before any call; a real one shows the masked name the server gives.
        await page.getByLabel(t('lookup.code')).fill('1234');
        await page.getByRole('button', { name: t('lookup.submit') }).click();
        await expect
          .poll(() => page.getByRole('alert').textContent())
          .toBe(errorMessage('CODE_MALFORMED', language));
        await page.getByLabel(t('lookup.code')).fill(formatCode(shopper.depositCode as never));
        await page.getByRole('button', { name: t('lookup.submit') }).click();
        await expect
          .poll(() => page.getByTestId('lookup-result').locator('dd').first().textContent())
          .toBe('Maria G.');
        await expectAccessible(page, shot('02-lookup'));

        await page.getByRole('link', { name: t('nav.reversals') }).click();
        await expectHeading(page, t('reversals.title'));
        expect(new URL(page.url()).pathname).toBe('/ops/reversals');
        await page.getByLabel(t('reversals.deposit')).fill(deposit.depositId);
        await page.getByLabel(t('reversals.reason')).fill('Counterfeit bill found in the drawer');
        await page.getByRole('button', { name: t('reversals.submit') }).click();
        await expect
          .poll(() => page.getByRole('status').first().textContent())
          .toBe(
            t('reversals.done', {
              amount: formatMoney(3_000, 'USD', language === 'es' ? 'es-US' : 'en-US'),
              deposit: deposit.depositId,
              result: 'created',
            }),
          );
        await expectAccessible(page, shot('03-reversed'));

        // The ledger agrees: the shopper's wallet shows the deposit reversed and a zero balance.
        await fetch(`${server.url}/v1/auth/otp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone }),
        });
        const session = await fetch(`${server.url}/v1/auth/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone, otp: await server.otpFor(phone) }),
        });
        const { token } = (await session.json()) as { token: string };
        const walletResponse = await fetch(`${server.url}/v1/me/wallet`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const wallet = WalletResponseSchema.parse(await walletResponse.json());
        expect(wallet.balanceMinor).toBe(0);
        expect(wallet.history.find((entry) => entry.transferId === deposit.depositId)?.status).toBe(
          'reversed',
        );
      } finally {
        await page.context().close();
      }
    },
  );
});
