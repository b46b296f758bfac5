import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzParameters } from '../testing/fuzz.js';
import { parseDepositReference } from '../terminal/deposit-reference.js';
import { verifyReceiptQr } from '../terminal/receipt-qr.js';
import { aimPrefixFor, splitAimPrefix } from './aim-symbology.js';
import { KeystrokeBurstDetector } from './keystroke-burst.js';

/**
 * Fuzzing of what reads scanned text: the AIM prefix split, the keyboard-wedge burst detector, the
 * deposit reference and the receipt QR. Every input gets an answer; none throws.
 */
const scannedText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .tuple(fc.constantFrom(']C0', ']Q1', ']d2', ']zz', ']', ']C'), fc.string({ maxLength: 60 }))
    .map(([prefix, text]) => prefix + text),
  fc
    .array(fc.oneof(fc.string({ maxLength: 12 }), fc.constant('|'), fc.nat().map(String)), { maxLength: 12 })
    .map((parts) => `1|${parts.join('|')}`),
);

describe('scanned text under fuzz', () => {
  it('splitAimPrefix keeps every character and names a symbology for any text', () => {
    fc.assert(
      fc.property(scannedText, (raw) => {
        const { symbology, text } = splitAimPrefix(raw);
        expect(symbology.length).toBeGreaterThan(0);
        expect(raw.endsWith(text)).toBe(true);
        if (symbology !== 'unknown') expect(raw.length - text.length).toBe(3);
        if (symbology === 'code128') expect(aimPrefixFor(symbology).startsWith(']C')).toBe(true);
      }),
      fuzzParameters(3_000),
    );
  });

  it('the burst detector answers every key train, and a scan never exceeds the longest scan', () => {
    const key = fc.oneof(
      fc.string({ minLength: 1, maxLength: 1 }),
      fc.constantFrom('Enter', 'Tab', 'Shift', 'ArrowLeft', ''),
      fc.string({ maxLength: 8 }),
    );
    const train = fc.array(fc.tuple(key, fc.integer({ min: -50, max: 500 })), { maxLength: 80 });
    fc.assert(
      fc.property(train, (keys) => {
        const charsMax = 40;
        const detector = new KeystrokeBurstDetector({ keyGapMsMax: 30, charsMin: 6, charsMax });
        let atMs = 0;
        for (const [k, gapMs] of keys) {
          atMs += gapMs;
          const outcome = detector.key(k, atMs);
          expect(['pending', 'scan', 'typed']).toContain(outcome.kind);
          if (outcome.kind === 'scan') expect(outcome.text.length).toBeLessThanOrEqual(charsMax);
        }
        expect(['pending', 'typed']).toContain(detector.flush().kind);
      }),
      fuzzParameters(2_000),
    );
  });

  it('deposit references and receipt QRs are refused, never thrown on, when they are not ours', () => {
    fc.assert(
      fc.property(scannedText, (text) => {
        const reference = parseDepositReference(text);
        if (reference !== undefined) {
          expect(Number.isSafeInteger(reference.sequence)).toBe(true);
          expect(reference.sequence).toBeGreaterThan(0);
        }
        // No signature verifies: whatever the text, it is never accepted.
        expect(verifyReceiptQr(text, () => false).ok).toBe(false);
      }),
      fuzzParameters(3_000),
    );
  });
});
