/**
 * Small layout helpers shared by every receipt. Printer lines are bounded by the PrintJob schema (text 64,
 * column left 48, right 24), so each helper cuts rather than letting one long shop name reject a receipt.
 */
export const receiptTextMax = 64;
export const receiptLeftMax = 48;
export const receiptRightMax = 24;

export function clip(text: string, lengthMax: number): string {
  return text.length <= lengthMax ? text : text.slice(0, lengthMax);
}

/** A timestamp as the shopper reads it, in the kiosk's time zone and the receipt's locale. */
export function formatReceiptTime(atMs: number, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).format(atMs);
}
