import bwipjs from 'bwip-js';
import type { Code } from '@cashin/shared';

export const symbologies = ['code128', 'qr'] as const;
export type Symbology = (typeof symbologies)[number];
export const imageFormats = ['png', 'svg'] as const;
export type ImageFormat = (typeof imageFormats)[number];

const bwipIds: Record<Symbology, string> = { code128: 'code128', qr: 'qrcode' };

/** Module scale and bar height (mm) chosen so a phone screen and a 58 mm receipt both scan reliably. */
const barcodeScale = 3;
const code128HeightMm = 15;

/** Renders a code; the image depends on nothing but its arguments, so it can be cached forever. */
export async function renderBarcode(
  code: Code,
  symbology: Symbology,
  format: ImageFormat,
): Promise<Buffer | string> {
  const options = {
    bcid: bwipIds[symbology],
    text: code,
    scale: barcodeScale,
    paddingwidth: 10,
    paddingheight: 10,
    backgroundcolor: 'FFFFFF',
    ...(symbology === 'code128' ? { height: code128HeightMm, includetext: true } : {}),
  };
  return format === 'png' ? bwipjs.toBuffer(options) : bwipjs.toSVG(options);
}
