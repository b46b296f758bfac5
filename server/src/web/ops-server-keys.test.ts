import type { HeartbeatRequest, Language } from '@cashin/shared';
import {
  FakeClock,
  HeartbeatResponseSchema,
  OpsStoreSchema,
  ServerKeyRolloverSchema,
  localeFor,
  opsApiPaths,
  terminalApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { newKeyPair, signedPost } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, newContext, signInToOps, withPage } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { enrollKioskOverOps, startWebTestServer } from './web-test-server.js';

// The Fleet screen's panel on the server's answer-signing key, in Debian's Chromium against the real
// server, whose clock the test holds. A server with no rollover under way says which key signs and no
// more. A server that lists the next key in SERVER_TRUSTED_KEYS names the kiosks whose heartbeats do not
// list every key yet (one on older software that never says, then says only the key it was enrolled
// with), and, once each kiosk beats with both, says the signing key can be switched.
let plainServer: WebTestServer;
let rolloverServer: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());
const heartbeatIntervalMs = 60_000;
/** The next key of the rollover: the public half that SERVER_TRUSTED_KEYS lists. */
const nextKey = newKeyPair().publicKey;
/** Kiosks enrolled on the rollover server so far, by the journeys before this one. */
let rolloverEnrolled = 0;

beforeAll(async () => {
  // One after the other: two builds at once on a small machine are no faster.
  plainServer = await startWebTestServer({ apps: ['ops'], clock });
  rolloverServer = await startWebTestServer({
    apps: ['ops'],
    clock,
    env: { SERVER_TRUSTED_KEYS: nextKey },
  });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await plainServer?.close();
  await rolloverServer?.close();
});

/** A heartbeat; `serverKeys` undefined is a kiosk whose software does not say which keys it holds. */
function heartbeat(serverKeys?: string[]): HeartbeatRequest {
  return {
    softwareVersion: '2.4.0',
    uptimeMs: 60_000,
    devices: [],
    outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
    bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
    lastError: null,
    ...(serverKeys === undefined ? {} : { serverKeys }),
  };
}

/** Beats as the kiosk, a minute after the last beat; answers the keys the server hands it. */
async function beat(kit: TestApp, kiosk: TestKiosk, serverKeys?: string[]): Promise<string[]> {
  clock.advance(heartbeatIntervalMs);
  const response = await signedPost(kit, kiosk, terminalApiPaths.heartbeat, heartbeat(serverKeys));
  expect(response.statusCode, response.body).toBe(200);
  return HeartbeatResponseSchema.parse(response.json()).serverKeys;
}

/** A time as the console shows it (words.dateTime), formatted by the page's own Intl. */
async function shownDateTime(page: Page, locale: string, epochMs: number): Promise<string> {
  return page.evaluate(
    ([inLocale, at]) =>
      new Intl.DateTimeFormat(inLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(at),
    [locale, epochMs] as const,
  );
}

/** A key as the panel shows it: its first 8 characters. */
const shortKey = (publicKey: string): string => `${publicKey.slice(0, 8)}…`;

async function serverKeysJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const locale = localeFor(language, 'USD');
  const shot = (name: string): string => `ops-server-keys-${language}-${size}-${name}`;
  const tag = `${language}-${size}`;

  // No rollover under way: one line, naming the signing key.
  const plain = await plainServer.ops('GET', opsApiPaths.serverKeys, undefined, ServerKeyRolloverSchema);
  expect(plain.trustedKeys).toEqual([]);
  await withPage(await newContext(browser, language, size), shot('plain-failed'), async (page, errors) => {
    await signInToOps(page, plainServer, language, `server-keys.${tag}`);
    const panel = page.getByRole('region', { name: t('serverKeys.title'), exact: true });
    const signingLine = panel.getByTestId('server-keys-signing');
    await expect
      .poll(() => signingLine.textContent())
      .toBe(t('serverKeys.signingOnly', { key: shortKey(plain.signingKey) }));
    expect(await signingLine.locator('code').getAttribute('title')).toBe(plain.signingKey);
    expect(await wholeKeys(page, panel)).toEqual([[t('serverKeys.signingKey'), plain.signingKey]]);
    expect(await panel.getByTestId('server-keys-verdict').count()).toBe(0);
    expect(await panel.getByRole('list').count()).toBe(0);
    await expectAccessible(page, shot('01-plain'));
    expect(errors).toEqual([]);
  });

  // A rollover: the next key is listed; two kiosks of a new store enroll.
  const kit = rolloverServer.kit();
  const store = await rolloverServer.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Corner Shop ${tag}`, currency: 'USD', timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const readyName = `Kiosk by the door ${tag}`;
  const laggingName = `Kiosk by the till ${tag}`;
  const ready = await enrollKioskOverOps(rolloverServer, store.id, readyName);
  const lagging = await enrollKioskOverOps(rolloverServer, store.id, laggingName);
  // Enrollment hands each kiosk every key to believe, the signing key's first.
  for (const kiosk of [ready, lagging]) expect(kiosk.serverKeys[0]).toBe(kiosk.serverPublicKey);
  rolloverEnrolled += 2;
  const signingKey = ready.serverPublicKey;
  const listed = [signingKey, nextKey];
  // One holds both keys and says so; the other's software does not say which it holds.
  expect(await beat(kit, ready, listed)).toEqual(listed);
  expect(await beat(kit, lagging)).toEqual(listed);
  const laggingBeatAtMs = clock.nowMs();

  await withPage(await newContext(browser, language, size), shot('failed'), async (page, errors) => {
    await signInToOps(page, rolloverServer, language, `server-keys.${tag}-rollover`);
    const panel = page.getByRole('region', { name: t('serverKeys.title'), exact: true });
    const signingLine = panel.getByTestId('server-keys-signing');
    const verdict = panel.getByTestId('server-keys-verdict');
    const behindText = t('serverKeys.behindOne', { count: 1, total: rolloverEnrolled });
    // The list of kiosks behind is named by the sentence that introduces it.
    const behindItems = () => panel.getByRole('list', { name: behindText }).getByRole('listitem');

    // The panel names the signing key and the next one, each shortened with the whole key in its title,
    // and the one kiosk behind, which has not said which keys it holds.
    await expect
      .poll(() => signingLine.textContent())
      .toBe(
        `${t('serverKeys.signing', { key: shortKey(signingKey) })} ${t('serverKeys.trusted', {
          keys: shortKey(nextKey),
        })}`,
      );
    expect(await signingLine.locator('code').evaluateAll((codes) => codes.map((c) => c.title))).toEqual(
      listed,
    );
    expect(await wholeKeys(page, panel)).toEqual([
      [t('serverKeys.signingKey'), signingKey],
      [t('serverKeys.trustedKey'), nextKey],
    ]);
    await expect.poll(() => verdict.textContent()).toBe(behindText);
    expect(await verdict.getAttribute('class')).toContain('status-warn');
    const lastBeat = await shownDateTime(page, locale, laggingBeatAtMs);
    expect(await behindItems().allTextContents()).toEqual([
      `${t('serverKeys.kiosk', { name: laggingName, id: lagging.terminalId, time: lastBeat })} ${t(
        'serverKeys.notSaid',
      )}`,
    ]);
    await expectAccessible(page, shot('01-not-said'));

    // Updated, the kiosk says it holds only the key it was enrolled with (its heartbeat answer hands it
    // the next): after Refresh the panel says which key it lacks.
    expect(await beat(kit, lagging, [signingKey])).toEqual(listed);
    const updatedBeat = await shownDateTime(page, locale, clock.nowMs());
    await page.getByRole('button', { name: t('refresh'), exact: true }).click();
    const missingText = `${t('serverKeys.kiosk', {
      name: laggingName,
      id: lagging.terminalId,
      time: updatedBeat,
    })} ${t('serverKeys.missing', { keys: shortKey(nextKey) })}`;
    await expect.poll(() => behindItems().allTextContents()).toEqual([missingText]);
    expect(await behindItems().locator('code').getAttribute('title')).toBe(nextKey);
    await expectAccessible(page, shot('02-missing'));

    // Its next heartbeat lists both: after Refresh every kiosk holds every key, and the list is gone.
    expect(await beat(kit, lagging, listed)).toEqual(listed);
    await page.getByRole('button', { name: t('refresh'), exact: true }).click();
    await expect.poll(() => verdict.textContent()).toBe(t('serverKeys.allHold', { total: rolloverEnrolled }));
    expect(await verdict.getAttribute('class')).toContain('status-good');
    expect(await panel.getByRole('list').count()).toBe(0);
    const rollover = await rolloverServer.ops(
      'GET',
      opsApiPaths.serverKeys,
      undefined,
      ServerKeyRolloverSchema,
    );
    expect(rollover).toEqual({
      signingKey,
      trustedKeys: [nextKey],
      enrolledTerminals: rolloverEnrolled,
      behind: [],
    });
    await expectAccessible(page, shot('03-all-hold'));
    expect(errors).toEqual([]);
  });
}

/**
 * Opens the panel's whole-keys list from the keyboard (its summary focused, Enter), as someone without a
 * mouse would, and reads what each key does and the key in full.
 */
async function wholeKeys(page: Page, panel: Locator): Promise<string[][]> {
  const whole = panel.getByTestId('server-keys-whole');
  await whole.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => whole.evaluate((details) => details.hasAttribute('open'))).toBe(true);
  const parts = await whole.locator('dt').allTextContents();
  const keys = await whole.locator('dd').allTextContents();
  return parts.map((part, index) => [part, keys[index] ?? '']);
}

describe("the Fleet screen's server key panel", () => {
  it('shows the signing key, then a rollover: the kiosks behind, until all hold every key (en, desktop)', async () => {
    await serverKeysJourney('en', 'desktop');
  }, 90_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await serverKeysJourney('es', 'phone');
  }, 90_000);
});
