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

/** A moment as a receipt prints it: the date and the time of day, each on a line of its own. */
export interface ReceiptTime {
  date: string;
  time: string;
}

/**
 * A timestamp as the shopper reads it, in the kiosk's time zone and the receipt's locale. The date and the
 * time are printed as two lines because together they do not fit a right column in every locale (es-US
 * writes "12/07/2026, 03:54:33 p.m.", 25 characters); apart, each is at most about half of one, and the
 * receipt tests check every locale a kiosk can print in, so neither is ever clipped.
 */
export function formatReceiptTime(atMs: number, locale: string, timeZone: string): ReceiptTime {
  const date = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const time = new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return { date: date.format(atMs), time: time.format(atMs) };
}
