import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { glyphHeight, glyphPixel, glyphWidth } from './font-5x7.js';
import type { CapturedReceipt, ReceiptElement } from './receipt-model.js';

/** 80 mm paper at 203 dpi. */
export const paperWidthDots = 576;
/** Font A cell: 12 x 24 dots; the 5x7 glyph is drawn at 2x inside it. */
const cellWidthDots = 12;
const cellHeightDots = 24;
const glyphScale = 2;
const marginDots = 16;
/** Code 128 bar module in dots: 2 dots (0.25 mm) is what the printer's GS w 2-3 gives, and imagers read it. */
const barcodeModuleDots = 3;

interface Bitmap {
  readonly width: number;
  readonly height: number;
  readonly ink: Uint8Array;
}

/** A drawn element: its bitmap rows, left aligned at x = 0. */
async function drawElement(element: ReceiptElement): Promise<Bitmap> {
  if (element.type === 'text') return drawText(element);
  // Without a callback toBuffer returns a promise; its typing is a union that says so loosely.
  const png: Buffer = (await (element.type === 'barcode'
    ? bwipjs.toBuffer({
        bcid: 'code128',
        text: element.data,
        scale: barcodeModuleDots,
        height: Math.max(8, Math.round(element.heightDots / 8)),
        includetext: element.showText,
        paddingwidth: 10,
        paddingheight: 8,
      })
    : bwipjs.toBuffer({
        bcid: 'qrcode',
        text: element.data,
        scale: Math.max(2, element.moduleDots),
        paddingwidth: 8,
        paddingheight: 8,
      }))) as Buffer;
  const image = PNG.sync.read(png);
  const ink = new Uint8Array(image.width * image.height);
  // bwip-js leaves the background transparent: ink is an opaque dark pixel.
  for (let i = 0; i < ink.length; i += 1) {
    const dark = (image.data[i * 4] ?? 255) < 128;
    const opaque = (image.data[i * 4 + 3] ?? 0) >= 128;
    ink[i] = dark && opaque ? 1 : 0;
  }
  return { width: image.width, height: image.height, ink };
}

function drawText(element: Extract<ReceiptElement, { type: 'text' }>): Bitmap {
  const chars = [...element.text];
  const styleOf = (index: number) =>
    element.chars[index] ?? { widthScale: element.widthScale, bold: element.bold };
  const cellH = cellHeightDots * element.heightScale;
  const width = Math.max(
    1,
    chars.reduce((sum, _char, index) => sum + cellWidthDots * styleOf(index).widthScale, 0),
  );
  const ink = new Uint8Array(width * cellH);
  const scaleY = glyphScale * element.heightScale;
  const top = Math.floor((cellH - glyphHeight * scaleY) / 2);
  let left = 0;
  chars.forEach((char, index) => {
    const style = styleOf(index);
    const scaleX = glyphScale * style.widthScale;
    // Bold thickens each stroke one dot to the right, as thermal printers do.
    const strokeW = scaleX + (style.bold ? 1 : 0);
    for (let column = 0; column < glyphWidth; column += 1) {
      // Row -1 is the accent row above the glyph, inside the cell's top margin.
      for (let row = -1; row < glyphHeight; row += 1) {
        if (!glyphPixel(char, column, row)) continue;
        for (let dy = 0; dy < scaleY; dy += 1) {
          for (let dx = 0; dx < strokeW; dx += 1) {
            const x = left + 1 + column * scaleX + dx;
            const y = top + row * scaleY + dy;
            if (x < width && y >= 0 && y < cellH) ink[y * width + x] = 1;
          }
        }
      }
    }
    left += cellWidthDots * style.widthScale;
  });
  return { width, height: cellH, ink };
}

/**
 * The receipt as the paper would look: a 576-dot-wide black-on-white PNG. Barcodes are drawn by bwip-js
 * from the data the printer was sent, at a module size a scanner reads, so the PNG is a fair test of
 * what a shopper would carry away.
 */
export async function renderReceiptPng(receipt: CapturedReceipt): Promise<Buffer> {
  const drawn = await Promise.all(receipt.elements.map(drawElement));
  const height = marginDots * 2 + drawn.reduce((sum, bitmap) => sum + bitmap.height, 0);
  const png = new PNG({ width: paperWidthDots, height });
  png.data.fill(255);
  let y = marginDots;
  drawn.forEach((bitmap, index) => {
    const element = receipt.elements[index];
    const align = element?.type === 'text' ? element.align : 'center';
    const room = paperWidthDots - 2 * marginDots;
    const width = Math.min(bitmap.width, room);
    const x0 =
      marginDots +
      (align === 'center' ? Math.floor((room - width) / 2) : align === 'right' ? room - width : 0);
    for (let row = 0; row < bitmap.height; row += 1) {
      for (let column = 0; column < width; column += 1) {
        if (bitmap.ink[row * bitmap.width + column] !== 1) continue;
        const offset = ((y + row) * paperWidthDots + x0 + column) * 4;
        png.data[offset] = 0;
        png.data[offset + 1] = 0;
        png.data[offset + 2] = 0;
      }
    }
    y += bitmap.height;
  });
  return PNG.sync.write(png);
}
