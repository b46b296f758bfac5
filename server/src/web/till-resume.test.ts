import {
  ClerkSchema,
  OpsStoreSchema,
  ShiftSummarySchema,
  WalletResponseSchema,
  defaultLimits,
  errorMessage,
  formatCode,
  maskCode,
  opsApiPaths,
  tillApiPaths,
  translator,
} from '@cashin/shared';
import type { Code } from '@cashin/shared';
import { launchChromium, screenshotPath } from '@cashin/scripts/testing/browser';
import { signUpShopperOverHttp } from '@cashin/scripts/testing/shopper-sign-up';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tillMessages } from '../../web/till/messages.js';
import { nextPhone } from '../test-support/test-app.js';
import { expectAccessible, expectHeading, newContext, pageErrorsOf, wedgeScan } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { SkippableClock, startWebTestServer } from './web-test-server.js';

// The till in Debian's Chromium when things go wrong mid-deposit: a tab closed while its commit was on
// the way, a commit refused without being settled, an authorization whose answer was lost until it
// expired, and a commit whose money could only go to suspense. The happy path is till-flow.test.ts.

let server: WebTestServer;
let browser: Browser;
const clock = new SkippableClock();
const t = translator(tillMessages, 'en');
const amountLabel = t('amount.field', { currency: 'USD' });
const pendingKeyPrefix = 'cashin.till.pendingCommit.';

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['till'], clock });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Counter {
  readonly store: { id: string; name: string };
  readonly clerk: { id: string };
  readonly pin: string;
}

async function openCounter(): Promise<Counter> {
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Corner ${nextPhone()}`, currency: 'USD', timeZone: 'America/New_York' },
    OpsStoreSchema,
  );
  const pin = '482916';
  const clerk = await server.ops(
    'POST',
    opsApiPaths.clerks(store.id),
    { name: 'Carla Mendez', pin },
    ClerkSchema,
  );
  return { store, clerk, pin };
}

/** A shopper signed up and in over HTTP, reading the one-time code from the development inbox. */
async function signUpShopper(): Promise<{ token: string; depositCode: Code }> {
  return signUpShopperOverHttp({
    baseUrl: server.url,
    signUp: { phone: nextPhone(), name: 'Maria Gonzalez', language: 'en', currency: 'USD' },
    codeFor: (phone) => server.otpFor(phone),
  });
}

async function walletBalance(token: string): Promise<number> {
  const response = await fetch(`${server.url}/v1/me/wallet`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return WalletResponseSchema.parse(await response.json()).balanceMinor;
}

async function signIn(page: Page, counter: Counter): Promise<void> {
  await page.goto(`${server.url}/till/`);
  await expectHeading(page, t('signIn.title'));
  await page.getByLabel(t('signIn.store')).fill(counter.store.id);
  await page.getByLabel(t('signIn.clerk')).fill(counter.clerk.id);
  await page.getByLabel(t('signIn.pin')).fill(counter.pin);
  await page.getByRole('button', { name: t('signIn.submit') }).click();
}

/** Scan, amount, check: the till on its check screen, the clerk about to confirm. */
async function upToCheck(page: Page, code: Code, typed: string): Promise<void> {
  await expectHeading(page, t('scan.title'));
  await wedgeScan(page, code);
  await expectHeading(page, t('amount.title'));
  await page.getByLabel(amountLabel).fill(typed);
  await page.getByRole('button', { name: t('amount.continue') }).click();
}

async function pendingCommitOf(page: Page, storeId: string): Promise<string | null> {
  return page.evaluate<string | null>(
    `localStorage.getItem(${JSON.stringify(`${pendingKeyPrefix}${storeId}`)})`,
  );
}

/** Runs `body` with a fresh browser context, keeping screenshots of every page when it fails. */
async function inContext(name: string, body: (context: BrowserContext, errors: string[]) => Promise<void>) {
  const context = await newContext(browser, 'en', 'desktop');
  const errors: string[] = [];
  context.on('page', (page) => errors.push(...pageErrorsOf(page)));
  try {
    await body(context, errors);
  } catch (error) {
    for (const [n, page] of context.pages().entries())
      await page.screenshot({
        path: screenshotPath('web', `till-resume-${name}-failed-${n}`),
        fullPage: true,
      });
    throw new Error(`${String(error)}; page errors: ${errors.join(' | ')}`, { cause: error });
  } finally {
    await context.close();
  }
}

describe('the till when a deposit is interrupted', () => {
  it('resumes a commit after the tab closed mid-commit, and the deposit is credited once', async () => {
    await inContext('closed', async (context) => {
      const counter = await openCounter();
      const shopper = await signUpShopper();
      const first = await context.newPage();
      await signIn(first, counter);
      await upToCheck(first, shopper.depositCode, '20.00');
      await expectHeading(first, t('check.title'));
      // The commit reaches the server and is credited; the tab closes before the answer is read.
      let reachedServer!: () => void;
      const reached = new Promise<void>((resolve) => (reachedServer = resolve));
      await first.route('**/v1/till/authorizations/*/commit', async (route) => {
        await route.fetch();
        reachedServer();
        // No answer: the page goes away with the request open.
      });
      await first.getByRole('button', { name: t('check.confirm') }).click();
      await reached;
      expect(JSON.parse((await pendingCommitOf(first, counter.store.id)) ?? 'null')).toMatchObject({
        amountMinor: 2_000,
        storeId: counter.store.id,
        codeMasked: maskCode(shopper.depositCode),
      });
      await first.close();
      expect(await walletBalance(shopper.token)).toBe(2_000);

      // A new tab (the session went with the old one): once a clerk of the store signs in, the till
      // re-sends the same commit before anything else. Its first answer is lost too, to show the screen.
      const second = await context.newPage();
      await second.route('**/v1/till/authorizations/*/commit', (route) => route.abort('connectionreset'), {
        times: 1,
      });
      await signIn(second, counter);
      await expectHeading(second, t('committing.retryTitle'));
      expect(await second.locator('.banner').first().textContent()).toBe(t('committing.resumed'));
      await expectAccessible(second, 'till-resume-01-resumed-commit');
      expect(await pendingCommitOf(second, counter.store.id)).not.toBeNull();
      await second.getByRole('button', { name: t('committing.retry') }).click();
      await expectHeading(second, t('done.title'));
      expect(await pendingCommitOf(second, counter.store.id)).toBeNull();
      expect(await walletBalance(shopper.token)).toBe(2_000);

      // Signing out ends the session on the server, not only in this tab.
      const token = (
        JSON.parse(
          (await second.evaluate<string | null>("sessionStorage.getItem('cashin.till.session')")) ?? '{}',
        ) as { token: string }
      ).token;
      const shift = await fetch(`${server.url}${tillApiPaths.shift}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(ShiftSummarySchema.parse(await shift.json()).deposits).toEqual({ count: 1, totalMinor: 2_000 });
      await second.getByRole('button', { name: t('done.next') }).click();
      await expectHeading(second, t('scan.title'));
      await second.getByRole('button', { name: t('bar.signOut') }).click();
      await expectHeading(second, t('signIn.title'));
      await expect
        .poll(async () => {
          const after = await fetch(`${server.url}${tillApiPaths.shift}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          return ((await after.json()) as { error?: { code: string } }).error?.code;
        })
        .toBe('UNAUTHENTICATED');
    });
  }, 90_000);

  it('keeps a commit refused without an outcome, tells the clerk to call support, and resumes it on reload', async () => {
    await inContext('unresolved', async (context) => {
      const counter = await openCounter();
      const shopper = await signUpShopper();
      const page = await context.newPage();
      await signIn(page, counter);
      await upToCheck(page, shopper.depositCode, '30.00');
      await expectHeading(page, t('check.title'));
      // As a commit answered after another clerk's sign-in took over the till would be refused.
      await page.route(
        '**/v1/till/authorizations/*/commit',
        (route) =>
          route.fulfill({
            status: 403,
            contentType: 'application/json',
            body: JSON.stringify({
              error: { code: 'FORBIDDEN', message: 'forbidden', messageKey: 'error.forbidden' },
            }),
          }),
        { times: 1 },
      );
      await page.getByRole('button', { name: t('check.confirm') }).click();
      await expectHeading(page, t('committing.unresolvedTitle'));
      expect(await page.getByRole('alert').textContent()).toBe(errorMessage('FORBIDDEN', 'en'));
      expect(await page.getByText(t('failed.body')).count()).toBe(0);
      await expectAccessible(page, 'till-resume-02-unresolved');
      expect(await pendingCommitOf(page, counter.store.id)).not.toBeNull();
      expect(await walletBalance(shopper.token)).toBe(0);
      await page.reload();
      await expectHeading(page, t('done.title'));
      expect(await walletBalance(shopper.token)).toBe(3_000);
      expect(await pendingCommitOf(page, counter.store.id)).toBeNull();
    });
  }, 90_000);

  it('starts a fresh authorization when a re-sent one comes back expired', async () => {
    await inContext('expired', async (context) => {
      const counter = await openCounter();
      const shopper = await signUpShopper();
      const page = await context.newPage();
      const sentIds: string[] = [];
      page.on('request', (request) => {
        if (request.method() === 'POST' && request.url().endsWith(tillApiPaths.authorizations))
          sentIds.push((request.postDataJSON() as { authorizationId: string }).authorizationId);
      });
      await signIn(page, counter);
      // The authorization is made but its answer is lost; by the time the clerk retries it has expired.
      await page.route(
        `**${tillApiPaths.authorizations}`,
        async (route) => {
          await route.fetch();
          await route.abort('connectionreset');
        },
        { times: 1 },
      );
      await upToCheck(page, shopper.depositCode, '25.00');
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe(errorMessage('SERVER_UNREACHABLE', 'en'));
      clock.skip(defaultLimits.system.tillAuthorizationTtlMs);
      await page.getByRole('button', { name: t('amount.continue') }).click();
      await expectHeading(page, t('check.title'));
      expect(await page.locator('.banner').first().textContent()).toBe(t('check.renewed'));
      expect(sentIds).toHaveLength(3);
      expect(sentIds[1]).toBe(sentIds[0]);
      expect(sentIds[2]).not.toBe(sentIds[0]);
      await expectAccessible(page, 'till-resume-03-renewed-check');
      await page.getByRole('button', { name: t('check.confirm') }).click();
      await expectHeading(page, t('done.title'));
      expect(await walletBalance(shopper.token)).toBe(2_500);
    });
  }, 90_000);

  it('says a commit went to suspense, shows the claim code and offers no void', async () => {
    await inContext('suspense', async (context) => {
      const counter = await openCounter();
      const shopper = await signUpShopper();
      const page = await context.newPage();
      await signIn(page, counter);
      await upToCheck(page, shopper.depositCode, '40.00');
      await expectHeading(page, t('check.title'));
      // No route revokes a code behind an open authorization today; the row is set as if long revoked.
      await server.db.transaction((tx) =>
        tx.run("UPDATE deposit_codes SET status = 'revoked', revoked_at_ms = ? WHERE code = ?", [
          clock.nowMs() - 10 * defaultLimits.system.codeRotationGraceMs,
          shopper.depositCode,
        ]),
      );
      await page.getByRole('button', { name: t('check.confirm') }).click();
      await expectHeading(page, t('done.suspenseTitle'));
      const claimCode = (await page.getByTestId('claim-code').textContent()) ?? '';
      expect(claimCode.replace(/\D/g, '')).toMatch(/^\d{12,20}$/);
      expect(await page.locator('.receipt').textContent()).toContain(claimCode);
      expect(await page.locator('.receipt').textContent()).toContain(t('receipt.statusSuspense'));
      expect(await page.getByRole('button', { name: t('done.void') }).count()).toBe(0);
      await expectAccessible(page, 'till-resume-04-suspense');
      expect(await walletBalance(shopper.token)).toBe(0);
      expect(formatCode(claimCode.replace(/\D/g, '') as Code)).toBe(claimCode);
    });
  }, 90_000);
});
