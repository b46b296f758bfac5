/**
 * AIM symbology identifiers ("]C0"): what a scanner configured to transmit them puts before the data.
 * Kept in shared so the kiosk's drivers and the UI's keyboard-wedge detector name symbologies alike.
 */
const aimSymbologies: Record<string, string> = {
  C0: 'code128',
  C1: 'gs1-128',
  C2: 'code128',
  C4: 'code128',
  Q0: 'qr',
  Q1: 'qr',
  Q2: 'qr',
  Q3: 'gs1-qr',
  Q4: 'qr',
  Q5: 'gs1-qr',
  Q6: 'qr',
  L0: 'pdf417',
  L1: 'pdf417',
  L2: 'pdf417',
  d1: 'datamatrix',
  d2: 'gs1-datamatrix',
  E0: 'ean13',
  E4: 'ean8',
  A0: 'code39',
  I0: 'itf',
};

/** Splits "]C0DEP123" into the symbology ("code128") and the text; no prefix gives "unknown". */
export function splitAimPrefix(raw: string): { symbology: string; text: string } {
  if (raw.length >= 3 && raw[0] === ']') {
    const id = raw.slice(1, 3);
    const symbology = aimSymbologies[id] ?? `aim-${id}`;
    return { symbology, text: raw.slice(3) };
  }
  return { symbology: 'unknown', text: raw };
}

/** The AIM prefix a scanner would send for `symbology` (used by the simulator and by tests). */
export function aimPrefixFor(symbology: string): string {
  for (const [id, name] of Object.entries(aimSymbologies)) if (name === symbology) return `]${id}`;
  return '';
}
