import type { HeartbeatRequest, Language, SetAsideRetryReport } from '@cashin/shared';
import {
  EnrollResponseSchema,
  EnrollmentTokenSchema,
  FakeClock,
  HeartbeatResponseSchema,
  OpsStoreSchema,
  TerminalListSchema,
  TerminalSummarySchema,
  formatMoney,
  localeFor,
  opsApiPaths,
  terminalApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { newKeyPair, signedPost } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, withPage, signInToOps } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// Ops ask a kiosk, from the Fleet screen, to send its set-aside deposits again, in Debian's Chromium
// against the real server, whose clock the test holds: the kiosk beats with real Ed25519 signatures,
// hears of the request in its heartbeat's answer, and reports what came of it in a later heartbeat, as
// terminal-app does. The fleet shows the request waiting, then the result; the audit log keeps both.
let server: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());
const heartbeatIntervalMs = 60_000;

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['ops'], clock });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function heartbeat(
  outbox: Pick<HeartbeatRequest['outbox'], 'quarantined' | 'quarantinedTotalMinor'> &
    Partial<HeartbeatRequest['outbox']>,
  setAsideRetried?: SetAsideRetryReport,
): HeartbeatRequest {
  return {
    softwareVersion: '2.4.0',
    uptimeMs: 60_000,
    devices: [],
    outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, lastSequence: 4, ...outbox },
    bag: { currency: 'USD', totalMinor: 2_350, coinCount: 94, billCount: 0 },
    lastError: null,
    ...(setAsideRetried === undefined ? {} : { setAsideRetried }),
  };
}

/** Beats as the kiosk, a minute after its last beat; answers what the server asked of it. */
async function beat(kit: TestApp, kiosk: TestKiosk, request: HeartbeatRequest) {
  clock.advance(heartbeatIntervalMs);
  const response = await signedPost(kit, kiosk, terminalApiPaths.heartbeat, request);
  expect(response.statusCode, response.body).toBe(200);
  return HeartbeatResponseSchema.parse(response.json());
}

/** A time as the console shows it (words.dateTime), formatted by the page's own Intl. */
async function shownDateTime(page: Page, locale: string, epochMs: number): Promise<string> {
  return page.evaluate(
    ([inLocale, at]) =>
      new Intl.DateTimeFormat(inLocale, { dateStyle: 'medium', timeStyle: 'short' }).format(at),
    [locale, epochMs] as const,
  );
}

async function setAsideJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const money = (minor: number): string => formatMoney(minor, 'USD', localeFor(language, 'USD'));
  const shot = (name: string): string => `ops-set-aside-retry-${language}-${size}-${name}`;
  const kit = server.kit();
  const kioskName = `Kiosk by the till ${language} ${size}`;
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Corner Shop ${language} ${size}`, currency: 'USD', timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const created = await server.ops(
    'POST',
    opsApiPaths.terminals,
    { storeId: store.id, name: kioskName },
    EnrollmentTokenSchema,
  );
  const keys = newKeyPair();
  const enrolled = await kit.app.inject({
    method: 'POST',
    url: terminalApiPaths.enroll,
    payload: { token: created.token, publicKey: keys.publicKey, softwareVersion: '2.4.0' },
  });
  expect(enrolled.statusCode, enrolled.body).toBe(200);
  const { terminalId, serverPublicKey } = EnrollResponseSchema.parse(enrolled.json());
  const kiosk: TestKiosk = { terminalId, storeId: store.id, ...keys, sequence: 4, serverPublicKey };
  const summary = async () => {
    const { terminals } = await server.ops('GET', opsApiPaths.terminals, undefined, TerminalListSchema);
    const found = terminals.find((terminal) => terminal.id === terminalId);
    if (found === undefined) throw new Error(`no terminal ${terminalId}`);
    return found;
  };
  // The server refused or conflicted two deposits: the kiosk set them aside, and says so.
  expect(
    (await beat(kit, kiosk, heartbeat({ quarantined: 2, quarantinedTotalMinor: 350 }))).retrySetAside,
  ).toBe(null);
  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page, errors) => {
    const statusText = () => page.getByRole('status').first().textContent();
    const staff = await signInToOps(page, server, language, `set-aside.${language}.${size}`);

    // The row says how many deposits are set aside and what they hold, with the button that asks.
    const row = page.locator('tbody tr', { hasText: kioskName });
    const held = row.getByTestId('set-aside-held');
    const retryButton = row.getByRole('button', {
      name: t('fleet.setAsideRetry', { name: kioskName }),
      exact: true,
    });
    await expect
      .poll(() => held.textContent())
      .toBe(
        t('fleet.setAsideAmount', { deposits: t('fleet.setAsideMany', { count: 2 }), amount: money(350) }),
      );
    expect(await retryButton.count()).toBe(1);
    expect(await row.getByTestId('set-aside-last').count()).toBe(0);
    await expectAccessible(page, shot('01-set-aside'));

    // Asking: the notice says the kiosk hears of it on its next heartbeat, and the row shows it waiting,
    // asked by whoever is signed in, with no button to ask twice.
    await retryButton.click();
    await expect.poll(statusText).toBe(t('fleet.setAsideRetryAsked', { name: kioskName }));
    const pending = (await summary()).setAsideRetryPending;
    expect(pending).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      requestedAtMs: clock.nowMs(),
      requestedBy: staff.id,
    });
    const waiting = t('fleet.setAsidePending', {
      time: await shownDateTime(page, localeFor(language, 'USD'), clock.nowMs()),
      by: staff.id,
    });
    await expect.poll(() => row.getByTestId('set-aside-pending').textContent()).toBe(waiting);
    expect(await retryButton.count()).toBe(0);
    await expectAccessible(page, shot('02-pending'));
    // Asking again while it waits answers the same request (a second operator, a double click).
    const again = await server.ops(
      'POST',
      opsApiPaths.terminalSetAsideRetries(terminalId),
      undefined,
      TerminalSummarySchema,
    );
    expect(again.setAsideRetryPending).toEqual(pending);

    // The kiosk's next heartbeat answer names the request; it sends the two again, one is credited and
    // one is set aside again, and it reports so in the heartbeat after.
    const asked = await beat(kit, kiosk, heartbeat({ quarantined: 2, quarantinedTotalMinor: 350 }));
    const requestId = asked.retrySetAside?.requestId;
    if (requestId === undefined) throw new Error('the heartbeat answer asked nothing of the kiosk');
    const report = { requestId, requeued: 2, synced: 1, setAsideAgain: 1, errorCode: null };
    const reported = await beat(
      kit,
      kiosk,
      heartbeat({ quarantined: 1, quarantinedTotalMinor: 150 }, report),
    );
    expect(reported.retrySetAside).toBe(null);
    const reportedAtMs = clock.nowMs();
    await page.getByRole('button', { name: t('refresh') }).click();
    const last = row.getByTestId('set-aside-last');
    await expect
      .poll(() => last.textContent())
      .toBe(
        t('fleet.setAsideLast', {
          time: await shownDateTime(page, localeFor(language, 'USD'), reportedAtMs),
          requeued: 2,
          synced: 1,
          setAsideAgain: 1,
        }),
      );
    expect(await held.textContent()).toBe(
      t('fleet.setAsideAmount', { deposits: t('fleet.setAsideOne'), amount: money(150) }),
    );
    expect(await row.getByTestId('set-aside-pending').count()).toBe(0);
    expect(await row.getByTestId('set-aside-stopped').count()).toBe(0);
    // One is still set aside: ops may ask again.
    expect(await retryButton.count()).toBe(1);
    await expectAccessible(page, shot('03-result'));

    // Asked, and cancelled before the kiosk heard of it (its software cannot do it, say): the row is back
    // to its button, and the kiosk's next answer asks nothing of it.
    const cancelButton = row.getByRole('button', {
      name: t('fleet.setAsideRetryCancel', { name: kioskName }),
      exact: true,
    });
    expect(await cancelButton.count()).toBe(0);
    await retryButton.click();
    await expect.poll(() => cancelButton.count()).toBe(1);
    const cancelledId = (await summary()).setAsideRetryPending?.requestId;
    await expectAccessible(page, shot('04-pending-cancellable'));
    await cancelButton.click();
    await expect.poll(statusText).toBe(t('fleet.setAsideRetryCancelled', { name: kioskName }));
    await expect.poll(() => row.getByTestId('set-aside-pending').count()).toBe(0);
    expect(await cancelButton.count()).toBe(0);
    expect(await retryButton.count()).toBe(1);
    expect((await summary()).setAsideRetryPending).toBe(null);
    expect(
      (await beat(kit, kiosk, heartbeat({ quarantined: 1, quarantinedTotalMinor: 150 }))).retrySetAside,
    ).toBe(null);

    // Asked again, the kiosk puts the last one back in its queue but cannot reach the server: the row says
    // the round stopped early and why, and nothing is set aside any more, so there is nothing to ask.
    await retryButton.click();
    await expect.poll(() => row.getByTestId('set-aside-pending').count()).toBe(1);
    const askedAgain = await beat(kit, kiosk, heartbeat({ quarantined: 1, quarantinedTotalMinor: 150 }));
    const secondId = askedAgain.retrySetAside?.requestId;
    if (secondId === undefined) throw new Error('the heartbeat answer asked nothing of the kiosk');
    expect(secondId).not.toBe(requestId);
    const unreachable = {
      requestId: secondId,
      requeued: 1,
      synced: 0,
      setAsideAgain: 0,
      errorCode: 'SERVER_UNREACHABLE',
    } as const;
    const queued = { depth: 1, unsyncedTotalMinor: 150, oldestUnsyncedAtMs: clock.nowMs() };
    await beat(kit, kiosk, heartbeat({ ...queued, quarantined: 0, quarantinedTotalMinor: 0 }, unreachable));
    const stoppedAtMs = clock.nowMs();
    await page.getByRole('button', { name: t('refresh') }).click();
    await expect.poll(() => held.textContent()).toBe(t('fleet.setAsideNone'));
    expect(await last.textContent()).toBe(
      t('fleet.setAsideLast', {
        time: await shownDateTime(page, localeFor(language, 'USD'), stoppedAtMs),
        requeued: 1,
        synced: 0,
        setAsideAgain: 0,
      }),
    );
    expect(await row.getByTestId('set-aside-stopped').textContent()).toBe(
      t('fleet.setAsideStopped', { code: 'SERVER_UNREACHABLE' }),
    );
    expect(await retryButton.count()).toBe(0);
    await expectAccessible(page, shot('05-stopped'));

    // The audit log keeps each request and what came of it, in the reader's language.
    await page.getByRole('link', { name: t('nav.audit'), exact: true }).click();
    await expectHeading(page, t('audit.title'));
    const trail = page.getByTestId('audit-trail');
    await page.getByLabel(t('audit.subject')).fill(terminalId);
    await trail.getByRole('button', { name: t('audit.show'), exact: true }).click();
    const trailRows = trail.locator('tbody tr');
    await expect
      .poll(() => trailRows.locator('th').allTextContents())
      .toEqual([
        t('audit.kind.terminal.setAsideRetried'),
        t('audit.kind.terminal.setAsideRetryRequested'),
        t('audit.kind.terminal.setAsideRetryCancelled'),
        t('audit.kind.terminal.setAsideRetryRequested'),
        t('audit.kind.terminal.setAsideRetried'),
        t('audit.kind.terminal.setAsideRetryRequested'),
        t('audit.kind.terminal.enrolled'),
        t('audit.kind.terminal.created'),
      ]);
    const stopped = await trailRows.nth(0).textContent();
    expect(stopped).toContain(`${t('audit.field.requestId')}${secondId}`);
    expect(stopped).toContain(`${t('audit.field.errorCode')}SERVER_UNREACHABLE`);
    expect(await trailRows.nth(2).textContent()).toContain(`${t('audit.field.requestId')}${cancelledId}`);
    const credited = await trailRows.nth(4).textContent();
    expect(credited).toContain(`${t('audit.field.synced')}1`);
    expect(credited).toContain(`${t('audit.field.setAsideAgain')}1`);
    expect(await trailRows.nth(5).textContent()).toContain(`${t('audit.field.setAside')}2`);
    await expectAccessible(page, shot('06-audit'));
    expect(errors).toEqual([]);
  });
}

describe('ops asking a kiosk to send its set-aside deposits again', () => {
  it('asks from the fleet, waits for the kiosk, cancels a request, and shows what came of it (en, desktop)', async () => {
    await setAsideJourney('en', 'desktop');
  }, 90_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await setAsideJourney('es', 'phone');
  }, 90_000);
});
