import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Code, KioskDeposit, Language } from '@cashin/shared';
import {
  defaultLimits,
  depositReference,
  formatCode,
  generateCode,
  languages,
  parseCode,
  realClock,
  uuidv7,
} from '@cashin/shared';
import type { CapturedReceipt } from '@cashin/hardware-sim';
import { PrinterSim } from '@cashin/hardware-sim';
import { describe, expect, it } from 'vitest';
import { duplexPair } from '../devices/common/duplex-pair.js';
import { receiptColumnsDefault } from '../devices/printer/encode-job.js';
import { ReceiptPrinter } from '../devices/printer/receipt-printer.js';
import { buildDepositReceipt } from './deposit-receipt.js';
import { receiptQrData, verifyReceiptQr } from '@cashin/shared';
import { createReceiptSigner } from './receipt-signature.js';
import { receiptMessages } from './receipt-messages.js';
import type { ReturnedPieces } from './returned-pieces.js';
import { noneReturned } from './returned-pieces.js';

const run = promisify(execFile);

function parseCodeOrThrow(text: string | null): Code {
  const parsed = parseCode(text ?? '', ['claim']);
  if (!parsed.ok) throw new Error('a voucher carries a valid claim code');
  return parsed.code;
}

// The receipts the kiosk really prints, through the real driver and the byte-level printer simulator, read
// back by an independent decoder: the reference barcode and the signed QR must both scan.
/**
 * A voucher's receipt from kiosk K0042 in Mexico City, as it prints (a copy when reprinted), with what the
 * journal holds of its returns (none unless given).
 */
function voucherReceipt(
  deposit: KioskDeposit,
  language: Language,
  reprintedAtMs: number | null,
  returned: ReturnedPieces = noneReturned,
) {
  return buildDepositReceipt({
    deposit,
    returned,
    terminalId: 'K0042',
    terminalName: 'Tienda 12',
    timeZone: 'America/Mexico_City',
    language,
    maskedName: null,
    newBalanceMinor: null,
    reprintedAtMs,
  });
}

describe('printed deposit receipts', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = createReceiptSigner('K0042', (bytes) => new Uint8Array(sign(null, bytes, privateKey)));

  /** Prints a deposit's receipt through the driver at `columns` (the kiosk's default paper unless given). */
  async function printReceipt(
    deposit: KioskDeposit,
    language: Language,
    options: { columns?: number; reprintedAtMs?: number; returned?: ReturnedPieces } = {},
  ): Promise<{ sim: PrinterSim; receipt: CapturedReceipt }> {
    const [kioskEnd, printerEnd] = duplexPair();
    const sim = new PrinterSim();
    sim.attach(printerEnd);
    const driver = new ReceiptPrinter({
      name: 'printer',
      stream: kioskEnd,
      clock: realClock(),
      limits: defaultLimits.system,
      ...(options.columns === undefined ? {} : { columns: options.columns }),
    });
    const job = voucherReceipt(deposit, language, options.reprintedAtMs ?? null, options.returned);
    const printed = sim.nextReceipt();
    expect(await driver.print(job)).toMatchObject({ ok: true });
    const receipt = await printed;
    await driver.close();
    return { sim, receipt };
  }

  async function printAndDecode(
    deposit: KioskDeposit,
    language: Language,
  ): Promise<{ decoded: string[]; text: string }> {
    const { sim, receipt } = await printReceipt(deposit, language);
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'receipt-')), 'receipt.png');
    await writeFile(file, await sim.png(receipt));
    const { stdout } = await run('/usr/bin/zbarimg', ['-q', file]);
    return { decoded: stdout.trim().split('\n').sort(), text: sim.text(receipt) };
  }

  function voucher(rejectedCount = 0): KioskDeposit {
    const unsigned: KioskDeposit = {
      depositId: uuidv7(),
      sequence: 1187,
      code: null,
      claimCode: generateCode('claim'),
      currency: 'MXN',
      items: [{ kind: 'coin', ccTalkId: 'MX010A', valueMinor: 1_000, count: 7 }],
      rejectedCount,
      totalMinor: 7_000,
      startedAt: '2026-11-22T10:00:00.000Z',
      committedAt: '2026-11-22T10:01:00.000Z',
      flags: { recovered: false, lostEvents: false, offline: true, deviceFault: false },
      receiptSignature: null,
    };
    return { ...unsigned, receiptSignature: signer(unsigned) };
  }

  // The claim code is the money: split over two lines it reads as two codes, or as a short one. Every
  // printed line, the copy mark included, must also fit the paper, or the printer itself would break it.
  it.each(languages)(
    'a voucher in %s on the narrowest paper prints its whole claim code on one line, prominent, and every line fits',
    async (language) => {
      const deposit = voucher();
      const claimCode = formatCode(parseCodeOrThrow(deposit.claimCode));
      for (const reprintedAtMs of [undefined, Date.parse('2026-11-22T10:05:00.000Z')]) {
        const { receipt } = await printReceipt(deposit, language, {
          columns: receiptColumnsDefault,
          ...(reprintedAtMs === undefined ? {} : { reprintedAtMs }),
        });
        const texts = receipt.elements.filter((element) => element.type === 'text');
        const codeLines = texts.filter((element) => element.text.includes(claimCode));
        expect(codeLines).toHaveLength(1);
        expect(codeLines[0]).toMatchObject({ bold: true, heightScale: 2 });
        for (const element of texts) {
          const printedColumns = element.chars.reduce((sum, char) => sum + char.widthScale, 0);
          expect(printedColumns, element.text).toBeLessThanOrEqual(receiptColumnsDefault);
        }
        // No line the builder meant as one is broken by the encoder: each comes out whole on a line of its own.
        const job = voucherReceipt(deposit, language, reprintedAtMs ?? null);
        const printed = texts.map((element) => element.text.trim());
        for (const line of job.lines) if (line.type === 'text') expect(printed).toContain(line.text);
      }
    },
  );

  // 4:01 a.m. in Mexico City: each on a line of its own, label and value, the whole of the value printed.
  it.each([
    ['en', /^Date +11\/22\/2026$/, /^Time +04:01:00 AM$/],
    ['es', /^Fecha +22\/11\/2026$/, /^Hora +04:01:00 a\.m\.$/],
  ] as const)(
    'an offline voucher in %s: the whole date and time printed, reference barcode and signed QR both decode',
    async (language, dateLine, timeLine) => {
      const deposit = voucher();
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

  // A coin is looked for in the return cup and a bill came back out of the bill slot: the paper counts them
  // apart, each label and count on one line of its own with a space between, the first print and a copy alike.
  it.each(languages)(
    'a receipt in %s on the narrowest paper prints coins and bills handed back on lines of their own',
    async (language) => {
      const m = receiptMessages[language];
      const cases: Array<{ returned: ReturnedPieces; lines: string[] }> = [
        {
          returned: { coinCount: 3, billCount: 1, unsortedCount: 0 },
          lines: [`${m.returnedCoinsMany} 3`, `${m.returnedBillsOne} 1`],
        },
        {
          returned: { coinCount: 1, billCount: 12, unsortedCount: 0 },
          lines: [`${m.returnedCoinsOne} 1`, `${m.returnedBillsMany} 12`],
        },
        {
          returned: { coinCount: 0, billCount: 0, unsortedCount: 2 },
          lines: [`${m.returnedUnsortedMany} 2`],
        },
        { returned: noneReturned, lines: [] },
      ];
      const labels = new Set([
        m.returnedCoinsOne,
        m.returnedCoinsMany,
        m.returnedBillsOne,
        m.returnedBillsMany,
        m.returnedUnsortedOne,
        m.returnedUnsortedMany,
      ]);
      for (const { returned, lines } of cases) {
        const deposit = voucher(returned.coinCount + returned.billCount + returned.unsortedCount);
        for (const reprintedAtMs of [undefined, Date.parse('2026-11-22T10:05:00.000Z')]) {
          const { receipt } = await printReceipt(deposit, language, {
            columns: receiptColumnsDefault,
            returned,
            ...(reprintedAtMs === undefined ? {} : { reprintedAtMs }),
          });
          const texts = receipt.elements.filter((element) => element.type === 'text');
          const where = `${JSON.stringify(returned)} ${reprintedAtMs === undefined ? 'first' : 'copy'}`;
          for (const element of texts) {
            const printedColumns = element.chars.reduce((sum, char) => sum + char.widthScale, 0);
            expect(printedColumns, element.text).toBeLessThanOrEqual(receiptColumnsDefault);
          }
          // Only these lines name a return; each is label, at least one space, count, as read off the paper.
          const returnLines = texts
            .map((element) => element.text.trimEnd())
            .filter((line) => [...labels].some((label) => line.startsWith(label)));
          for (const line of returnLines) expect(line, where).toMatch(/\S +\d+$/);
          expect(
            returnLines.map((line) => line.replace(/ +/g, ' ')),
            where,
          ).toEqual(lines);
        }
      }
    },
  );
});
