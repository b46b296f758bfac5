import type { Language } from '@cashin/shared';
import {
  AlertListSchema,
  EnrollResponseSchema,
  EnrollmentTokenSchema,
  FakeClock,
  OpsStoreSchema,
  createUuidV7Generator,
  opsApiPaths,
  terminalApiPaths,
  translator,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { kioskDeposit, newKeyPair, signedPost } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, signUpAndIn } from '../test-support/test-app.js';
import { publicKeyFingerprint } from '../terminals/key-records.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, withPage, signInToOps } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { startWebTestServer } from './web-test-server.js';

// A kiosk's key in the ops console, in Debian's Chromium against the real server: ops rotate the key of a
// replaced kiosk (the console makes them say what became of the old device, choosing nothing for them);
// the old device hands over a deposit under its retired key; ops learn it was stolen and revoke that key,
// which the server refuses from then on. Then the new device is stolen too: a rotation as lost or stolen
// revokes its key at once. The alert and the audit log say what happened, in the reader's language.
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

const heartbeat = {
  softwareVersion: '2.3.1',
  uptimeMs: 60_000,
  devices: [],
  outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 0 },
  bag: { currency: 'USD', totalMinor: 0, coinCount: 0, billCount: 0 },
  lastError: null,
};

async function enroll(kit: TestApp, token: string, publicKey: string) {
  return kit.app.inject({
    method: 'POST',
    url: terminalApiPaths.enroll,
    payload: { token, publicKey, softwareVersion: '2.3.1' },
  });
}

async function keysJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const shot = (name: string): string => `ops-terminal-keys-${language}-${size}-${name}`;
  const kit = server.kit();
  const kioskName = `Kiosk by the door ${language} ${size}`;
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
  const firstKeys = newKeyPair();
  const enrolled = await enroll(kit, created.token, firstKeys.publicKey);
  expect(enrolled.statusCode, enrolled.body).toBe(200);
  const { terminalId, serverPublicKey } = EnrollResponseSchema.parse(enrolled.json());
  const old: TestKiosk = { terminalId, storeId: store.id, ...firstKeys, sequence: 0, serverPublicKey };
  const shopper = await signUpAndIn(kit);
  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page, errors) => {
    const statusText = () => page.getByRole('status').first().textContent();
    await signInToOps(page, server, language, `keys.${language}.${size}`, { name: 'Irene Ops' });

    // The kiosk's key panel opens under the list, with its heading focused, and lists the one key.
    const row = page.locator('tbody tr', { hasText: kioskName });
    await row.getByRole('button', { name: t('fleet.keys', { name: kioskName }), exact: true }).click();
    const panel = page.getByRole('region', { name: t('keys.title', { name: kioskName, id: terminalId }) });
    await expect.poll(() => panel.count()).toBe(1);
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('terminal-keys-title');
    const keyRow = (publicKey: string) => panel.locator(`tr[data-key="${publicKeyFingerprint(publicKey)}"]`);
    await expect.poll(() => keyRow(old.publicKey).locator('.status').textContent()).toBe(t('keys.current'));

    // Rotating asks what became of the old device, and waits for an answer.
    const rotateForm = panel.getByRole('form', { name: t('keys.rotateTitle') });
    const rotateButton = rotateForm.getByRole('button', { name: t('keys.rotateSubmit'), exact: true });
    expect(await rotateButton.isDisabled()).toBe(true);
    expect(await rotateForm.getByRole('radio', { checked: true }).count()).toBe(0);
    await expectAccessible(page, shot('01-keys'));
    await rotateForm.getByLabel(t('keys.oldDevice.replaced'), { exact: true }).check();
    expect(await rotateButton.isDisabled()).toBe(false);
    await rotateButton.click();
    await expect.poll(statusText).toBe(t('keys.rotatedReplaced', { name: kioskName }));
    expect(await panel.getByTestId('rotation-result').textContent()).toBe(t('keys.resultReplaced'));
    const token = (await panel.getByTestId('enrollment-token').textContent()) ?? '';
    expect(token.length).toBeGreaterThan(20);
    await expect.poll(() => panel.getByTestId('terminal-enrollment-open').count()).toBe(1);
    await expectAccessible(page, shot('02-rotated-replaced'));

    // The new device enrolls; the old one hands over a deposit it held under its retired key.
    const replacementKeys = newKeyPair();
    const replaced = await enroll(kit, token, replacementKeys.publicKey);
    expect(replaced.statusCode, replaced.body).toBe(200);
    const replacement: TestKiosk = { ...old, ...replacementKeys, sequence: 10 };
    const handedOver = await signedPost(kit, old, terminalApiPaths.sync, {
      deposits: [kioskDeposit(old, newId, clock.nowMs(), { code: shopper.depositCode })],
    });
    expect(handedOver.statusCode, handedOver.body).toBe(200);
    await page.getByRole('button', { name: t('refresh') }).click();
    await expect
      .poll(() => keyRow(old.publicKey).locator('.status').textContent())
      .toBe(t('keys.handingOver'));
    expect(await keyRow(replacementKeys.publicKey).locator('.status').textContent()).toBe(t('keys.current'));
    await expectAccessible(page, shot('03-handing-over'));

    // Ops learn the old device was stolen: revoking its key asks first; Cancel changes nothing.
    const oldFingerprint = publicKeyFingerprint(old.publicKey);
    const revokeButton = keyRow(old.publicKey).getByRole('button', {
      name: t('keys.revoke', { fingerprint: oldFingerprint }),
    });
    await revokeButton.click();
    const revokeForm = panel.getByRole('form', {
      name: t('keys.revokeTitle', { fingerprint: oldFingerprint, name: kioskName }),
    });
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('key-revoke-body');
    await expectAccessible(page, shot('04-revoke-dialog'));
    await revokeForm.getByRole('button', { name: t('cancel') }).click();
    expect(await revokeForm.count()).toBe(0);
    await revokeButton.click();
    await revokeForm.getByRole('button', { name: t('keys.revokeSubmit') }).click();
    await expect
      .poll(statusText)
      .toBe(t('keys.revokedNotice', { fingerprint: oldFingerprint, name: kioskName }));
    await expect.poll(() => keyRow(old.publicKey).locator('.status').textContent()).toBe(t('keys.revoked'));
    expect(await revokeButton.count()).toBe(0);
    // From then on the stolen device's batches are refused with the revoked key's code.
    const refused = await signedPost(kit, old, terminalApiPaths.sync, {
      deposits: [kioskDeposit(old, newId, clock.nowMs(), { code: shopper.depositCode })],
    });
    expect(errorCodeOf(refused)).toBe('TERMINAL_KEY_REVOKED');
    expect((await signedPost(kit, replacement, terminalApiPaths.heartbeat, heartbeat)).statusCode).toBe(200);
    await expectAccessible(page, shot('05-revoked'));

    // The new device is stolen too: a rotation as lost or stolen revokes its key at once, before any
    // device enrolls with the new token, and the button says so.
    await rotateForm.getByLabel(t('keys.oldDevice.lost'), { exact: true }).check();
    await rotateForm.getByRole('button', { name: t('keys.rotateLostSubmit') }).click();
    await expect.poll(statusText).toBe(t('keys.rotatedLost', { name: kioskName }));
    const replacementFingerprint = publicKeyFingerprint(replacementKeys.publicKey);
    expect(await panel.getByTestId('rotation-result').textContent()).toBe(
      t('keys.resultLost', { fingerprint: replacementFingerprint }),
    );
    await expect
      .poll(() => keyRow(replacementKeys.publicKey).locator('.status').textContent())
      .toBe(t('keys.revoked'));
    await expect.poll(() => panel.getByTestId('terminal-no-key').count()).toBe(1);
    expect(errorCodeOf(await signedPost(kit, replacement, terminalApiPaths.heartbeat, heartbeat))).toBe(
      'TERMINAL_KEY_REVOKED',
    );
    await expect.poll(() => row.locator('.status').textContent()).toBe(t('terminal.notEnrolled'));
    await expectAccessible(page, shot('06-rotated-lost'));

    // The open alert says the key was revoked and that the lost device tried since.
    await page.getByRole('link', { name: new RegExp(`^${t('nav.alerts')}`) }).click();
    await expectHeading(page, t('alerts.title'));
    const alerts = await server.ops('GET', opsApiPaths.alerts, undefined, AlertListSchema);
    const revokedAlert = alerts.alerts.find(
      (alert) => alert.terminalId === terminalId && alert.kind === 'keyRevoked',
    );
    if (revokedAlert?.facts?.kind !== 'keyRevoked') throw new Error('no keyRevoked alert');
    expect(revokedAlert.facts).toMatchObject({
      keyFingerprints: [oldFingerprint, replacementFingerprint],
      refusedRequests: 2,
    });
    const alertRow = page.locator('tbody tr', { hasText: terminalId });
    await expect.poll(() => alertRow.locator('th').textContent()).toBe(t('alert.keyRevoked'));
    expect(await alertRow.locator('td').nth(2).textContent()).toContain(
      `${oldFingerprint}, ${replacementFingerprint}`,
    );
    await expectAccessible(page, shot('07-alert'));

    // The audit log names each rotation's choice and each revoked key, in the reader's language.
    await page.getByRole('link', { name: t('nav.audit'), exact: true }).click();
    await expectHeading(page, t('audit.title'));
    const trail = page.getByTestId('audit-trail');
    await page.getByLabel(t('audit.subject')).fill(terminalId);
    await trail.getByRole('button', { name: t('audit.show'), exact: true }).click();
    const trailRows = trail.locator('tbody tr');
    await expect
      .poll(() => trailRows.locator('th').allTextContents())
      .toEqual([
        t('audit.kind.terminal.keyRevoked'),
        t('audit.kind.terminal.keyRotationStarted'),
        t('audit.kind.terminal.keyRevoked'),
        t('audit.kind.terminal.enrolled'),
        t('audit.kind.terminal.keyRotationStarted'),
        t('audit.kind.terminal.enrolled'),
        t('audit.kind.terminal.created'),
      ]);
    expect(await trailRows.nth(1).textContent()).toContain(
      `${t('audit.field.oldDevice')}${t('audit.oldDevice.lost')}`,
    );
    expect(await trailRows.nth(4).textContent()).toContain(
      `${t('audit.field.oldDevice')}${t('audit.oldDevice.replaced')}`,
    );
    expect(await trailRows.nth(2).textContent()).toContain(oldFingerprint);
    await expectAccessible(page, shot('08-audit'));
    expect(errors).toEqual([]);
  });
}

describe("the ops console's kiosk keys", () => {
  it('rotates a replaced kiosk, revokes its stolen old key, and rotates as lost (en, desktop)', async () => {
    await keysJourney('en', 'desktop');
  }, 90_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await keysJourney('es', 'phone');
  }, 90_000);
});
