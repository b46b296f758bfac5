import type { DeviceEvent } from '@cashin/shared';
import { splitAimPrefix } from '@cashin/shared';

/** A raw scan (AIM prefix included, if the scanner sends one) as the one event every scanner yields. */
export function scanEvent(device: string, raw: string, textCharsMax: number): DeviceEvent | undefined {
  const cleaned = raw.replace(/[\r\n]+$/, '');
  if (cleaned.length === 0 || cleaned.length > textCharsMax) return undefined;
  const { symbology, text } = splitAimPrefix(cleaned);
  // A symbology prefix with nothing behind it ("]C0" alone, a misread) is no scan.
  if (text.length === 0) return undefined;
  return { device, type: 'scan', text, symbology: symbology.slice(0, 16) };
}
