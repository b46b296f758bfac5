import type { Language } from '@cashin/shared';
import {
  CashAccountResponseSchema,
  DepositReceiptSchema,
  ReversalResponseSchema,
  errorMessage,
  formatMoney,
  localeFor,
  translator,
  uuidv7,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import { signUpShopperOverHttp } from '@cashin/scripts/testing/shopper-sign-up';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import { nextPhone } from '../test-support/test-app.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, signInToOps, withPage } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// The ops console's Shoppers screen in Debian's Chromium against the real server: an operator on a
// support call finds a shopper by the phone number they read out, sees the wallet as the shopper's app
// shows it (a deposit credited, another reversed, with the ids a reversal names), and marks the identity
// checked, after which the shopper may deposit more.
let server: WebTestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['ops'] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function journey(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const money = (minor: number): string => formatMoney(minor, 'USD', localeFor(language, 'USD'));
  const shot = (name: string): string => `ops-shoppers-${language}-${size}-${name}`;

  // Ana signed up with her phone and deposited twice at a till; ops reversed the second deposit.
  const phone = nextPhone();
  const ana = await signUpShopperOverHttp({
    baseUrl: server.url,
    signUp: { phone, name: 'Ana Ruiz', language, currency: 'USD' },
    codeFor: (to) => server.otpFor(to),
  });
  const drawer = await server.ops(
    'POST',
    '/v1/ops/cash-accounts',
    { kind: 'storeDrawer', ownerRef: `ops-shoppers-${language}`, currency: 'USD' },
    CashAccountResponseSchema,
  );
  const deposit = (amountMinor: number) =>
    server.ops(
      'POST',
      '/v1/deposits',
      {
        id: uuidv7(),
        code: ana.depositCode,
        amountMinor,
        currency: 'USD',
        sourceAccountId: drawer.accountId,
      },
      DepositReceiptSchema,
    );
  const kept = await deposit(2_000);
  const mistaken = await deposit(1_500);
  await server.ops(
    'POST',
    '/v1/reversals',
    { id: uuidv7(), depositId: mistaken.depositId, reason: 'Clerk keyed the wrong code' },
    ReversalResponseSchema,
  );

  await withPage(await newContext(browser, language, size), shot('failed'), async (page, errors) => {
    await signInToOps(page, server, language, `shoppers.${language}-${size}`);
    await page.getByRole('link', { name: t('nav.shoppers') }).click();
    await expectHeading(page, t('shoppers.title'));
    const phoneField = page.getByLabel(t('shoppers.phone'));
    const find = page.getByRole('button', { name: t('shoppers.find') });

    // A number read out wrong: no such wallet, said in words; one too short is refused as a number.
    const unknown = nextPhone();
    await phoneField.fill(unknown);
    await find.click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('shoppers.none', { phone: unknown }));
    await phoneField.fill('555 0100');
    await find.click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe(errorMessage('PHONE_INVALID', language));

    // As read out on the phone, with spaces: the wallet as Ana's app shows it.
    await phoneField.fill(`${phone.slice(0, 2)} ${phone.slice(2, 5)} ${phone.slice(5, 8)} ${phone.slice(8)}`);
    await find.click();
    const facts = page.getByTestId('shopper-facts');
    await expect.poll(() => facts.count()).toBe(1);
    expect(await facts.textContent()).toContain('Ana Ruiz');
    expect(await facts.textContent()).toContain(phone);
    expect(await page.getByTestId('shopper-balance').textContent()).toBe(money(2_000));
    expect(await page.getByTestId('shopper-tier').textContent()).toBe(t('shoppers.tier.0'));
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
    const rowOf = (id: string) => page.locator('tbody tr', { hasText: id });
    expect(await rowOf(kept.depositId).textContent()).toContain(t('shoppers.status.credited'));
    expect(await rowOf(mistaken.depositId).textContent()).toContain(t('shoppers.status.reversed'));
    await expectAccessible(page, shot('01-found'));

    // Ana showed her ID at the store: the operator marks it checked, and her limits rise at once.
    const remainingBefore = await page.getByTestId('shopper-remaining').textContent();
    await page.getByRole('button', { name: t('shoppers.raiseTier') }).click();
    await expectAccessible(page, shot('02-tier-ask'));
    await page.getByRole('button', { name: t('shoppers.tierConfirm') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('shoppers.tierChanged', { name: 'Ana Ruiz', tier: t('shoppers.tier.1') }));
    await expect.poll(() => page.getByTestId('shopper-tier').textContent()).toBe(t('shoppers.tier.1'));
    expect(await page.getByTestId('shopper-remaining').textContent()).not.toBe(remainingBefore);
    expect(await page.getByRole('button', { name: t('shoppers.lowerTier') }).count()).toBe(1);
    await expectAccessible(page, shot('03-tier-changed'));
    // The browser logs the unknown number's 404 as a failed load; the screen put it in words. Nothing else.
    expect(errors.filter((error) => !/\b404\b/.test(error))).toEqual([]);
  });
  const after = await fetch(`${server.url}/v1/me/wallet`, {
    headers: { authorization: `Bearer ${ana.token}` },
  });
  expect(((await after.json()) as { shopper: { kycTier: number } }).shopper.kycTier).toBe(1);
}

describe('ops finds a shopper by phone', () => {
  it('shows the wallet and changes the identity tier (en, 360 px phone)', async () => {
    await journey('en', 'phone');
  }, 120_000);

  it('does the same in Spanish at desktop size', async () => {
    await journey('es', 'desktop');
  }, 120_000);
});
