import type { Language, PrintJob, PrintLine } from '@cashin/shared';
import { formatMoney, localeFor, multiplyMinor } from '@cashin/shared';
import type { Collection } from '../journal/bag.js';
import { receiptMessages } from './receipt-messages.js';
import {
  clip,
  formatReceiptTime,
  receiptLeftMax,
  receiptRightMax,
  receiptTextMax,
} from './receipt-format.js';

export interface CollectionReportInput {
  collection: Collection;
  terminalName: string;
  timeZone: string;
  language: Language;
}

/**
 * The slip a field tech keeps with a bag: which kiosk and device, when, what the kiosk counted per
 * denomination, and the total. The tech's own count is compared against it at the cash centre; the
 * collection id (also as a barcode) ties the slip to the record the kiosk keeps.
 */
export function buildCollectionReport(input: CollectionReportInput): PrintJob {
  const m = receiptMessages[input.language];
  const { collection } = input;
  const lines: PrintLine[] = [
    { type: 'text', text: m.collectionTitle, align: 'center', bold: true, size: 'large' },
    { type: 'columns', left: m.terminal, right: clip(input.terminalName, receiptRightMax) },
    { type: 'columns', left: m.device, right: clip(collection.device, receiptRightMax) },
  ];
  const firstCurrency = collection.totals.totalsByCurrency[0]?.currency ?? 'USD';
  const collected = formatReceiptTime(
    collection.collectedAtMs,
    localeFor(input.language, firstCurrency),
    input.timeZone,
  );
  lines.push({ type: 'columns', left: m.collectedAt, right: collected.date });
  lines.push({ type: 'columns', left: m.time, right: collected.time });
  lines.push({ type: 'rule' });
  if (collection.totals.totalsByCurrency.length === 0) {
    lines.push({ type: 'text', text: m.nothingCollected, align: 'left', bold: false, size: 'normal' });
  }
  for (const total of collection.totals.totalsByCurrency) {
    const locale = localeFor(input.language, total.currency);
    const money = (amountMinor: number): string => formatMoney(amountMinor, total.currency, locale);
    for (const line of total.lines) {
      const label = `${money(line.valueMinor)} ${line.kind === 'coin' ? m.coin : m.bill} x ${line.count}`;
      lines.push({
        type: 'columns',
        left: clip(label, receiptLeftMax),
        right: money(multiplyMinor(line.valueMinor, line.count)),
      });
    }
    lines.push({ type: 'columns', left: m.pieces, right: String(total.pieces) });
    lines.push({
      type: 'columns',
      left: clip(`${m.total} ${total.currency}`, receiptLeftMax),
      right: money(total.totalMinor),
    });
    lines.push({ type: 'rule' });
  }
  lines.push({
    type: 'text',
    text: clip(`${m.collectionId}`, receiptTextMax),
    align: 'center',
    bold: false,
    size: 'normal',
  });
  lines.push({ type: 'text', text: collection.collectionId, align: 'center', bold: false, size: 'normal' });
  lines.push({ type: 'barcode', symbology: 'code128', data: collection.collectionId });
  lines.push({ type: 'feed', lines: 3 });
  lines.push({ type: 'cut' });
  return { title: `collection ${collection.collectionId}`, lines };
}
