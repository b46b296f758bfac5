import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Code, KioskDeposit, Language, PrintJob, UuidV7 } from '@cashin/shared';
import {
  currencyCodes,
  formatCode,
  formatMoney,
  generateCode,
  languages,
  localeFor,
  PrintJobSchema,
} from '@cashin/shared';
import { receiptColumnsDefault } from '../devices/printer/encode-job.js';
import { buildDepositReceipt } from './deposit-receipt.js';
import { formatReceiptTime } from './receipt-format.js';
import { buildCollectionReport } from './collection-report.js';
import { receiptMessages } from './receipt-messages.js';
import type { SignBytes, VerifyBytes } from '@cashin/shared';
import { receiptQrData, receiptSigningPayload, verifyReceiptQr } from '@cashin/shared';
import { createReceiptSigner } from './receipt-signature.js';
import type { ReturnedPieces } from './returned-pieces.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signBytes: SignBytes = (bytes) => new Uint8Array(sign(null, bytes, privateKey));
const verifyBytes: VerifyBytes = (bytes, signature) => verify(null, bytes, publicKey, signature);
const terminalId = 'kiosk-7';
const signer = createReceiptSigner(terminalId, signBytes);

const shopperCode = '4177777777777770' as Code;

function deposit(overrides: Partial<KioskDeposit> = {}): KioskDeposit {
  const base: KioskDeposit = {
    depositId: '019c8e1a-2b3c-7d4e-8f01-23456789abcd' as UuidV7,
    sequence: 42,
    code: shopperCode,
    claimCode: null,
    currency: 'USD',
    items: [
      { kind: 'coin', ccTalkId: 'US025A', valueMinor: 25, count: 4 },
      { kind: 'bill', ccTalkId: 'US0005A', valueMinor: 500, count: 1 },
    ],
    rejectedCount: 3,
    totalMinor: 600,
    startedAt: '2026-03-01T09:00:00.000Z',
    committedAt: '2026-03-01T09:01:30.000Z',
    flags: { recovered: false, lostEvents: false, offline: false, deviceFault: false },
    receiptSignature: null,
    ...overrides,
  };
  return { ...base, receiptSignature: overrides.receiptSignature ?? signer(base) };
}

function texts(job: PrintJob): string[] {
  return job.lines.flatMap((line) => {
    if (line.type === 'text') return [line.text];
    if (line.type === 'columns') return [`${line.left} | ${line.right}`];
    if (line.type === 'barcode' || line.type === 'qr') return [`${line.type}:${line.data}`];
    return [];
  });
}

/** What the journal holds of the fixture deposit's three returns: two coins and a bill. */
const twoCoinsOneBill: ReturnedPieces = { coinCount: 2, billCount: 1, unsortedCount: 0 };

const input = {
  returned: twoCoinsOneBill,
  terminalId,
  terminalName: 'Store 12 kiosk',
  timeZone: 'America/Chicago',
  maskedName: 'J*** D***',
};

describe('deposit receipt', () => {
  it.each(languages)(
    'in %s: itemised, total and new balance in the locale, barcode of the reference',
    (language) => {
      const job = buildDepositReceipt({ ...input, deposit: deposit(), language, newBalanceMinor: 1_600 });
      expect(PrintJobSchema.safeParse(job).success).toBe(true);
      const locale = localeFor(language, 'USD');
      const m = receiptMessages[language];
      const lines = texts(job);
      expect(lines).toContain(`${m.total} | ${formatMoney(600, 'USD', locale)}`);
      expect(lines).toContain(`${m.newBalance} | ${formatMoney(1_600, 'USD', locale)}`);
      expect(lines).toContain(
        `${formatMoney(25, 'USD', locale)} ${m.coin} x 4 | ${formatMoney(100, 'USD', locale)}`,
      );
      expect(lines).toContain(
        `${formatMoney(500, 'USD', locale)} ${m.bill} x 1 | ${formatMoney(500, 'USD', locale)}`,
      );
      expect(lines).toContain(`${m.returnedCoinsMany} | 2`);
      expect(lines).toContain(`${m.returnedBillsOne} | 1`);
      expect(lines).toContain(`barcode:${input.terminalId}-${deposit().sequence}`);
      expect(lines.some((line) => line.startsWith('qr:'))).toBe(false);
      expect(job.lines.at(-1)).toEqual({ type: 'cut' });
    },
  );

  it('Spanish uses Spanish words and the es locale for money', () => {
    const job = buildDepositReceipt({ ...input, deposit: deposit(), language: 'es', newBalanceMinor: null });
    expect(texts(job)).toContain(`Saldo nuevo | Abono pendiente`);
    expect(localeFor('es', 'MXN')).toBe('es-MX');
    expect(localeFor('en', 'MXN')).toBe('en-MX');
  });

  it('an offline deposit says pending and carries a signed QR that verifies, and fails when altered', () => {
    const offline = deposit({
      flags: { recovered: false, lostEvents: false, offline: true, deviceFault: false },
    });
    const job = buildDepositReceipt({
      ...input,
      deposit: offline,
      language: 'en',
      maskedName: null,
      newBalanceMinor: null,
    });
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
    const lines = texts(job);
    expect(lines).toContain('New balance | Credit pending');
    const qr = lines.find((line) => line.startsWith('qr:'))!.slice(3);
    expect(qr).toBe(receiptQrData(terminalId, offline));
    expect(verifyReceiptQr(qr, verifyBytes)).toEqual({
      ok: true,
      fields: {
        terminalId,
        depositId: offline.depositId,
        sequence: 42,
        code: shopperCode,
        claimCode: null,
        currency: 'USD',
        totalMinor: 600,
        committedAt: offline.committedAt,
      },
    });
    expect(verifyReceiptQr(qr.replace('|600|', '|6000|'), verifyBytes)).toEqual({
      ok: false,
      reason: 'signature',
    });
    expect(verifyReceiptQr(qr.replace('CASHIN-R1', 'CASHIN-R2'), verifyBytes)).toEqual({
      ok: false,
      reason: 'version',
    });
    expect(verifyReceiptQr('nonsense', verifyBytes)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a voucher prints its claim code in groups and a signed QR, and no balance line', () => {
    const claimCode = generateCode('claim');
    const voucher = deposit({ code: null, claimCode });
    const job = buildDepositReceipt({
      ...input,
      deposit: voucher,
      language: 'en',
      maskedName: null,
      newBalanceMinor: null,
    });
    const lines = texts(job);
    expect(lines).toContain(formatCode(claimCode));
    expect(lines).toContain('Cash voucher');
    expect(lines.some((line) => line.startsWith('New balance'))).toBe(false);
    expect(lines.some((line) => line.startsWith('qr:'))).toBe(true);
  });

  it('notes a recovered, lost-event or device-fault deposit', () => {
    const flagged = deposit({
      flags: { recovered: true, lostEvents: true, offline: false, deviceFault: true },
    });
    const lines = texts(
      buildDepositReceipt({ ...input, deposit: flagged, language: 'en', newBalanceMinor: null }),
    );
    const m = receiptMessages.en;
    expect(lines).toEqual(expect.arrayContaining([m.recovered, m.lostEvents, m.deviceFault]));
  });

  // 3:54:33 p.m. in Chicago: the time a Spanish receipt once printed as "03:54:33 p.m", its last "." cut off.
  const afternoon = '2026-07-12T20:54:33.000Z';

  it.each([
    ['en', 'Date | 07/12/2026', 'Time | 03:54:33 PM'],
    ['es', 'Fecha | 12/07/2026', 'Hora | 03:54:33 p.m.'],
  ] as const)('in %s prints the whole date and time', (language, date, time) => {
    const job = buildDepositReceipt({
      ...input,
      deposit: deposit({ committedAt: afternoon }),
      language,
      newBalanceMinor: 1_600,
    });
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
    expect(texts(job)).toEqual(expect.arrayContaining([date, time]));
  });

  it('prints the date and time unclipped in every locale a kiosk can print in, at any hour', () => {
    const timeZones = [
      'America/Chicago',
      'America/Mexico_City',
      'Europe/Berlin',
      'Asia/Kolkata',
      'Asia/Tokyo',
    ];
    for (const language of languages) {
      for (const currency of currencyCodes) {
        const locale = localeFor(language, currency);
        for (const timeZone of timeZones) {
          for (let hour = 0; hour < 24; hour += 1) {
            const committedAtMs = Date.UTC(2026, 11, 28, hour, 59, 58);
            const job = buildDepositReceipt({
              ...input,
              timeZone,
              deposit: deposit({ currency, committedAt: new Date(committedAtMs).toISOString() }),
              language,
              newBalanceMinor: null,
            });
            const where = `${locale} ${timeZone} ${hour}h`;
            expect(PrintJobSchema.safeParse(job).success, where).toBe(true);
            const m = receiptMessages[language];
            const wholeTime = new Intl.DateTimeFormat(locale, {
              timeZone,
              hour: '2-digit',
              minute: '2-digit',
              second: '2-digit',
            }).format(committedAtMs);
            expect(wholeTime, where).toMatch(/\d{2}:\d{2}:58/);
            expect(texts(job), where).toContain(`${m.time} | ${wholeTime}`);
            const dateLine = texts(job).find((line) => line.startsWith(`${m.date} | `));
            expect(dateLine, where).toMatch(/2026/);
          }
        }
      }
    }
  });

  it('fits every line in the print schema even with a long kiosk name', () => {
    const job = buildDepositReceipt({
      ...input,
      terminalName: 'A very long kiosk name that would never fit on one receipt line at all',
      deposit: deposit({ flags: { recovered: true, lostEvents: true, offline: true, deviceFault: true } }),
      language: 'es',
      newBalanceMinor: null,
    });
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
  });

  it.each(languages)(
    'in %s: the first print carries no copy mark; a reprint says COPY and when it was reprinted, near the top',
    (language) => {
      const m = receiptMessages[language];
      const voucher = deposit({ code: null, claimCode: generateCode('claim') });
      const receiptInput = { ...input, deposit: voucher, language, maskedName: null, newBalanceMinor: null };
      const first = texts(buildDepositReceipt(receiptInput));
      expect(first).not.toContain(m.copy);
      expect(first.some((line) => line.startsWith(m.reprinted))).toBe(false);

      const reprintedAtMs = Date.parse(afternoon);
      const copy = buildDepositReceipt({ ...receiptInput, reprintedAtMs });
      expect(PrintJobSchema.safeParse(copy).success).toBe(true);
      const lines = texts(copy);
      // Right under the title, before the kiosk, the date and the claim code.
      expect(lines.slice(0, 3)).toEqual([
        m.voucherTitle,
        m.copy,
        expect.stringMatching(new RegExp(`^${m.reprinted} \\S+ `)),
      ]);
      const when = formatReceiptTime(reprintedAtMs, localeFor(language, 'USD'), input.timeZone);
      expect(lines[2]).toBe(`${m.reprinted} ${when.date} ${when.time}`);
      expect(copy.lines[1]).toMatchObject({ type: 'text', bold: true, size: 'large' });
    },
  );

  /** The lines between the itemised money and the rule above the total that say what came back. */
  function returnedLines(job: PrintJob, language: Language): string[] {
    const lines = job.lines;
    const total = lines.findIndex(
      (line) => line.type === 'columns' && line.left === receiptMessages[language].total,
    );
    const itemsEnd = lines.findLastIndex(
      (line, i) => i < total && line.type === 'columns' && / x \d+$/.test(line.left),
    );
    expect(lines[total - 1]).toEqual({ type: 'rule' });
    return texts({ ...job, lines: lines.slice(itemsEnd + 1, total - 1) });
  }

  it.each(languages)(
    'in %s: coins and bills handed back on lines of their own, each in the number its count takes',
    (language) => {
      const m = receiptMessages[language];
      const returnedOn = (coinCount: number, billCount: number) => {
        const job = buildDepositReceipt({
          ...input,
          returned: { coinCount, billCount, unsortedCount: 0 },
          deposit: deposit({ rejectedCount: coinCount + billCount }),
          language,
          newBalanceMinor: null,
        });
        expect(PrintJobSchema.safeParse(job).success).toBe(true);
        return returnedLines(job, language);
      };
      expect(returnedOn(3, 2)).toEqual([`${m.returnedCoinsMany} | 3`, `${m.returnedBillsMany} | 2`]);
      expect(returnedOn(1, 4)).toEqual([`${m.returnedCoinsOne} | 1`, `${m.returnedBillsMany} | 4`]);
      expect(returnedOn(2, 1)).toEqual([`${m.returnedCoinsMany} | 2`, `${m.returnedBillsOne} | 1`]);
      expect(returnedOn(1, 0)).toEqual([`${m.returnedCoinsOne} | 1`]);
      expect(returnedOn(0, 1)).toEqual([`${m.returnedBillsOne} | 1`]);
      expect(returnedOn(0, 0)).toEqual([]);
      // A coin and a bill read apart, and one reads apart from several (the number agrees).
      expect(
        new Set([m.returnedCoinsOne, m.returnedCoinsMany, m.returnedBillsOne, m.returnedBillsMany]).size,
      ).toBe(4);
    },
  );

  it.each(languages)(
    'in %s: returns journaled without their kind print as one line, never as coins or bills',
    (language) => {
      const m = receiptMessages[language];
      const job = buildDepositReceipt({
        ...input,
        returned: { coinCount: 0, billCount: 1, unsortedCount: 2 },
        deposit: deposit({ rejectedCount: 3 }),
        language,
        newBalanceMinor: null,
      });
      const lines = texts(job);
      expect(lines).toContain(`${m.returnedUnsortedMany} | 2`);
      expect(lines).toContain(`${m.returnedBillsOne} | 1`);
      expect(lines.some((line) => line.startsWith(`${m.returnedCoinsMany} |`))).toBe(false);
      const one = texts(
        buildDepositReceipt({
          ...input,
          returned: { coinCount: 0, billCount: 0, unsortedCount: 1 },
          deposit: deposit({ rejectedCount: 1 }),
          language,
          newBalanceMinor: null,
        }),
      );
      expect(one).toContain(`${m.returnedUnsortedOne} | 1`);
    },
  );

  it.each(languages)('in %s: a copy prints the same returns as the first print', (language) => {
    const receiptInput = {
      ...input,
      returned: { coinCount: 2, billCount: 1, unsortedCount: 1 },
      deposit: deposit({ rejectedCount: 4 }),
      language,
      newBalanceMinor: 1_600,
    };
    const first = returnedLines(buildDepositReceipt(receiptInput), language);
    const copy = returnedLines(
      buildDepositReceipt({ ...receiptInput, reprintedAtMs: Date.parse(afternoon) }),
      language,
    );
    expect(first).toHaveLength(3);
    expect(copy).toEqual(first);
  });

  // The encoder gives a count the columns it needs and the label the rest: a label longer than that would
  // run into its count or be broken over two lines.
  it.each(languages)('in %s leaves each return label room for a space and a six-digit count', (language) => {
    const m = receiptMessages[language];
    const labels = [
      m.returnedCoinsOne,
      m.returnedCoinsMany,
      m.returnedBillsOne,
      m.returnedBillsMany,
      m.returnedUnsortedOne,
      m.returnedUnsortedMany,
    ];
    for (const label of labels)
      expect(`${label} 999999`.length, label).toBeLessThanOrEqual(receiptColumnsDefault);
  });

  // The encoder would break a longer line at a word on 42-column paper, leaving a word alone on a line.
  it.each(languages)('in %s prints each hint and note whole on the narrowest paper', (language) => {
    const m = receiptMessages[language];
    const single = [m.voucherHint, m.offlineHint, m.recovered, m.lostEvents, m.deviceFault, m.thanks];
    for (const text of single) expect(text.length, text).toBeLessThanOrEqual(receiptColumnsDefault);
    // Large lines print at double width when they fit it, else at double height: each must fit at 1x.
    const large = [m.depositTitle, m.voucherTitle, m.collectionTitle, m.copy];
    for (const text of large) expect(text.length, text).toBeLessThanOrEqual(receiptColumnsDefault);
  });
});

describe('receipt signature payload', () => {
  it('is the documented canonical string', () => {
    expect(receiptSigningPayload(terminalId, deposit())).toBe(
      `CASHIN-R1|kiosk-7|019c8e1a-2b3c-7d4e-8f01-23456789abcd|42|${shopperCode}||USD|600|2026-03-01T09:01:30.000Z`,
    );
  });

  it('refuses a terminal id that could break the encoding', () => {
    expect(() => receiptSigningPayload('kiosk|7', deposit())).toThrow();
  });

  it('signs only offline deposits and vouchers', () => {
    expect(deposit().receiptSignature).toBeNull();
    expect(
      deposit({ flags: { recovered: false, lostEvents: false, offline: true, deviceFault: false } })
        .receiptSignature,
    ).not.toBeNull();
  });
});

/** The report of an empty bill bag collected at 18:00 UTC on 1 March 2026. */
function emptyBillBagReport(language: Language) {
  return buildCollectionReport({
    collection: {
      collectionId: '019c8e1a-2b3c-7d4e-8f01-23456789abce' as UuidV7,
      device: 'bill',
      collectedAtMs: Date.UTC(2026, 2, 1, 18),
      totals: { device: 'bill', totalsByCurrency: [] },
    },
    terminalName: 'Store 12 kiosk',
    timeZone: 'UTC',
    language,
  });
}

describe('collection report', () => {
  it.each(languages)('in %s lists what the bag held and fits the print schema', (language) => {
    const job = buildCollectionReport({
      collection: {
        collectionId: '019c8e1a-2b3c-7d4e-8f01-23456789abce' as UuidV7,
        device: 'coin',
        collectedAtMs: Date.UTC(2026, 2, 1, 18),
        totals: {
          device: 'coin',
          totalsByCurrency: [
            {
              currency: 'USD',
              totalMinor: 650,
              pieces: 14,
              lines: [
                { kind: 'coin', valueMinor: 25, count: 10 },
                { kind: 'coin', valueMinor: 100, count: 4 },
              ],
            },
          ],
        },
      },
      terminalName: 'Store 12 kiosk',
      timeZone: 'UTC',
      language,
    });
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
    const locale = localeFor(language, 'USD');
    expect(texts(job)).toContain(
      `${receiptMessages[language].total} USD | ${formatMoney(650, 'USD', locale)}`,
    );
    expect(texts(job)).toContain(`barcode:019c8e1a-2b3c-7d4e-8f01-23456789abce`);
  });

  it.each([
    ['en', 'Collected | 03/01/2026', 'Time | 06:00:00 PM'],
    ['es', 'Retirado | 01/03/2026', 'Hora | 06:00:00 p.m.'],
  ] as const)('in %s prints the whole date and time of the collection', (language, date, time) => {
    const job = emptyBillBagReport(language);
    expect(PrintJobSchema.safeParse(job).success).toBe(true);
    expect(texts(job)).toEqual(expect.arrayContaining([date, time]));
  });

  it('says the bag was empty when it was', () => {
    const job = emptyBillBagReport('en');
    expect(texts(job)).toContain(receiptMessages.en.nothingCollected);
  });
});
