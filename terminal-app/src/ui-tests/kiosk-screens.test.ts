import { formatCode, generateCode, uuidv7 } from '@cashin/shared';
import type { KioskIntent } from '@cashin/shared';
import { launchChromium, screenshotPath, seriousAxeViolations } from '@cashin/scripts/testing/browser';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BridgeServer } from '../agent/bridge-server.js';
import { startBridgeServer } from '../agent/bridge-server.js';
import { ManualSnapshotSource } from '../testing/manual-snapshot-source.js';
import { serveKioskUi } from './build-ui.js';
import { kioskMessages } from '../ui/messages.js';

// The screens in Debian's Chromium, served by the real bridge server from the real Vite build. The deposit
// logic is not under test here, so a hand-driven snapshot source stands in for the runner.
const token = 'kiosk-screens-test-token-0123456789';
let browser: Browser;
let server: BridgeServer;
let source: ManualSnapshotSource;
let page: Page;
const intents: KioskIntent[] = [];

/** Performs a UI action and returns the one intent it sent to the agent. */
async function intentOf(action: () => Promise<void>): Promise<KioskIntent> {
  const seen = intents.length;
  await action();
  await expect.poll(() => intents.length, { timeout: 5_000 }).toBe(seen + 1);
  return intents[seen]!;
}

async function expectAccessible(name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath('kiosk', name), fullPage: true });
  expect(await seriousAxeViolations(page), name).toEqual([]);
}

beforeAll(async () => {
  source = new ManualSnapshotSource();
  server = await serveKioskUi(token, source, (intent) => {
    intents.push(intent);
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1080, height: 1920 } });
  await page.goto(`${server.url}/#token=${token}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('kiosk screens', () => {
  it('attract: starts a deposit and switches language', async () => {
    await expect.poll(() => page.locator('h1').textContent()).toBe('Turn your cash into wallet money');
    await expectAccessible('01-attract');
    expect(await intentOf(() => page.getByRole('button', { name: 'Español' }).click())).toEqual({
      type: 'chooseLanguage',
      language: 'es',
    });
    expect(await intentOf(() => page.getByRole('button', { name: 'Touch to start' }).click())).toEqual({
      type: 'start',
    });
  });

  it('identify: a payment slip or a voucher claim code is named for what it is, and goes no further', async () => {
    source.publish({ screen: 'identify' });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Scan or type your deposit code');
    const continueButton = page.getByRole('button', { name: 'Continue' });
    const slip = generateCode('slip');
    // Named by its type prefix, before the rest is typed.
    for (const digit of slip.slice(0, 2))
      await page.getByRole('button', { name: digit, exact: true }).click();
    await expect
      .poll(() => page.locator('#code-status').textContent())
      .toBe(kioskMessages.en['notice.slipAtTill']);
    for (const digit of slip.slice(2)) await page.getByRole('button', { name: digit, exact: true }).click();
    await expect
      .poll(() => page.locator('#code-status').textContent())
      .toBe(kioskMessages.en['notice.slipAtTill']);
    expect(await continueButton.isDisabled()).toBe(true);
    await expectAccessible('02b-identify-slip');
    await page.getByRole('button', { name: 'Clear' }).click();
    // A claim code is 20 digits: the keypad takes them all, so the kiosk can tell what it is.
    const claim = generateCode('claim');
    for (const digit of claim) await page.getByRole('button', { name: digit, exact: true }).click();
    await expect.poll(() => page.locator('#code').inputValue()).toBe(claim.replace(/(\d{4})(?=\d)/g, '$1 '));
    expect(await page.locator('#code-status').textContent()).toBe(kioskMessages.en['notice.claimInWallet']);
    // All 20 digits show, upright and landscape: the typed text, in the field's own font, fits inside it.
    const fitsField = () =>
      page.evaluate<boolean>(`(() => {
        const field = document.getElementById('code');
        const style = getComputedStyle(field);
        const probe = document.createElement('span');
        probe.style.font = style.font;
        probe.style.letterSpacing = style.letterSpacing;
        probe.style.whiteSpace = 'pre';
        probe.style.position = 'absolute';
        probe.textContent = field.value;
        document.body.appendChild(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width <= field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      })()`);
    expect(await fitsField()).toBe(true);
    const upright = page.viewportSize();
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await fitsField()).toBe(true);
    if (upright !== null) await page.setViewportSize(upright);
    expect(await continueButton.isDisabled()).toBe(true);
    // Scanned rather than typed, the agent says the same above the screen.
    source.publish({ screen: 'identify', notice: 'slipAtTill' });
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(kioskMessages.en['notice.slipAtTill']);
    await expectAccessible('02c-identify-slip-scanned');
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('identify: the keypad checks the check digit as it is typed', async () => {
    source.publish({ screen: 'identify' });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Scan or type your deposit code');
    const code = generateCode('deposit');
    const wrongLast = String((Number(code.at(-1)) + 1) % 10);
    for (const digit of code.slice(0, -1) + wrongLast)
      await page.getByRole('button', { name: digit, exact: true }).click();
    await expect.poll(() => page.locator('#code-status').textContent()).toMatch(/not right/);
    expect(await page.getByRole('button', { name: 'Continue' }).isDisabled()).toBe(true);
    await expectAccessible('02-identify-wrong-digit');
    await page.getByRole('button', { name: 'Delete last digit' }).click();
    await page.getByRole('button', { name: code.at(-1)!, exact: true }).click();
    await expect.poll(() => page.locator('#code').inputValue()).toBe(code.replace(/(\d{4})(?=\d)/g, '$1 '));
    await expectAccessible('03-identify-complete');
    expect(await intentOf(() => page.getByRole('button', { name: 'Continue' }).click())).toEqual({
      type: 'keyedCode',
      text: code,
    });
  });

  it('confirm: shows the masked name and what may still be deposited', async () => {
    source.publish({
      screen: 'confirm',
      shopper: { maskedName: 'Maria G.', voucher: false, offline: false },
      remainingMinor: 95_000,
    });
    await expect.poll(() => page.locator('.shopper-name').textContent()).toBe('Maria G.');
    expect(await page.getByText('You can deposit up to $950.00 now.').count()).toBe(1);
    await expectAccessible('04-confirm');
    // "No, go back" asks to cancel; the agent takes the shopper back to code entry, not the start.
    expect(await intentOf(() => page.getByRole('button', { name: 'No, go back' }).click())).toEqual({
      type: 'cancel',
    });
    expect(await intentOf(() => page.getByRole('button', { name: 'Yes, continue' }).click())).toEqual({
      type: 'confirm',
    });
  });

  it('insert money: the total rises coin by coin with an itemised list and rejects', async () => {
    source.publish({ screen: 'insertMoney', totalMinor: 0, items: [] });
    const total = page.getByTestId('total');
    await expect.poll(() => total.textContent()).toBe('$0.00');
    expect(await total.getAttribute('aria-live')).toBe('polite');
    let quarters = 0;
    for (let coin = 1; coin <= 4; coin += 1) {
      quarters += 1;
      source.publish({
        totalMinor: quarters * 25,
        items: [{ kind: 'coin', valueMinor: 25, count: quarters }],
        remainingMinor: 95_000 - quarters * 25,
      });
      await expect.poll(() => total.textContent()).toBe(`$${(quarters * 0.25).toFixed(2)}`);
    }
    const rejects = page.getByTestId('rejects');
    source.publish({ rejectedCoinCount: 1, notice: 'coinRejected' });
    await expect
      .poll(() => rejects.textContent())
      .toBe('1 coin returned: take it from the coin return cup. Worn or foreign coins cannot be counted.');
    await expectAccessible('05a-insert-money-one-returned');
    source.publish({
      totalMinor: 600,
      items: [
        { kind: 'coin', valueMinor: 25, count: 4 },
        { kind: 'bill', valueMinor: 500, count: 1 },
      ],
      rejectedCoinCount: 2,
      rejectedBillCount: 1,
      notice: 'coinRejected',
    });
    await expect.poll(() => total.textContent()).toBe('$6.00');
    expect(await page.getByTestId('items').locator('li').allTextContents()).toEqual([
      '1 × $5.00$5.00',
      '4 × $0.25$1.00',
    ]);
    // A bill the validator refused comes back out of the bill slot, not the coin cup: each in its words.
    expect(await rejects.locator('p').allTextContents()).toEqual([
      '2 coins returned: take them from the coin return cup. Worn or foreign coins cannot be counted.',
      '1 bill returned: take it back from the bill slot. Torn, very worn or foreign bills cannot be counted.',
    ]);
    await expectAccessible('05-insert-money');
    expect(await intentOf(() => page.getByRole('button', { name: 'Finish' }).click())).toEqual({
      type: 'finish',
    });
  });

  it('finishing: a bill inserted after Finish is handed back because the deposit is closing', async () => {
    source.publish({ screen: 'finishing', notice: null, rejectedCoinCount: 0, rejectedBillCount: 0 });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Counting the last coins…');
    source.publish({ notice: 'billAfterFinish' });
    const banner = page.locator('.banner-notice');
    await expect
      .poll(() => banner.textContent())
      .toBe('That bill was returned: your deposit is already closing. Take it back from the bill slot.');
    expect(await page.getByText(/limit/).count()).toBe(0);
    await expectAccessible('05b-finishing-bill-returned');
    source.publish({ language: 'es' });
    await expect
      .poll(() => banner.textContent())
      .toBe('Ese billete fue devuelto: su depósito ya se está cerrando. Tómelo de la ranura de billetes.');
    source.publish({ language: 'en', notice: null });
  });

  it('done: amount, new balance and receipt status', async () => {
    source.publish({ screen: 'finishing', notice: null });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Counting the last coins…');
    source.publish({
      screen: 'done',
      receipt: {
        depositId: uuidv7(),
        sequence: 7,
        status: 'printed',
        totalMinor: 600,
        newBalanceMinor: 4_600,
        pending: false,
        claimCode: null,
      },
    });
    await expect.poll(() => page.getByTestId('done-amount').textContent()).toBe('You deposited $6.00.');
    expect(await page.getByTestId('done-lead').textContent()).toBe('Your balance is now $46.00.');
    await expectAccessible('06-done');
    // A scan the done screen cannot take yet (the receipt still printing): no deposit is open, so the
    // shopper is told to finish with this screen, not that a deposit is open.
    source.publish({ notice: 'scanIgnored' });
    await expect
      .poll(() => page.locator('.banner-notice').textContent())
      .toBe('Your deposit is done. Tap Done, then scan your code again.');
    expect(await page.getByText(/already open/).count()).toBe(0);
    source.publish({ notice: null });
  });

  it('done, for a voucher: keep the voucher, its claim code is the money; no wallet is mentioned as credited', async () => {
    const claimCode = formatCode(generateCode('claim'));
    const receipt = {
      depositId: uuidv7(),
      sequence: 8,
      status: 'printed' as const,
      totalMinor: 725,
      newBalanceMinor: null,
      pending: true,
      claimCode,
    };
    source.publish({
      screen: 'done',
      shopper: { maskedName: null, voucher: true, offline: false },
      notice: null,
      receipt,
    });
    const lead = page.getByTestId('done-lead');
    await expect
      .poll(() => lead.textContent())
      .toBe('Keep your printed voucher safe: its claim code is the money, and whoever has it can claim it.');
    expect(await page.getByTestId('done-amount').textContent()).toBe('You deposited $7.25.');
    expect(await page.locator('.claim-code').textContent()).toBe(claimCode);
    expect(await page.locator('.claim').textContent()).toContain(
      'Add it to a wallet in the app, now or later.',
    );
    expect(await page.locator('.pending').count()).toBe(0);
    expect(await page.getByText(/in your wallet soon/).count()).toBe(0);
    await expectAccessible('06b-done-voucher');

    // The printer failed: the screen is the only copy of the code, and says so.
    source.publish({ receipt: { ...receipt, status: 'failed' }, lastError: 'DEVICE_FAULT' });
    await expect
      .poll(() => lead.textContent())
      .toBe(
        'Write down your claim code or take a photo of it: it is the money, and whoever has it can claim it.',
      );
    expect(await page.locator('.claim-code').textContent()).toBe(claimCode);
    await expectAccessible('06c-done-voucher-unprinted');

    source.publish({ language: 'es', receipt, lastError: null });
    await expect
      .poll(() => lead.textContent())
      .toBe(
        'Guarde bien su vale impreso: su código para reclamar es el dinero, y quien lo tenga puede reclamarlo.',
      );
    expect(await page.getByText(/en su monedero/).count()).toBe(0);
    expect(await page.locator('.claim').textContent()).toContain(
      'Agréguelo a un monedero en la app, ahora o después.',
    );
    await expectAccessible('06d-done-voucher-es');
    source.publish({ language: 'en', shopper: null });
  });

  it('speaks Spanish with the currency formatted for the locale', async () => {
    source.publish({
      screen: 'insertMoney',
      language: 'es',
      currency: 'MXN',
      totalMinor: 123_450,
      items: [
        { kind: 'bill', valueMinor: 20_000, count: 6 },
        { kind: 'coin', valueMinor: 1_000, count: 34 },
        { kind: 'coin', valueMinor: 50, count: 1 },
      ],
      rejectedCoinCount: 1,
      rejectedBillCount: 0,
      remainingMinor: 400_000,
      receipt: null,
    });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Inserte sus monedas y billetes');
    expect(await page.getByTestId('total').textContent()).toBe('$1,234.50');
    expect(await page.getByTestId('rejects').textContent()).toBe(
      '1 moneda devuelta: tómela de la bandeja de devolución. Las monedas gastadas o extranjeras no se cuentan.',
    );
    source.publish({ rejectedCoinCount: 3, rejectedBillCount: 1 });
    await expect
      .poll(() => page.getByTestId('rejects').locator('p').allTextContents())
      .toEqual([
        '3 monedas devueltas: tómelas de la bandeja de devolución. Las monedas gastadas o extranjeras no se cuentan.',
        '1 billete devuelto: tómelo de la ranura de billetes. Los billetes rotos, muy gastados o extranjeros no se cuentan.',
      ]);
    source.publish({ rejectedCoinCount: 0, rejectedBillCount: 2 });
    await expect
      .poll(() => page.getByTestId('rejects').textContent())
      .toBe(
        '2 billetes devueltos: tómelos de la ranura de billetes. Los billetes rotos, muy gastados o extranjeros no se cuentan.',
      );
    // The page's lang follows the language once the screen has rendered in it (an effect after paint).
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('es');
    await expectAccessible('07-insert-money-es');
  });

  it('out of service: says why in plain words', async () => {
    source.publish({
      screen: 'outOfService',
      language: 'en',
      currency: 'USD',
      outOfService: { device: 'coin', fault: 'jam', errorCode: 'DEVICE_FAULT' },
    });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Out of service');
    expect(await page.locator('.reason').textContent()).toMatch(/stopped working/);
    await expectAccessible('08-out-of-service');
  });

  it('out of service because ops switched the kiosk off: sends the shopper elsewhere, in both languages', async () => {
    source.publish({
      screen: 'outOfService',
      language: 'en',
      currency: 'USD',
      outOfService: { device: null, fault: null, errorCode: 'TERMINAL_DISABLED' },
    });
    await expect.poll(() => page.locator('.lead').textContent()).toMatch(/another kiosk/);
    expect(await page.locator('h1').textContent()).toBe('Out of service');
    expect(await page.locator('.reason').textContent()).toMatch(/switched off/);
    await expectAccessible('09-out-of-service-switched-off');
    source.publish({
      screen: 'outOfService',
      language: 'es',
      currency: 'USD',
      outOfService: { device: null, fault: null, errorCode: 'TERMINAL_DISABLED' },
    });
    await expect.poll(() => page.locator('h1').textContent()).toBe('Fuera de servicio');
    expect(await page.locator('.lead').textContent()).toMatch(/otro quiosco/);
    await expectAccessible('10-out-of-service-switched-off-es');
    source.publish({ screen: 'attract', language: 'en', outOfService: null });
  });

  it('shows that it is reconnecting when the agent goes away, and recovers', async () => {
    const port = server.port;
    await server.close();
    await expect.poll(() => page.getByText('Reconnecting…').count(), { timeout: 10_000 }).toBe(1);
    server = await startBridgeServer({
      port,
      token,
      uiDir: null,
      source,
      onIntent: (intent) => intents.push(intent),
      messageBytesMax: 64 * 1024,
      helloTimeoutMs: 5_000,
      connectionsMax: 4,
    });
    await expect.poll(() => page.getByText('Reconnecting…').count(), { timeout: 10_000 }).toBe(0);
  });
});
