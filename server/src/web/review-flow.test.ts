import type { Language } from '@cashin/shared';
import {
  FakeClock,
  ReviewCountSchema,
  ReviewListSchema,
  WalletResponseSchema,
  createUuidV7Generator,
  formatMoney,
  opsApiPaths,
  terminalApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { enrollTestKiosk, kioskDeposit, signedPost } from '../test-kit/terminal-kit.js';
import { quarterLimits } from '../test-support/quarter-limits.js';
import { signUpAndIn } from '../test-support/test-app.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, withPage, signInToOps } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// The review queue in Debian's Chromium against the real server. A kiosk syncs deposits that are credited
// but held (past the shopper's limit, lost coin events) and that take a shopper's day past the cash-report
// threshold; an operator keeps one with a note, reverses another with a reason, records the filed report,
// and the queue empties. Limits are an operator's small ones, so quarters reach them.
let server: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());
const newId = createUuidV7Generator(() => clock.nowMs());

beforeAll(async () => {
  server = await startWebTestServer({
    apps: ['ops'],
    clock,
    limits: quarterLimits,
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function sync(kiosk: TestKiosk, code: string, coins: number, lostEvents = false): Promise<string> {
  clock.advance(60_000);
  const deposit = {
    ...kioskDeposit(kiosk, newId, clock.nowMs(), { code, coins }),
    flags: { recovered: false, lostEvents, offline: false, deviceFault: false },
  };
  const response = await signedPost(server.kit(), kiosk, terminalApiPaths.sync, { deposits: [deposit] });
  expect(response.statusCode, response.body).toBe(200);
  return deposit.depositId;
}

async function reviewJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const money = (minor: number): string => formatMoney(minor, 'USD', `${language}-US`);
  const shot = (name: string): string => `review-flow-${language}-${size}-${name}`;
  const kit = server.kit();
  const kiosk = await enrollTestKiosk(kit);
  const ana = await signUpAndIn(kit);
  const bo = await signUpAndIn(kit);
  await sync(kiosk, ana.depositCode, 20); // $5, within every limit
  const overLimit = await sync(kiosk, ana.depositCode, 32); // $13 today: past the $10 day
  const lost = await sync(kiosk, bo.depositCode, 4, true); // the kiosk lost coin events
  const pastReport = await sync(kiosk, ana.depositCode, 12); // $16: past the $15 report threshold
  const again = await sync(kiosk, ana.depositCode, 4); // $17

  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page) => {
    await signInToOps(page, server, language, `reviewer.${language}.${size}`, { name: 'Rita Review' });
    // The navigation says how many deposits wait, on every screen.
    const waiting = async () =>
      (await server.ops('GET', opsApiPaths.reviewCount, undefined, ReviewCountSchema)).waiting;
    const reviewsLink = (count: number) =>
      page.getByRole('link', {
        name: count === 0 ? t('nav.reviews') : `${t('nav.reviews')} ${t('nav.reviewsWaiting', { count })}`,
        exact: true,
      });
    const waitingBefore = await waiting();
    expect(waitingBefore).toBeGreaterThanOrEqual(4);
    await expect.poll(() => reviewsLink(waitingBefore).count()).toBe(1);
    await reviewsLink(waitingBefore).click();
    await expectHeading(page, t('reviews.title'));

    // How the console names Ana: her masked name and shopper id, as the queue answers them.
    const listed = await server.ops('GET', opsApiPaths.reviews, undefined, ReviewListSchema);
    const anaItem = listed.deposits.find((item) => item.shopperId === ana.shopperId);
    const anaName = `${anaItem?.shopperName ?? ''} (${ana.shopperId})`;
    // This kiosk's deposits in the queue (other journeys' kiosks may be there too), oldest first.
    const rows = page.locator('tbody tr', { hasText: t('reviews.kiosk', { id: kiosk.terminalId }) });
    await expect.poll(() => rows.count()).toBe(4);
    const texts = await rows.allTextContents();
    expect(texts[0]).toContain(money(800));
    expect(texts[0]).toContain(t('reviews.reason.limitExceeded'));
    expect(texts[1]).toContain(t('reviews.reason.lostEvents'));
    expect(texts[2]).toContain(t('reviews.cashReportDue'));
    expect(texts[3]).toContain(t('reviews.cashReportDue'));
    await expectAccessible(page, shot('01-queue'));

    // Keep the overrun: the note's form opens under the list with focus in it.
    await rows
      .nth(0)
      .getByRole('button', { name: t('reviews.keep', { amount: money(800) }) })
      .click();
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('review-text');
    const note = 'Shopper showed ID at the store.';
    await page.getByLabel(t('reviews.keepField')).fill(note);
    await expectAccessible(page, shot('02-keep'));
    await page.getByRole('button', { name: t('reviews.keepSubmit'), exact: true }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.getByRole('status').first().textContent()).toBe(
      t('reviews.kept', { amount: money(800), shopper: anaName }),
    );

    // Reverse the deposit whose coins the kiosk lost track of.
    await rows
      .nth(0)
      .getByRole('button', { name: t('reviews.reverse', { amount: money(100) }) })
      .click();
    await page.getByLabel(t('reviews.reverseField')).fill('Coins counted at collection did not include it.');
    await page.getByRole('button', { name: t('reviews.reverseSubmit'), exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);

    // One report covers the shopper's cash so far: both rows show it filed and stay held for review.
    await rows
      .nth(1)
      .getByRole('button', { name: t('reviews.report', { amount: money(100), shopper: anaName }) })
      .click();
    await page.getByLabel(t('reviews.reportField')).fill('CTR-2026-0017');
    await page.getByRole('button', { name: t('reviews.reportSubmit'), exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('reviews.reported', { reference: 'CTR-2026-0017', count: 2 }));
    await expect
      .poll(async () =>
        (await rows.allTextContents()).every((row) => row.includes(t('reviews.cashReportFiled'))),
      )
      .toBe(true);
    await expectAccessible(page, shot('03-reported'));
    for (const amount of [300, 100]) {
      await rows
        .first()
        .getByRole('button', { name: t('reviews.keep', { amount: money(amount) }) })
        .click();
      await page.getByLabel(t('reviews.keepField')).fill('Seen with the report.');
      await page.getByRole('button', { name: t('reviews.keepSubmit'), exact: true }).click();
      await expect.poll(() => rows.count()).toBe(amount === 300 ? 1 : 0);
    }

    // The badge counts four fewer; the server agrees: nothing of this kiosk waits, the lost deposit is
    // reversed, the rest credited.
    await expect.poll(() => reviewsLink(waitingBefore - 4).count()).toBe(1);
    const queue = await server.ops('GET', opsApiPaths.reviews, undefined, ReviewListSchema);
    expect(queue.deposits.filter((item) => item.source.ownerId === kiosk.terminalId)).toEqual([]);
    const wallet = async (headers: { authorization: string }) =>
      WalletResponseSchema.parse(
        (await kit.app.inject({ method: 'GET', url: '/v1/me/wallet', headers })).json(),
      ).history;
    const statusOf = (history: { transferId: string; status: string }[], id: string) =>
      history.find((entry) => entry.transferId === id)?.status;
    const anaHistory = await wallet(ana.headers);
    expect([overLimit, pastReport, again].map((id) => statusOf(anaHistory, id))).toEqual([
      'credited',
      'credited',
      'credited',
    ]);
    expect(statusOf(await wallet(bo.headers), lost)).toBe('reversed');
  });
}

describe('the review queue', () => {
  it('keeps, reverses and reports held deposits (en, desktop)', async () => {
    await reviewJourney('en', 'desktop');
  });
  it('does the same in Spanish on a 360 px phone', async () => {
    await reviewJourney('es', 'phone');
  });
});
