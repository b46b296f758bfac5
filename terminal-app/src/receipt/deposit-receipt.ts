import type { KioskDeposit, Language, PrintJob, PrintLine } from '@cashin/shared';
import {
  depositReference,
  formatCode,
  formatMoney,
  localeFor,
  multiplyMinor,
  parseCode,
} from '@cashin/shared';
import type { ReceiptMessages } from './receipt-messages.js';
import { receiptMessages } from './receipt-messages.js';
import type { ReturnedPieces } from './returned-pieces.js';
import {
  clip,
  formatReceiptTime,
  receiptLeftMax,
  receiptRightMax,
  receiptTextMax,
} from './receipt-format.js';
import { receiptQrData } from '@cashin/shared';

/** What a deposit receipt shows besides the deposit itself. */
export interface DepositReceiptInput {
  deposit: KioskDeposit;
  /** What came back uncounted, coins and bills apart, as the journal holds it (Journal.returnedPieces). */
  returned: ReturnedPieces;
  terminalId: string;
  terminalName: string;
  timeZone: string;
  language: Language;
  /** The masked name the server gave at lookup; null offline or for a voucher. */
  maskedName: string | null;
  /** The balance after this deposit when known; null prints "credit pending". */
  newBalanceMinor: number | null;
  /**
   * When this print is a copy of a receipt that already came out, the moment it is reprinted; absent or
   * null for the first print. A copy says so at the top: a voucher's claim code is bearer money, and a
   * second paper that looks like the first could be passed off as a second voucher.
   */
  reprintedAtMs?: number | null;
}

/**
 * Turns a committed deposit into a receipt: title, kiosk and time, the deposit reference as text and as a
 * Code 128 barcode, the itemised coins and bills, the coins and the bills handed back, the total, the new
 * balance or "pending", the claim code for a voucher, flags a shopper should know about, and for a signed
 * (offline or voucher) deposit the QR that proves it.
 */
export function buildDepositReceipt(input: DepositReceiptInput): PrintJob {
  const { deposit } = input;
  const m = receiptMessages[input.language];
  const locale = localeFor(input.language, deposit.currency);
  const money = (amountMinor: number): string => formatMoney(amountMinor, deposit.currency, locale);
  const lines: PrintLine[] = [];
  const voucher = deposit.claimCode !== null;
  lines.push({
    type: 'text',
    text: clip(voucher ? m.voucherTitle : m.depositTitle, receiptTextMax),
    align: 'center',
    bold: true,
    size: 'large',
  });
  const reprintedAtMs = input.reprintedAtMs ?? null;
  if (reprintedAtMs !== null) {
    const reprinted = formatReceiptTime(reprintedAtMs, locale, input.timeZone);
    lines.push({ type: 'text', text: m.copy, align: 'center', bold: true, size: 'large' });
    lines.push({
      type: 'text',
      text: clip(`${m.reprinted} ${reprinted.date} ${reprinted.time}`, receiptTextMax),
      align: 'center',
      bold: false,
      size: 'normal',
    });
  }
  lines.push({ type: 'columns', left: m.terminal, right: clip(input.terminalName, receiptRightMax) });
  const committed = formatReceiptTime(Date.parse(deposit.committedAt), locale, input.timeZone);
  lines.push({ type: 'columns', left: m.date, right: committed.date });
  lines.push({ type: 'columns', left: m.time, right: committed.time });
  lines.push({ type: 'columns', left: m.sequence, right: String(deposit.sequence) });
  if (input.maskedName !== null) {
    lines.push({ type: 'columns', left: m.shopper, right: clip(input.maskedName, receiptRightMax) });
  }
  lines.push({ type: 'rule' });
  for (const item of deposit.items) {
    const label = `${money(item.valueMinor)} ${item.kind === 'coin' ? m.coin : m.bill} x ${item.count}`;
    lines.push({
      type: 'columns',
      left: clip(label, receiptLeftMax),
      right: money(multiplyMinor(item.valueMinor, item.count)),
    });
  }
  lines.push(...returnedLines(input.returned, m));
  lines.push({ type: 'rule' });
  lines.push({ type: 'columns', left: m.total, right: money(deposit.totalMinor) });
  if (input.newBalanceMinor !== null) {
    lines.push({ type: 'columns', left: m.newBalance, right: money(input.newBalanceMinor) });
  } else if (!voucher) {
    lines.push({ type: 'columns', left: m.newBalance, right: m.balancePending });
  }
  if (voucher) {
    const claim = parseCode(deposit.claimCode ?? '', ['claim']);
    if (!claim.ok) throw new Error('a committed voucher always carries a valid claim code');
    lines.push({ type: 'rule' });
    lines.push({ type: 'text', text: m.claimCode, align: 'center', bold: false, size: 'normal' });
    lines.push({ type: 'text', text: formatCode(claim.code), align: 'center', bold: true, size: 'large' });
    lines.push({
      type: 'text',
      text: clip(m.voucherHint, receiptTextMax),
      align: 'center',
      bold: false,
      size: 'normal',
    });
  }
  const notes = [
    deposit.flags.recovered ? m.recovered : null,
    deposit.flags.lostEvents ? m.lostEvents : null,
    deposit.flags.deviceFault ? m.deviceFault : null,
  ].filter((note): note is string => note !== null);
  for (const note of notes) {
    lines.push({
      type: 'text',
      text: clip(note, receiptTextMax),
      align: 'left',
      bold: false,
      size: 'normal',
    });
  }
  lines.push({ type: 'rule' });
  lines.push({ type: 'text', text: m.reference, align: 'center', bold: false, size: 'normal' });
  // The short reference, not the UUID: it is what support asks for, and its barcode fits the paper.
  const reference = depositReference(input.terminalId, deposit.sequence);
  lines.push({ type: 'text', text: reference, align: 'center', bold: true, size: 'large' });
  lines.push({ type: 'barcode', symbology: 'code128', data: reference });
  if (deposit.receiptSignature !== null) {
    if (deposit.flags.offline) {
      lines.push({
        type: 'text',
        text: clip(m.offlineHint, receiptTextMax),
        align: 'center',
        bold: false,
        size: 'normal',
      });
    }
    lines.push({ type: 'qr', data: receiptQrData(input.terminalId, deposit) });
  }
  lines.push({ type: 'text', text: m.thanks, align: 'center', bold: true, size: 'normal' });
  lines.push({ type: 'feed', lines: 3 });
  lines.push({ type: 'cut' });
  return { title: `deposit ${deposit.depositId}`, lines };
}

/**
 * One line per kind of piece handed back, only for a kind that was: the coins to look for in the return
 * cup and the bills that came out of the bill slot, as the screen counted them. Returns journaled without
 * their kind print as one line, so the receipt never claims a kind it does not know.
 */
function returnedLines(returned: ReturnedPieces, m: ReceiptMessages): PrintLine[] {
  const counts = [
    { count: returned.coinCount, one: m.returnedCoinsOne, many: m.returnedCoinsMany },
    { count: returned.billCount, one: m.returnedBillsOne, many: m.returnedBillsMany },
    { count: returned.unsortedCount, one: m.returnedUnsortedOne, many: m.returnedUnsortedMany },
  ];
  return counts
    .filter(({ count }) => count > 0)
    .map(({ count, one, many }) => ({
      type: 'columns',
      left: count === 1 ? one : many,
      right: String(count),
    }));
}
