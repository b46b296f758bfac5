import type { Language } from '@cashin/shared';
import {
  FakeClock,
  SuspenseListSchema,
  createUuidV7Generator,
  formatMoney,
  generateCode,
  maskCode,
  opsApiPaths,
  terminalApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import { verifyAudit } from '../audit/audit-verify.js';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { maskPhone } from '../shoppers/message-sender.js';
import { signUpAndIn } from '../test-support/test-app.js';
import { enrollTestKiosk, kioskDeposit, signedPost, walletBalance } from '../test-kit/terminal-kit.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, newContext, signInToOps, withPage } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// The suspense queue's undo in Debian's Chromium against the real server: a voucher's money waits in
// suspense; an operator credits it to the wrong shopper, then takes it back with a reason (required): the
// shopper's wallet gives it back, and the claim is held again with who had it and why beside it. Credited
// afresh from the same screen, it reaches its owner.
let server: WebTestServer;
let browser: Browser;
const clock = new FakeClock(Date.now());
const newId = createUuidV7Generator(() => clock.nowMs());

beforeAll(async () => {
  server = await startWebTestServer({ apps: ['ops'], clock });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function suspenseJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const money = (minor: number): string => formatMoney(minor, 'USD', `${language}-US`);
  const shot = (name: string): string => `ops-suspense-${language}-${size}-${name}`;
  const kit = server.kit();
  const kiosk = await enrollTestKiosk(kit);
  const ana = await signUpAndIn(kit, { name: 'Ana Ruiz' });
  const ben = await signUpAndIn(kit, { name: 'Ben Ortiz' });
  const claimCode = generateCode('claim');
  const voucher = kioskDeposit(kiosk, newId, clock.nowMs(), { code: null, claimCode, coins: 12 });
  const synced = await signedPost(kit, kiosk, terminalApiPaths.sync, { deposits: [voucher] });
  expect(synced.statusCode, synced.body).toBe(200);
  const benShown = `Ben O. (${maskPhone(ben.phone)})`;
  const anaShown = `Ana R. (${maskPhone(ana.phone)})`;

  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page, errors) => {
    const statusText = () => page.getByRole('status').first().textContent();
    const staff = await signInToOps(page, server, language, `suspense.${language}.${size}`, {
      section: 'suspense',
      headingKey: 'suspense.title',
      name: 'Pablo Ops',
    });
    // Claimed ones too, so the row stays in view once it is credited.
    await page.getByRole('button', { name: t('suspense.showAll') }).click();
    const row = page.locator('tbody tr', { hasText: maskCode(claimCode) });
    await expect.poll(() => row.count()).toBe(1);
    const assignButton = row.getByRole('button', {
      name: t('suspense.assign', { amount: money(300), claim: maskCode(claimCode) }),
    });
    const undoButton = row.getByRole('button', {
      name: t('suspense.undo', { amount: money(300), shopper: benShown }),
    });

    // Credited to Ben, who is the wrong shopper.
    await assignButton.click();
    await page.getByLabel(t('suspense.phone')).fill(ben.phone);
    await page.getByLabel(t('suspense.assignReason')).fill('Said it was his; no receipt.');
    await page.getByRole('button', { name: t('suspense.assignSubmit'), exact: true }).click();
    await expect.poll(statusText).toBe(t('suspense.assigned', { amount: money(300), phone: ben.phone }));
    await expect.poll(() => undoButton.count()).toBe(1);
    expect(await row.textContent()).toContain(t('suspense.claimed'));
    expect(await row.textContent()).toContain(benShown);
    expect(await walletBalance(kit, ben.headers)).toBe(300);
    await expectAccessible(page, shot('01-credited'));

    // Taken back: the form waits for a reason.
    await undoButton.click();
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('suspense-undo-reason');
    const submitUndo = page.getByRole('button', { name: t('suspense.undoSubmit'), exact: true });
    expect(await submitUndo.isDisabled()).toBe(true);
    const undoReason = 'Wrong shopper: Ana showed the voucher receipt.';
    await page.getByLabel(t('suspense.undoReason')).fill(undoReason);
    expect(await submitUndo.isDisabled()).toBe(false);
    await expectAccessible(page, shot('02-undo-form'));
    await submitUndo.click();
    await expect.poll(statusText).toBe(t('suspense.undone', { amount: money(300), shopper: benShown }));

    // Held again, with who had it, who took it back and why; Ben's wallet gave it back.
    await expect.poll(() => assignButton.count()).toBe(1);
    expect(await undoButton.count()).toBe(0);
    const history = row.getByRole('list', { name: t('suspense.history') });
    expect(await history.locator('li').count()).toBe(2);
    expect(await history.locator('li').nth(1).textContent()).toContain(undoReason);
    expect(await row.textContent()).toContain(t('suspense.held'));
    expect(await walletBalance(kit, ben.headers)).toBe(0);
    await expectAccessible(page, shot('03-held-again'));

    // Credited afresh from the same screen, it reaches Ana.
    await assignButton.click();
    await page.getByLabel(t('suspense.phone')).fill(ana.phone);
    await page.getByLabel(t('suspense.assignReason')).fill('Showed the voucher receipt.');
    await page.getByRole('button', { name: t('suspense.assignSubmit'), exact: true }).click();
    await expect.poll(statusText).toBe(t('suspense.assigned', { amount: money(300), phone: ana.phone }));
    await expect
      .poll(() =>
        row
          .getByRole('button', { name: t('suspense.undo', { amount: money(300), shopper: anaShown }) })
          .count(),
      )
      .toBe(1);
    expect(await walletBalance(kit, ana.headers)).toBe(300);
    await expectAccessible(page, shot('04-credited-to-owner'));

    const listed = await server.ops(
      'GET',
      `${opsApiPaths.suspense}?status=all`,
      undefined,
      SuspenseListSchema,
    );
    const entry = listed.entries.find((one) => one.depositId === voucher.depositId);
    expect(entry?.status).toBe('claimed');
    expect(
      entry?.assignments.map((a) => [a.shopperId, a.by, a.undo === null ? null : [a.undo.by, a.undo.reason]]),
    ).toEqual([
      [ben.shopperId, staff.id, [staff.id, undoReason]],
      [ana.shopperId, staff.id, null],
    ]);
    expect(errors).toEqual([]);
    expect((await verifyLedger(server.db)).ok).toBe(true);
    expect((await verifyAudit(server.db)).ok).toBe(true);
  });
}

describe("the ops console's suspense queue", () => {
  it('credits a claim to the wrong shopper, takes it back and credits its owner (en, desktop)', async () => {
    await suspenseJourney('en', 'desktop');
  }, 60_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await suspenseJourney('es', 'phone');
  }, 60_000);
});
