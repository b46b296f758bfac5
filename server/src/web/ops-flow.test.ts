import type { HeartbeatRequest, Language } from '@cashin/shared';
import {
  AlertListSchema,
  AuthorizationSchema,
  BankDepositListSchema,
  CashPositionSchema,
  ClerkListSchema,
  ClerkSessionSchema,
  CollectionListSchema,
  EnrollResponseSchema,
  FakeClock,
  SettlementSchema,
  StaffListSchema,
  StaffSchema,
  StoreListSchema,
  StoreRemittanceListSchema,
  SuspenseListSchema,
  SyncResponseSchema,
  createUuidV7Generator,
  errorMessage,
  formatMoney,
  generateCode,
  opsApiPaths,
  terminalApiPaths,
  tillApiPaths,
  translator,
  uuidv7,
} from '@cashin/shared';
import { launchChromium } from '@cashin/scripts/testing/browser';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opsMessages } from '../../web/ops/messages.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { kioskDeposit, newKeyPair, signedPost, walletBalance } from '../test-kit/terminal-kit.js';
import { parseCsv } from '../test-support/csv-reader.js';
import { opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import type { ScreenSize } from './web-test-page.js';
import { expectAccessible, expectHeading, newContext, withPage } from './web-test-page.js';
import type { WebTestServer } from './web-test-server.js';
import { decodeBarcode, startWebTestServer } from './web-test-server.js';

/** What the page's window offers the one test step that reads a computed style (no DOM types here). */
interface PageWindow {
  getComputedStyle(element: unknown, pseudo: string): { content: string };
}

// The ops console in Debian's Chromium against the real server, whose clock the test holds: ops set up a
// store, a clerk and a kiosk (its enrollment token read back from the QR code on screen), the kiosk
// enrolls and beats with real Ed25519 signatures, money arrives through the kiosk's sync and the till,
// the kiosk falls silent and the alert shows, a bag is collected short, and the settlement CSV the console
// downloads is checked against the server's JSON report and the deposits made here.
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

/** The store's business day of an instant, YYYY-MM-DD, as the server cuts settlement days. */
function businessDay(epochMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(epochMs);
}

function heartbeat(
  bagMinor: number,
  coinCount: number,
  coins: Pick<HeartbeatRequest['devices'][number], 'state' | 'faults'> = { state: 'ok', faults: [] },
): HeartbeatRequest {
  return {
    softwareVersion: '2.3.1',
    uptimeMs: 60_000,
    devices: [{ device: 'coins', kind: 'coinAcceptor', ...coins }],
    outbox: { depth: 0, unsyncedTotalMinor: 0, oldestUnsyncedAtMs: null, quarantined: 0, lastSequence: 2 },
    bag: { currency: 'USD', totalMinor: bagMinor, coinCount, billCount: 0 },
    lastError: null,
  };
}

/** A till deposit through the real till routes, as the clerk's browser makes it; voided when asked. */
async function tillDeposit(clerkToken: string, code: string, amountMinor: number, voidIt = false) {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clerkToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return AuthorizationSchema.parse(await response.json());
  };
  const authorizationId = uuidv7();
  await call(tillApiPaths.authorizations, { authorizationId, code, amountMinor, currency: 'USD' });
  const committed = await call(tillApiPaths.commit(authorizationId), {});
  expect(committed.status).toBe('committed');
  if (voidIt) await call(tillApiPaths.void(authorizationId), { reason: 'Customer changed their mind' });
}

async function goTo(page: Page, name: string | RegExp, heading: string): Promise<void> {
  await page.getByRole('link', { name, exact: typeof name === 'string' ? true : undefined }).click();
  await expectHeading(page, heading);
}

async function opsJourney(language: Language, size: ScreenSize): Promise<void> {
  const t = translator(opsMessages, language);
  const money = (minor: number): string => formatMoney(minor, 'USD', `${language}-US`);
  const shot = (name: string): string => `ops-flow-${language}-${size}-${name}`;
  // The Alerts link also says how many are open ("Alerts (2 open)").
  const alertsLink = new RegExp(`^${t('nav.alerts').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(|$)`);
  // The default listing holds the open alerts only.
  const openAlertCount = async (): Promise<number> =>
    (await server.ops('GET', opsApiPaths.alerts, undefined, AlertListSchema)).alerts.length;
  const kit = server.kit();
  const timeZone = 'America/Mexico_City';
  // A comma and quotes in the name: the CSV must quote them, and a spreadsheet must read them back.
  const storeName = `Corner "Best" Shop, ${language} ${size}`;
  const kioskName = `Kiosk by the door ${language} ${size}`;

  const context = await newContext(browser, language, size);
  await withPage(context, shot('failed'), async (page) => {
    const openAlertsLink = (count: number) =>
      page.getByRole('link', {
        name: count === 0 ? t('nav.alerts') : `${t('nav.alerts')} ${t('nav.alertsOpen', { count })}`,
        exact: true,
      });

    // The first person is created with the service token; they sign in with their own password.
    const username = `lead.${language}.${size}`;
    const password = `first-password-${language}-${size}`;
    const lead = await server.ops(
      'POST',
      opsApiPaths.staff,
      { username, name: `Lucia Ops ${language}`, password },
      StaffSchema,
    );
    await page.goto(`${server.url}/ops/`);
    await expectHeading(page, t('signIn.title'));
    await page.getByLabel(t('signIn.username')).fill(username);
    await page.getByLabel(t('signIn.password')).fill('not-the-password');
    await page.getByRole('button', { name: t('signIn.submit') }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain(errorMessage('STAFF_SIGN_IN_INVALID', language));
    await page.getByLabel(t('signIn.password')).fill(password);
    await page.getByRole('button', { name: t('signIn.submit') }).click();
    await expectHeading(page, t('fleet.title'));
    expect(await page.getByText(t('signIn.as', { name: lead.name })).count()).toBe(1);
    await expectAccessible(page, shot('01-fleet-before'));

    // A store, then its clerk, through the console's forms.
    await goTo(page, t('nav.stores'), t('stores.title'));
    await page.getByLabel(t('stores.name')).fill(storeName);
    await page.getByLabel(t('stores.currency')).selectOption('USD');
    await page.getByLabel(t('stores.timeZone')).fill(timeZone);
    await page.getByRole('button', { name: t('stores.create') }).click();
    await expect.poll(() => page.locator('tbody tr', { hasText: storeName }).count()).toBe(1);
    const stores = await server.ops('GET', opsApiPaths.stores, undefined, StoreListSchema);
    const store = stores.stores.find((s) => s.name === storeName);
    if (store === undefined) throw new Error('the store the console created is not on the server');
    expect(store).toMatchObject({ currency: 'USD', timeZone });
    expect(await page.getByRole('status').first().textContent()).toBe(
      t('stores.created', { name: storeName, id: store.id }),
    );
    await page.getByLabel(t('clerks.store')).fill(store.id);
    await page.getByLabel(t('clerks.name')).fill('Carla Mendez');
    await page.getByLabel(t('clerks.pin')).fill('482916');
    await page.getByRole('button', { name: t('clerks.create') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toMatch(new RegExp(`^${t('clerks.created', { name: 'Carla Mendez', id: 'C\\d+' })}$`));
    const clerks = await server.ops('GET', opsApiPaths.clerks(store.id), undefined, ClerkListSchema);
    expect(clerks.clerks.map((clerk) => clerk.name)).toEqual(['Carla Mendez']);
    const clerkId = clerks.clerks[0]!.id;
    await expectAccessible(page, shot('02-stores'));

    // A kiosk: the token is shown as text and as a QR code that decodes to the same token.
    await goTo(page, t('nav.enroll'), t('enroll.title'));
    await page.getByLabel(t('enroll.store')).fill(store.id);
    await page.getByLabel(t('enroll.name')).fill(kioskName);
    await page.getByRole('button', { name: t('enroll.create') }).click();
    const tokenText = page.getByTestId('enrollment-token');
    await expect.poll(() => tokenText.count()).toBe(1);
    const token = (await tokenText.textContent()) ?? '';
    const qr = page.getByRole('img', { name: t('enroll.qrAlt') });
    await expect
      .poll(() =>
        qr.evaluate((node) => {
          const img = node as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth > 0;
        }),
      )
      .toBe(true);
    expect(decodeBarcode(await qr.screenshot())).toBe(token);
    await expectAccessible(page, shot('03-enroll'));

    // The kiosk enrolls with that token and its own Ed25519 key, then beats, signed.
    const keys = newKeyPair();
    const enrolled = await kit.app.inject({
      method: 'POST',
      url: terminalApiPaths.enroll,
      payload: { token, publicKey: keys.publicKey, softwareVersion: '2.3.1' },
    });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const { terminalId, serverPublicKey } = EnrollResponseSchema.parse(enrolled.json());
    const kiosk: TestKiosk = { terminalId, storeId: store.id, ...keys, sequence: 0, serverPublicKey };

    // Money: a shopper's kiosk deposit (8 quarters), one for a code nobody holds (suspense, 20 quarters),
    // and two till deposits, the second voided.
    const shopper = await signUpAndIn(kit);
    const mistyped = kioskDeposit(kiosk, newId, clock.nowMs(), { code: generateCode('deposit'), coins: 20 });
    const sync = await signedPost(kit, kiosk, terminalApiPaths.sync, {
      deposits: [
        kioskDeposit(kiosk, newId, clock.nowMs(), { code: shopper.depositCode, coins: 8 }),
        mistyped,
      ],
    });
    expect(sync.statusCode, sync.body).toBe(200);
    expect(
      SyncResponseSchema.parse(sync.json()).results.map((r) => (r.status === 'created' ? r.creditedTo : r)),
    ).toEqual(['wallet', 'suspense']);
    const kioskMinor = 25 * 8 + 25 * 20;
    const beat = await signedPost(kit, kiosk, terminalApiPaths.heartbeat, heartbeat(kioskMinor, 28));
    expect(beat.statusCode, beat.body).toBe(200);
    const session = await fetch(`${server.url}${tillApiPaths.session}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storeId: store.id, clerkId, pin: '482916' }),
    });
    const clerkToken = ClerkSessionSchema.parse(await session.json()).token;
    await tillDeposit(clerkToken, shopper.depositCode, 3_000);
    await tillDeposit(clerkToken, shopper.depositCode, 1_250, true);
    const day = businessDay(clock.nowMs(), timeZone);

    // The fleet shows the kiosk online, with its heartbeat, bag and version.
    await goTo(page, t('nav.fleet'), t('fleet.title'));
    const row = page.locator('tbody tr', { hasText: kioskName });
    await expect.poll(() => row.locator('.status').textContent()).toBe(t('terminal.online'));
    expect(await row.textContent()).toContain('2.3.1');
    expect(await row.textContent()).toContain(money(kioskMinor));
    // Each value is named by its column: by the table's head on a desktop, by a label in the row's card on
    // a phone, where the head is hidden and the columns would not fit.
    const statusLabel = await row
      .locator('td', { has: page.locator('.status') })
      .evaluate((cell) => (globalThis as unknown as PageWindow).getComputedStyle(cell, '::before').content);
    expect(statusLabel).toBe(size === 'phone' ? JSON.stringify(t('fleet.status')) : 'none');
    await expectAccessible(page, shot('04-fleet-online'));

    // Silence: the server's clock passes the threshold with no heartbeat, and its sweep raises the alert.
    clock.advance(kit.config.limits.system.terminalSilentAlertMs + 1_000);
    expect((await server.sweepTerminals()).raised).toBeGreaterThanOrEqual(1);
    await goTo(page, alertsLink, t('alerts.title'));
    const alert = page.locator('tbody tr', { hasText: terminalId });
    await expect.poll(() => alert.locator('th').textContent()).toBe(t('alert.terminalSilent'));
    expect(await alert.locator('.status').textContent()).toBe(t('alerts.open'));
    // What the alert is about is said in the reader's language, from the facts the server keeps.
    const silent = (await server.ops('GET', opsApiPaths.alerts, undefined, AlertListSchema)).alerts.find(
      (listed) => listed.terminalId === terminalId && listed.kind === 'terminalSilent',
    );
    expect(silent?.facts?.kind).toBe('terminalSilent');
    const minutes = silent?.facts?.kind === 'terminalSilent' ? silent.facts.silentMinutes : -1;
    expect(await alert.locator('td').nth(2).textContent()).toBe(t('alertDetail.terminalSilent', { minutes }));
    await expectAccessible(page, shot('05-alerts'));
    await goTo(page, t('nav.fleet'), t('fleet.title'));
    await expect.poll(() => row.locator('.status').textContent()).toBe(t('terminal.offline'));
    await expectAccessible(page, shot('06-fleet-silent'));
    // A tech about to record its bag is warned first: what a silent kiosk took since it went quiet is
    // unknown to the server, so the form asks to record anyway.
    await goTo(page, t('nav.collections'), t('collections.title'));
    await page.getByLabel(t('collections.terminal')).fill(terminalId);
    await expect
      .poll(() => page.getByRole('button', { name: t('collections.submitAnyway') }).count())
      .toBe(1);
    expect(await page.locator('.banner-notice').count()).toBe(1);
    await expectAccessible(page, shot('06a-collection-silent'));
    await goTo(page, t('nav.fleet'), t('fleet.title'));

    // It comes back with its coin acceptor jammed: the fleet and the alert name the fault in the reader's
    // language.
    // It also set aside a deposit it does not send on its own: ops are told what cash that leaves in the bag.
    const jammed = {
      ...heartbeat(kioskMinor, 28, { state: 'faulted', faults: ['jam'] }),
      outbox: { ...heartbeat(0, 0).outbox, quarantined: 1, quarantinedTotalMinor: 600 },
    };
    expect((await signedPost(kit, kiosk, terminalApiPaths.heartbeat, jammed)).statusCode).toBe(200);
    const trouble = t('fleet.deviceFaults', { device: 'coins', faults: t('fault.jam') });
    await page.getByRole('button', { name: t('refresh') }).click();
    await expect.poll(() => row.locator('.status').textContent()).toBe(t('terminal.faulted'));
    expect(await row.textContent()).toContain(trouble);
    await goTo(page, alertsLink, t('alerts.title'));
    const fault = page.locator('tbody tr', { hasText: t('alert.deviceFault') });
    await expect.poll(() => fault.locator('td').nth(2).textContent()).toBe(trouble);
    const setAside = page.locator('tbody tr', { hasText: t('alert.depositsSetAside') });
    expect(await setAside.locator('td').nth(2).textContent()).toBe(
      t('alertDetail.depositsSetAside', { count: 1, amount: money(600) }),
    );
    const openBefore = await openAlertCount();
    await expect.poll(() => openAlertsLink(openBefore).count()).toBe(1);
    await expectAccessible(page, shot('06b-alert-fault'));

    // The tech has cleared the jam: the operator closes the alert by hand with what was found, and it leaves
    // the open list; the full list keeps it with who closed it and the note.
    const where = `${store.id} / ${terminalId}`;
    const faultName = t('alert.deviceFault');
    await page.getByRole('button', { name: t('alerts.close', { alert: faultName, where }) }).click();
    const note = `Jam cleared at ${terminalId}, two coins returned to the shopper.`;
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('alert-note');
    await page.getByLabel(t('alerts.note')).fill(note);
    await expectAccessible(page, shot('06c-alert-closing'));
    await page.getByRole('button', { name: t('alerts.closeSubmit') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('alerts.closedNotice', { alert: faultName, where }));
    await expect.poll(() => fault.count()).toBe(0);
    await expect.poll(() => openAlertsLink(openBefore - 1).count()).toBe(1);
    await page.getByRole('button', { name: t('alerts.showAll') }).click();
    const closedFault = page.locator('tbody tr', { hasText: note });
    await expect.poll(() => closedFault.count()).toBe(1);
    expect(await closedFault.textContent()).toContain(t('alerts.resolvedBy', { by: lead.id, note }));
    await expectAccessible(page, shot('06d-alerts-all'));

    // The bag is collected and counted a quarter short of what the ledger credited from it. The form first
    // says what the deposit the kiosk set aside does to the count.
    await goTo(page, t('nav.collections'), t('collections.title'));
    await page.getByLabel(t('collections.terminal')).fill(terminalId);
    const setAsideWarning = t('collections.setAsideWarning', {
      kiosk: terminalId,
      count: 1,
      amount: money(600),
    });
    await expect.poll(() => page.locator('.banner-notice', { hasText: setAsideWarning }).count()).toBe(1);
    await expectAccessible(page, shot('06e-collection-set-aside'));
    await page.getByLabel(t('collections.counted')).fill(((kioskMinor - 25) / 100).toFixed(2));
    const bagLabel = `BAG-${terminalId.replace(/\D/g, '')}`;
    await page.getByLabel(t('collections.bag')).fill(bagLabel);
    await page.getByRole('button', { name: t('collections.submitAnyway') }).click();
    await expect.poll(() => page.getByTestId('collection-expected').textContent()).toBe(money(kioskMinor));
    expect(await page.getByTestId('collection-counted').textContent()).toBe(money(kioskMinor - 25));
    const overShort = page.locator('.money', { has: page.getByTestId('collection-over-short') });
    expect(await overShort.locator('.money-label').textContent()).toBe(t('collections.short'));
    expect(await page.getByTestId('collection-over-short').textContent()).toBe(money(25));
    // The form is empty for the next bag, so one more press cannot record this one twice; the result
    // says which bag was recorded.
    expect(await page.getByTestId('collection-recorded').textContent()).toBe(
      t('collections.recordedBag', { kiosk: terminalId, bag: bagLabel }),
    );
    for (const label of ['collections.terminal', 'collections.counted', 'collections.bag'] as const)
      expect(await page.getByLabel(t(label)).inputValue(), label).toBe('');
    await expectAccessible(page, shot('07-collection-saved'));
    // Entered again by hand, the same bag is refused with the catalogue's words.
    await page.getByLabel(t('collections.terminal')).fill(terminalId);
    await page.getByLabel(t('collections.counted')).fill(((kioskMinor - 25) / 100).toFixed(2));
    await page.getByLabel(t('collections.bag')).fill(bagLabel);
    await page.getByRole('button', { name: t('collections.submitAnyway') }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain(errorMessage('BAG_ALREADY_COLLECTED', language));
    await page.getByLabel(t('collections.terminal')).fill('');
    await page.getByLabel(t('collections.counted')).fill('');
    await page.getByLabel(t('collections.bag')).fill('');
    const collections = await server.ops('GET', opsApiPaths.collections, undefined, CollectionListSchema);
    expect(
      collections.collections
        .filter((c) => c.terminalId === terminalId)
        .map((c) => [c.expectedMinor, c.countedMinor, c.overShortMinor]),
    ).toEqual([[kioskMinor, kioskMinor - 25, -25]]);
    const collectionOfKiosk = collections.collections.find((c) => c.terminalId === terminalId)!;
    // The recent collections list it, a quarter short, recorded by the lead.
    const collected = page.locator('tbody tr', { hasText: terminalId });
    await expect.poll(() => collected.count()).toBe(1);
    const collectedText = await collected.textContent();
    expect(collectedText).toContain(`−${money(25)}`);
    expect(collectedText).toContain(money(kioskMinor - 25));
    expect(collectedText).toContain(lead.id);
    await expectAccessible(page, shot('07-collection'));

    // The carrier takes the bag to the bank; the bank credits what was counted. Ops lists what is still in
    // transit, ticks the collection and records the credit: it leaves that list, and the recent
    // collections say it was banked.
    await page.getByRole('button', { name: t('collections.showInTransit') }).click();
    await expect
      .poll(() => page.getByRole('heading', { name: t('collections.inTransitList') }).count())
      .toBe(1);
    await expect.poll(() => collected.count()).toBe(1);
    // Its box is named by what it says, "In transit", and which bag it is.
    const tick = collected.getByRole('checkbox', {
      name: new RegExp(`^${t('collections.inTransit')} .*${terminalId}`),
    });
    await tick.check();
    await expect
      .poll(() => page.getByTestId('bank-selection').textContent())
      .toBe(t('bank.selected', { count: 1, amount: money(kioskMinor - 25) }));
    const bankReference = `SLIP-${terminalId.replace(/\D/g, '')}`;
    // A slipped digit shows as a difference before anything is booked; the right amount matches.
    await page.getByLabel(t('bank.credited')).fill(((10 * (kioskMinor - 25)) / 100).toFixed(2));
    await expect
      .poll(() => page.getByTestId('bank-preview').textContent())
      .toBe(t('bank.previewOver', { amount: money(9 * (kioskMinor - 25)) }));
    await page.getByLabel(t('bank.credited')).fill(((kioskMinor - 25) / 100).toFixed(2));
    await expect.poll(() => page.getByTestId('bank-preview').textContent()).toBe(t('bank.previewBalanced'));
    await page.getByLabel(t('bank.reference')).fill(bankReference);
    await page.getByRole('button', { name: t('bank.submit') }).click();
    await expect.poll(() => page.getByTestId('bank-counted').textContent()).toBe(money(kioskMinor - 25));
    expect(await page.getByText(t('bank.balanced')).count()).toBe(1);
    await expect.poll(() => collected.count()).toBe(0);
    await page.getByRole('button', { name: t('collections.showRecent') }).click();
    await expect.poll(() => page.getByRole('heading', { name: t('collections.recent') }).count()).toBe(1);
    await expect.poll(() => collected.textContent()).toContain(t('collections.banked'));
    const bankedRow = page.locator('tbody tr', { hasText: bankReference });
    await expect.poll(() => bankedRow.count()).toBe(1);
    expect(await bankedRow.textContent()).toContain(lead.id);
    const banked = await server.ops('GET', opsApiPaths.bankDeposits, undefined, BankDepositListSchema);
    expect(
      banked.bankDeposits
        .filter((deposit) => deposit.bankReference === bankReference)
        .map((deposit) => [deposit.collectionIds, deposit.countedMinor, deposit.differenceMinor]),
    ).toEqual([[[collectionOfKiosk.collectionId], kioskMinor - 25, 0]]);
    await expectAccessible(page, shot('07b-banked'));

    // Where the money is now: the screen shows the ledger's figures, and the two sides agree.
    await goTo(page, t('nav.position'), t('position.title'));
    const usd = page.getByTestId('position-USD');
    await expect.poll(() => usd.count()).toBe(1);
    const position = await server.ops('GET', opsApiPaths.cashPosition, undefined, CashPositionSchema);
    const usdPosition = position.currencies.find((one) => one.currency === 'USD')!;
    expect(usdPosition.bankMinor).toBeGreaterThanOrEqual(kioskMinor - 25);
    for (const field of [
      'kioskBagsMinor',
      'storeDrawersMinor',
      'bankMinor',
      'cashMinor',
      'walletsMinor',
    ] as const)
      expect(await usd.locator(`[data-field="${field}"]`).textContent(), field).toBe(
        money(usdPosition[field]),
      );
    expect(await usd.textContent()).toContain(t('position.balanced'));
    // The CSV it downloads reads the same figures.
    const [positionFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: t('position.csv') }).click(),
    ]);
    expect(positionFile.suggestedFilename()).toMatch(
      /^cash-position-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.csv$/,
    );
    const [positionHeader, ...positionRows] = parseCsv(readFileSync(await positionFile.path(), 'utf8'));
    const usdRow = positionRows.find((row) => row[1] === 'USD') ?? [];
    const usdFields = Object.fromEntries((positionHeader ?? []).map((name, index) => [name, usdRow[index]]));
    expect(usdFields).toMatchObject({
      bank_minor: String(usdPosition.bankMinor),
      store_drawers_minor: String(usdPosition.storeDrawersMinor),
      balanced: 'true',
    });
    await expectAccessible(page, shot('07c-position'));

    // The day's settlement: on screen, and as the CSV the console downloads.
    await goTo(page, t('nav.settlements'), t('settlements.title'));
    await page.getByLabel(t('settlements.store')).fill(store.id);
    // The date left empty: today at the store, in its own zone (not the UTC date, nor this browser's).
    expect(await page.getByLabel(t('settlements.date')).inputValue()).toBe('');
    await page.getByRole('button', { name: t('settlements.show') }).click();
    await expect.poll(() => page.getByTestId('settlement-owed').textContent()).toBe(money(3_000));
    expect(await page.getByLabel(t('settlements.date')).inputValue()).toBe(day);
    await expectAccessible(page, shot('08-settlement'));
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: t('settlements.csv') }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`settlement-${store.id}-${day}.csv`);
    const csv = readFileSync(await download.path(), 'utf8');
    const query = `storeId=${encodeURIComponent(store.id)}&date=${day}`;
    const served = await fetch(`${server.url}${opsApiPaths.settlementsCsv}?${query}`, {
      headers: opsHeaders,
    });
    expect(csv).toBe(await served.text());
    const [header, values, ...rest] = parseCsv(csv);
    expect(rest).toEqual([]);
    const fields = Object.fromEntries((header ?? []).map((name, index) => [name, values?.[index]]));
    const report = await server.ops(
      'GET',
      `${opsApiPaths.settlements}?${query}`,
      undefined,
      SettlementSchema,
    );
    // The file, the JSON report and the deposits made above all agree.
    expect(fields).toEqual({
      store_id: store.id,
      store_name: storeName,
      date: day,
      time_zone: timeZone,
      currency: 'USD',
      till_deposits_count: String(report.tillDeposits.count),
      till_deposits_total_minor: String(report.tillDeposits.totalMinor),
      till_voids_count: String(report.tillVoids.count),
      till_voids_total_minor: String(report.tillVoids.totalMinor),
      kiosk_deposits_count: String(report.kioskDeposits.count),
      kiosk_deposits_total_minor: String(report.kioskDeposits.totalMinor),
      owed_minor: String(report.owedMinor),
    });
    expect(report).toMatchObject({
      tillDeposits: { count: 2, totalMinor: 3_000 + 1_250 },
      tillVoids: { count: 1, totalMinor: 1_250 },
      kioskDeposits: { count: 2, totalMinor: kioskMinor },
      owedMinor: 3_000,
    });

    // The store pays $20.00 of the $30.00 its clerks took: the console records it, and says what is left.
    // A second $20.00 would be more than the store owes: the console says so before sending anything.
    await expect.poll(() => page.getByTestId('remit-owed').textContent()).toBe(money(3_000));
    const paymentReference = `ACH-${store.id}`;
    await page.getByLabel(t('remit.amount')).fill('20.00');
    await page.getByLabel(t('remit.reference')).fill(paymentReference);
    await page.getByRole('button', { name: t('remit.submit') }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('remit.recorded', { amount: money(2_000), owed: money(1_000) }));
    await expect.poll(() => page.getByTestId('remit-owed').textContent()).toBe(money(1_000));
    const paymentRow = page.locator('tbody tr', { hasText: paymentReference });
    await expect.poll(() => paymentRow.count()).toBe(1);
    expect(await paymentRow.textContent()).toContain(lead.id);
    await page.getByLabel(t('remit.amount')).fill('20.00');
    await page.getByLabel(t('remit.reference')).fill(`${paymentReference}-2`);
    await page.getByRole('button', { name: t('remit.submit') }).click();
    await expect.poll(() => page.getByText(t('remit.tooMuch', { owed: money(1_000) })).count()).toBe(1);
    const payments = await server.ops(
      'GET',
      opsApiPaths.storeRemittances(store.id),
      undefined,
      StoreRemittanceListSchema,
    );
    expect(payments.owedMinor).toBe(1_000);
    expect(payments.remittances.map((one) => [one.reference, one.amountMinor])).toEqual([
      [paymentReference, 2_000],
    ]);
    await expectAccessible(page, shot('08b-store-paid'));
    // The list of stores says what each owes now.
    await goTo(page, t('nav.stores'), t('stores.title'));
    const storeRow = page.locator('tbody tr', { hasText: store.id });
    await expect.poll(() => storeRow.textContent()).toContain(money(1_000));
    await expectAccessible(page, shot('08c-stores-owing'));

    // The deposit for a code nobody holds waits in suspense with a claim code.
    await goTo(page, t('nav.suspense'), t('suspense.title'));
    const suspense = await server.ops('GET', opsApiPaths.suspense, undefined, SuspenseListSchema);
    const claim = suspense.entries.find((entry) => entry.depositId === mistyped.depositId);
    if (claim?.claimCodeMasked === undefined || claim.claimCodeMasked === null)
      throw new Error('the mistyped deposit is not in suspense');
    const held = page.locator('tbody tr', { hasText: claim.claimCodeMasked });
    await expect.poll(() => held.count()).toBe(1);
    expect(await held.textContent()).toContain(t('suspense.codeUnknown'));
    expect(await held.textContent()).toContain(money(25 * 20));
    // Above the page, all the money held, however many pages it spans.
    const usdHeld = suspense.held.find((total) => total.currency === 'USD')!;
    expect(await page.getByTestId('suspense-held').textContent()).toBe(
      t('suspense.heldTotal', { amount: money(usdHeld.totalMinor), count: usdHeld.count }),
    );
    await expectAccessible(page, shot('09-suspense'));

    // The shopper lost the receipt and proves the money is theirs: the operator credits it by phone.
    const balanceBefore = await walletBalance(kit, shopper.headers);
    await held
      .getByRole('button', {
        name: t('suspense.assign', { amount: money(500), claim: claim.claimCodeMasked }),
      })
      .click();
    await expect
      .poll(() => page.evaluate<string | undefined>('document.activeElement?.id'))
      .toBe('suspense-phone');
    await page.getByLabel(t('suspense.phone')).fill(shopper.phone);
    await page
      .getByLabel(t('suspense.assignReason'))
      .fill('Showed a photo of the receipt; typed one digit wrong.');
    await expectAccessible(page, shot('09b-suspense-assign'));
    await page.getByRole('button', { name: t('suspense.assignSubmit'), exact: true }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(t('suspense.assigned', { amount: money(500), phone: shopper.phone }));
    // Credited, it leaves the money held (and its total); the listing of every claim shows it claimed.
    await expect.poll(() => held.count()).toBe(0);
    const heldAfter = await server.ops('GET', opsApiPaths.suspense, undefined, SuspenseListSchema);
    expect(heldAfter.held.find((total) => total.currency === 'USD')?.totalMinor ?? 0).toBe(
      usdHeld.totalMinor - 500,
    );
    await page.getByRole('button', { name: t('suspense.showAll') }).click();
    await expect.poll(() => held.textContent()).toContain(t('suspense.claimed'));
    expect(await walletBalance(kit, shopper.headers)).toBe(balanceBefore + 500);

    // Staff: the lead adds a colleague, who is listed as created by the lead, then disables them.
    await goTo(page, t('nav.staff'), t('staff.title'));
    const colleague = `tech.${language}.${size}`;
    await page.getByLabel(t('staff.username'), { exact: true }).fill(colleague);
    await page.getByLabel(t('staff.name'), { exact: true }).fill('Tomas Tech');
    await page.getByLabel(t('staff.password')).fill('a-long-first-password');
    await page.getByRole('button', { name: t('staff.create') }).click();
    const staffRow = page.locator('tbody tr', { hasText: colleague });
    await expect.poll(() => staffRow.count()).toBe(1);
    // The lead's own row offers no way to disable themselves.
    const leadRow = page.locator('tbody tr', { hasText: username });
    expect(await leadRow.getByRole('button').count()).toBe(0);
    expect(await staffRow.textContent()).toContain(lead.id);
    expect(await staffRow.textContent()).toContain(t('staff.active'));
    await staffRow.getByRole('button', { name: t('staff.disable', { name: colleague }) }).click();
    await expect.poll(() => staffRow.textContent()).toContain(t('staff.disabled'));
    const staff = await server.ops('GET', opsApiPaths.staff, undefined, StaffListSchema);
    expect(staff.staff.find((s) => s.username === colleague)).toMatchObject({ createdBy: lead.id });
    expect(staff.staff.find((s) => s.username === colleague)?.disabledAtMs).not.toBeNull();
    await expectAccessible(page, shot('10-staff'));

    // The audit trail: the kiosk's whole history, newest first, says who did each thing, and the store's
    // is one click away from the list of everything.
    await goTo(page, t('nav.audit'), t('audit.title'));
    const trail = page.getByTestId('audit-trail');
    const trailRows = trail.locator('tbody tr');
    await expect.poll(() => trailRows.count()).toBeGreaterThan(0);
    await page.getByLabel(t('audit.subject')).fill(terminalId);
    await trail.getByRole('button', { name: t('audit.show'), exact: true }).click();
    await expect
      .poll(() => trail.getByRole('status').textContent())
      .toBe(t('audit.showingSubject', { subject: terminalId }));
    await expect
      .poll(() => trailRows.locator('th').allTextContents())
      .toEqual([
        t('audit.kind.collection.recorded'),
        t('audit.kind.alert.closed'),
        t('audit.kind.terminal.enrolled'),
        t('audit.kind.terminal.created'),
      ]);
    const byColumn = async () =>
      (await trailRows.locator('td:last-child').allTextContents()).map((by) => by.trim());
    expect(await byColumn()).toEqual([lead.id, lead.id, terminalId, lead.id]);
    const counted = await trailRows.first().textContent();
    expect(counted).toContain(`${t('audit.field.countedMinor')}${money(kioskMinor - 25)}`);
    expect(counted).toContain(`${t('audit.field.expectedMinor')}${money(kioskMinor)}`);
    // The bag came up short: signed as the collections screen signs it, with a minus, not a hyphen.
    expect(counted).toContain(`${t('audit.field.overShortMinor')}−${money(25)}`);
    expect(await trailRows.nth(1).textContent()).toContain(note);
    await expectAccessible(page, shot('11-audit-kiosk'));
    await trail.getByRole('button', { name: t('audit.showAll'), exact: true }).click();
    await expect.poll(() => trail.getByRole('status').textContent()).toBe(t('audit.showingAll'));
    await trail.getByRole('button', { name: `${store.id} #1`, exact: true }).click();
    await expect
      .poll(() => trailRows.locator('th').allTextContents())
      .toEqual([
        t('audit.kind.store.remittanceRecorded'),
        t('audit.kind.clerk.created'),
        t('audit.kind.store.created'),
      ]);
    const payment = await trailRows.first().textContent();
    expect(payment).toContain(`${t('audit.field.amountMinor')}${money(2_000)}`);
    expect(payment).toContain(`${t('audit.field.owedAfterMinor')}${money(1_000)}`);
    expect(await trailRows.nth(1).textContent()).toContain('Carla Mendez');
    // A currency with no amount beside it (a new store's) is shown as itself.
    expect(await trailRows.nth(2).textContent()).toContain(`${t('audit.field.currency')}USD`);
    await expectAccessible(page, shot('12-audit-store'));

    // Signing out ends the session on the server: the token it held is refused from then on.
    const signedOutToken = await page.evaluate("sessionStorage.getItem('cashin.ops.token')");
    await page.getByRole('button', { name: t('nav.signOut') }).click();
    await expectHeading(page, t('signIn.title'));
    await expect
      .poll(
        async () =>
          (
            await fetch(`${server.url}${opsApiPaths.staff}`, {
              headers: { authorization: `Bearer ${String(signedOutToken)}` },
            })
          ).status,
      )
      .toBe(401);
  });
}

describe('the ops console', () => {
  it('sets up a store, enrolls a kiosk, sees it go silent, collects its bag and settles the day (en, desktop)', async () => {
    await opsJourney('en', 'desktop');
  }, 60_000);

  it('does the same in Spanish on a 360 px phone', async () => {
    await opsJourney('es', 'phone');
  }, 60_000);
});
