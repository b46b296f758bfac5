import { terminalIdPattern } from './request-signature.js';

/**
 * The reference printed on a kiosk receipt and read to support: the terminal's id and the deposit's
 * sequence number ("K0042-1187"). It is unique, because sequence numbers are per terminal and never reused,
 * and it is short enough that its Code 128 fits an 80 mm receipt at a scannable module width (a 36-character
 * UUID does not). The server maps it back to the deposit id.
 */
export const depositReferenceLengthMax = 20;

export function depositReference(terminalId: string, sequence: number): string {
  if (!terminalIdPattern.test(terminalId)) throw new Error('terminal id does not fit a reference');
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence > 9_999_999)
    throw new Error('bad sequence');
  return `${terminalId}-${sequence}`;
}

export function parseDepositReference(text: string): { terminalId: string; sequence: number } | undefined {
  const cut = text.trim().lastIndexOf('-');
  if (cut <= 0) return undefined;
  const terminalId = text.trim().slice(0, cut);
  const digits = text.trim().slice(cut + 1);
  if (!terminalIdPattern.test(terminalId) || !/^[1-9]\d{0,6}$/.test(digits)) return undefined;
  return { terminalId, sequence: Number(digits) };
}
