import type { Language } from '@cashin/shared';
import {
  ClerkListSchema,
  FakeClock,
  OpsStoreSchema,
  errorMessage,
  opsApiPaths,
  tillApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, withPage, signInToOps } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// A store's clerks in the ops console, in Debian's Chromium against the real server: ops add a clerk, who
// signs in at the till; ops disable the clerk (the till session ends, sign-in answers CLERK_DISABLED),
// enable it again, and after the clerk locks themselves out with wrong PINs, give a new PIN typed twice
// (the old PIN stops working, the lockout ends, the new PIN signs in). A PIN reset sent after the
// operator's session ended shows the server's refusal in the console's language and changes nothing.
let server: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['ops'], clock });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Answer {
  status: number;
  code: string | undefined;
  token: string | undefined;
}

async function answerOf(response: Response): Promise<Answer> {
  const json = (await response.json()) as { error?: { code: string }; token?: string };
  return { status: response.status, code: json.error?.code, token: json.token };
}

/** A clerk's sign-in at the till, as the till's browser sends it. */
async function clerkSignIn(storeId: string, clerkId: string, pin: string): Promise<Answer> {
  return answerOf(
    await fetch(`${server.url}${tillApiPaths.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId, clerkId, pin }),
    }),
  );
}

async function clerkShift(token: string): Promise<Answer> {
  return answerOf(
    await fetch(`${server.url}${tillApiPaths.shift}`, { headers: { authorization: `Bearer ${token}` } }),
  );
}

async function clerksJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const shot = (name: string): string => `ops-clerks-${language}-${size}-${name}`;
  const clerkName = language === 'en' ? 'Carla Mendez' : 'Rosa Jiménez';
  const firstPin = '482916';
  const newPin = '7315';
  // Two stores, so the list must be turned to the right one.
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Corner Shop ${language} ${size}`, currency: 'USD', timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Other Shop ${language} ${size}`, currency: 'USD', timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page, errors) => {
    const alertText = () => page.getByRole('alert').first().textContent();
    const statusText = () => page.getByRole('status').first().textContent();
    await signInToOps(page, server, language, `clerks.${language}.${size}`, {
      section: 'stores',
      headingKey: 'stores.title',
      name: 'Pablo Ops',
    });

    // A clerk for a store number nobody has: the server's NOT_FOUND, in the console's language.
    await page.getByLabel(t('clerks.store')).fill('S99999');
    await page.getByLabel(t('clerks.name')).fill(clerkName);
    await page.getByLabel(t('clerks.pin')).fill(firstPin);
    await page.getByRole('button', { name: t('clerks.create') }).click();
    await expect.poll(alertText).toBe(errorMessage('NOT_FOUND', language));

    // Added to the right store, the clerk shows in that store's list, which the screen turns to.
    await page.getByLabel(t('clerks.store')).fill(store.id);
    await page.getByLabel(t('clerks.pin')).fill(firstPin);
    await page.getByRole('button', { name: t('clerks.create') }).click();
    await expect
      .poll(statusText)
      .toMatch(new RegExp(`^${t('clerks.created', { name: clerkName, id: 'C\\d+' })}$`));
    const clerks = await server.ops('GET', opsApiPaths.clerks(store.id), undefined, ClerkListSchema);
    expect(clerks.clerks.map((clerk) => clerk.name)).toEqual([clerkName]);
    const clerkId = clerks.clerks[0]!.id;
    const list = page.getByRole('region', {
      name: t('clerks.listTitle', { store: store.name, id: store.id }),
    });
    const row = list.locator('tbody tr', { hasText: clerkId });
    await expect.poll(() => row.locator('.status').allTextContents()).toEqual([t('clerks.active')]);
    expect(await page.getByLabel(t('clerks.ofStore')).inputValue()).toBe(store.id);
    await expectAccessible(page, shot('01-list'));

    const signedIn = await clerkSignIn(store.id, clerkId, firstPin);
    expect(signedIn.status).toBe(201);

    // Disabling asks first; Cancel leaves the clerk as they were.
    await row.getByRole('button', { name: t('clerks.disable', { name: clerkName }), exact: true }).click();
    const disableForm = page.getByRole('form', {
      name: t('clerks.disableTitle', { name: clerkName, id: clerkId }),
    });
    await expect.poll(() => disableForm.count()).toBe(1);
    await expectAccessible(page, shot('02-disable-dialog'));
    await disableForm.getByRole('button', { name: t('cancel') }).click();
    expect(await disableForm.count()).toBe(0);
    expect((await clerkShift(signedIn.token!)).status).toBe(200);
    await row.getByRole('button', { name: t('clerks.disable', { name: clerkName }), exact: true }).click();
    await disableForm.getByRole('button', { name: t('clerks.disableSubmit') }).click();
    await expect.poll(statusText).toBe(t('clerks.disabledNotice', { name: clerkName }));
    await expect
      .poll(() =>
        row.getByRole('button', { name: t('clerks.enable', { name: clerkName }), exact: true }).count(),
      )
      .toBe(1);
    await expect.poll(() => row.locator('.status').allTextContents()).toEqual([t('clerks.disabled')]);
    await expectAccessible(page, shot('03-list-disabled'));
    // The till's session ended with the disable; the right PIN now says why it cannot sign in.
    expect((await clerkShift(signedIn.token!)).code).toBe('UNAUTHENTICATED');
    expect((await clerkSignIn(store.id, clerkId, firstPin)).code).toBe('CLERK_DISABLED');

    await row.getByRole('button', { name: t('clerks.enable', { name: clerkName }), exact: true }).click();
    await expect.poll(statusText).toBe(t('clerks.enabledNotice', { name: clerkName }));
    await expect.poll(() => row.locator('.status').allTextContents()).toEqual([t('clerks.active')]);
    expect((await clerkSignIn(store.id, clerkId, firstPin)).status).toBe(201);

    // The clerk forgets the PIN and locks themselves out; Refresh shows it.
    const { pinAttemptsMax } = server.kit().config.limits.system;
    for (let n = 0; n < pinAttemptsMax; n += 1) await clerkSignIn(store.id, clerkId, '0000');
    expect((await clerkSignIn(store.id, clerkId, firstPin)).code).toBe('PIN_LOCKED');
    await page.getByRole('button', { name: t('refresh') }).click();
    await expect.poll(() => row.locator('.status').allTextContents()).toEqual([t('clerks.locked')]);

    // A new PIN is typed twice and not sent until both agree.
    await row.getByRole('button', { name: t('clerks.newPin', { name: clerkName }) }).click();
    const pinForm = page.getByRole('form', { name: t('clerks.pinTitle', { name: clerkName, id: clerkId }) });
    const submitPin = pinForm.getByRole('button', { name: t('clerks.pinSubmit') });
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('clerk-new-pin');
    await pinForm.getByLabel(t('clerks.newPinField')).fill(newPin);
    await pinForm.getByLabel(t('clerks.newPinAgain')).fill('7351');
    await expect.poll(() => pinForm.locator('.field-status').textContent()).toBe(t('clerks.pinsDiffer'));
    expect(await submitPin.isDisabled()).toBe(true);
    await expectAccessible(page, shot('04-pin-dialog-differ'));
    await pinForm.getByLabel(t('clerks.newPinAgain')).fill(newPin);
    await expect.poll(() => pinForm.locator('.field-status').textContent()).toBe(t('clerks.pinsMatch'));
    expect(await submitPin.isDisabled()).toBe(false);
    await expectAccessible(page, shot('05-pin-dialog-match'));
    await submitPin.click();
    await expect.poll(statusText).toBe(t('clerks.pinNotice', { name: clerkName }));
    await expect.poll(() => pinForm.count()).toBe(0);
    await expect.poll(() => row.locator('.status').allTextContents()).toEqual([t('clerks.active')]);
    await expectAccessible(page, shot('06-list-after-reset'));
    expect((await clerkSignIn(store.id, clerkId, firstPin)).code).toBe('PIN_INVALID');
    expect((await clerkSignIn(store.id, clerkId, newPin)).status).toBe(201);

    // The operator's session ends (signed out in another tab) while the PIN form is open: the reset is
    // refused with the server's code, in the console's language, and the PIN stays as it was.
    await row.getByRole('button', { name: t('clerks.newPin', { name: clerkName }) }).click();
    await pinForm.getByLabel(t('clerks.newPinField')).fill('2468');
    await pinForm.getByLabel(t('clerks.newPinAgain')).fill('2468');
    const opsToken = await page.evaluate<string | null>("sessionStorage.getItem('cashin.ops.token')");
    const signedOut = await fetch(`${server.url}${opsApiPaths.session}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${String(opsToken)}` },
    });
    expect(signedOut.status).toBe(204);
    await submitPin.click();
    await expect.poll(alertText).toBe(errorMessage('UNAUTHENTICATED', language));
    await expectHeading(page, t('signIn.title'));
    await expectAccessible(page, shot('07-signed-out'));
    expect((await clerkSignIn(store.id, clerkId, newPin)).status).toBe(201);
    // Chromium logs each refused request (the 404 and the 401 above); anything else is the page's fault.
    expect(errors.filter((error) => !error.startsWith('Failed to load resource'))).toEqual([]);
  });
}

describe("the ops console's clerks", () => {
  it('disables, enables and gives a new PIN to a clerk (en, desktop)', async () => {
    await clerksJourney('en', 'desktop');
  }, 60_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await clerksJourney('es', 'phone');
  }, 60_000);
});
