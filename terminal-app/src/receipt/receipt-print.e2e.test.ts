import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { KioskDeposit, Language } from '@cashin/shared';
import { defaultLimits, depositReference, generateCode, realClock, uuidv7 } from '@cashin/shared';
import { PrinterSim } from '@cashin/hardware-sim';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../devices/common/duplex-pair.js';
import { ReceiptPrinter } from '../devices/printer/receipt-printer.js';
import { buildDepositReceipt } from './deposit-receipt.js';
import { receiptQrData, verifyReceiptQr } from '@cashin/shared';
import { createReceiptSigner } from './receipt-signature.js';

const run = promisify(execFile);

// The receipts the kiosk really prints, through the real driver and the byte-level printer simulator, read
// back by an independent decoder: the reference barcode and the signed QR must both scan.
describe('printed deposit receipts', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = createReceiptSigner('K0042', (bytes) => new Uint8Array(sign(null, bytes, privateKey)));

  async function printAndDecode(
    deposit: KioskDeposit,
    language: Language,
  ): Promise<{ decoded: string[]; text: string }> {
    const [kioskEnd, printerEnd] = duplexPair();
    const sim = new PrinterSim();
    sim.attach(printerEnd);
    const driver = new ReceiptPrinter({
      name: 'printer',
      stream: kioskEnd,
      clock: realClock(),
      limits: defaultLimits.system,
    });
    const job = buildDepositReceipt({
      deposit,
      terminalId: 'K0042',
      terminalName: 'Tienda 12',
      timeZone: 'America/Mexico_City',
      language,
      maskedName: null,
      newBalanceMinor: null,
    });
    const printed = sim.nextReceipt();
    expect(await driver.print(job)).toMatchObject({ ok: true });
    const receipt = await printed;
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'receipt-')), 'receipt.png');
    await writeFile(file, await sim.png(receipt));
    await driver.close();
    const { stdout } = await run('/usr/bin/zbarimg', ['-q', file]);
    return { decoded: stdout.trim().split('\n').sort(), text: sim.text(receipt) };
  }

  // 4:01 a.m. in Mexico City: each on a line of its own, label and value, the whole of the value printed.
  it.each([
    ['en', /^Date +11\/22\/2026$/, /^Time +04:01:00 AM$/],
    ['es', /^Fecha +22\/11\/2026$/, /^Hora +04:01:00 a\.m\.$/],
  ] as const)(
    'an offline voucher in %s: the whole date and time printed, reference barcode and signed QR both decode',
    async (language, dateLine, timeLine) => {
      const unsigned: KioskDeposit = {
        depositId: uuidv7(),
        sequence: 1187,
        code: null,
        claimCode: generateCode('claim'),
        currency: 'MXN',
        items: [{ kind: 'coin', ccTalkId: 'MX010A', valueMinor: 1_000, count: 7 }],
        rejectedCount: 0,
        totalMinor: 7_000,
        startedAt: '2026-11-22T10:00:00.000Z',
        committedAt: '2026-11-22T10:01:00.000Z',
        flags: { recovered: false, lostEvents: false, offline: true, deviceFault: false },
        receiptSignature: null,
      };
      const deposit = { ...unsigned, receiptSignature: signer(unsigned) };
      const { decoded, text } = await printAndDecode(deposit, language);
      const printedLines = text.split('\n');
      expect(printedLines.filter((line) => dateLine.test(line))).toHaveLength(1);
      expect(printedLines.filter((line) => timeLine.test(line))).toHaveLength(1);
      const qr = receiptQrData('K0042', deposit);
      expect(decoded).toEqual([`CODE-128:${depositReference('K0042', 1187)}`, `QR-Code:${qr}`]);
      const checked = verifyReceiptQr(decoded[1]!.slice('QR-Code:'.length), (bytes, signature) =>
        verify(null, bytes, publicKey, signature),
      );
      expect(checked).toMatchObject({
        ok: true,
        fields: { depositId: deposit.depositId, totalMinor: 7_000 },
      });
    },
  );
});
