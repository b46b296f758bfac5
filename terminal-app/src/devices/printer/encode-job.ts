import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrintJob } from '@cashin/shared';
import { PrintJobSchema } from '@cashin/shared';

/** 80 mm paper, Font A: 48 columns at 576 dots; 42 leaves the margins most kiosk printers have. */
export const receiptColumnsDefault = 42;
/** Code 128 bar height in dots (about 10 mm at 203 dpi): tall enough for a handheld or kiosk imager. */
const barcodeHeightDots = 80;
/**
 * Code 128 module width in dots: 2 is 0.25 mm at 203 dpi, which any kiosk imager reads, and leaves room for
 * a 20-character reference on 576 dots (11 modules a character plus 35 for start, check and stop).
 */
const barcodeModuleDots = 2;
/**
 * QR module size in dots: 4 is 0.5 mm at 203 dpi, which phone cameras and kiosk imagers read, and keeps the
 * signed offline-receipt QR (about 200 characters, version 10) near 3 cm wide, well inside 80 mm paper.
 */
const qrModuleDots = 4;

/**
 * How a large line is printed: double width and height when the whole line fits the paper at double width,
 * else double height only. A line the printer wraps is worse than a narrower one: a voucher's claim code (24
 * characters in groups, 48 columns at double width) is the money, and split over two lines it reads as two
 * codes.
 */
function largeSize(text: string, columns: number): { width: 1 | 2; height: 2 } {
  return { width: text.length * 2 <= columns ? 2 : 1, height: 2 };
}

/**
 * A print job as ESC/POS bytes, through the maintained encoder. Barcodes and QR codes use the printer's
 * native commands (GS k, GS ( k), so they are sharp at any resolution and cost a few bytes.
 */
export function encodeJob(job: PrintJob, columns = receiptColumnsDefault): Uint8Array {
  const { lines } = PrintJobSchema.parse(job);
  const e = new ReceiptPrinterEncoder({ columns, language: 'esc-pos' });
  e.initialize().codepage('cp437');
  for (const line of lines) {
    switch (line.type) {
      case 'text': {
        e.align(line.align).bold(line.bold);
        const large = line.size === 'large' ? largeSize(line.text, columns) : null;
        if (large) e.size(large.width, large.height);
        e.line(line.text);
        if (large) e.size(1, 1);
        e.bold(false).align('left');
        break;
      }
      case 'columns': {
        const rightWidth = Math.min(Math.max(line.right.length, 1), columns - 1);
        e.table(
          [
            { width: columns - rightWidth, align: 'left' },
            { width: rightWidth, align: 'right' },
          ],
          [[line.left, line.right]],
        );
        break;
      }
      case 'barcode':
        e.align('center').barcode(line.data, 'code128', {
          height: barcodeHeightDots,
          width: barcodeModuleDots,
          text: 'below',
        });
        e.newline().align('left');
        break;
      case 'qr':
        e.align('center').qrcode(line.data, { model: 2, size: qrModuleDots, errorlevel: 'm' });
        e.newline().align('left');
        break;
      case 'rule':
        e.rule();
        break;
      case 'feed':
        e.newline(line.lines);
        break;
      case 'cut':
        e.cut();
        break;
    }
  }
  return e.encode();
}
