import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { defaultLimits } from '../limits/limits.js';
import { KeystrokeBurstDetector } from './keystroke-burst.js';

const s = defaultLimits.system;
const detector = () =>
  new KeystrokeBurstDetector({
    keyGapMsMax: s.scanBurstKeyGapMsMax,
    charsMin: s.scanBurstCharsMin,
    charsMax: s.scanTextCharsMax,
  });

function typeAll(d: KeystrokeBurstDetector, keys: string[], gapMs: number, startMs = 1_000) {
  return keys.map((key, i) => d.key(key, startMs + i * gapMs));
}

describe('KeystrokeBurstDetector', () => {
  it('recognises a scanner burst with an AIM prefix', () => {
    const outcomes = typeAll(detector(), [...']C04112345678901234', 'Enter'], 5);
    expect(outcomes.at(-1)).toEqual({ kind: 'scan', text: '4112345678901234', symbology: 'code128' });
    expect(outcomes.slice(0, -1).every((o) => o.kind === 'pending')).toBe(true);
  });

  it('gives a person typing back their keys', () => {
    const outcomes = typeAll(detector(), [...'4112345678', 'Enter'], 150);
    const typed = outcomes.flatMap((o) => (o.kind === 'typed' ? o.keys : []));
    expect(typed.join('')).toBe('4112345678Enter');
    expect(outcomes.some((o) => o.kind === 'scan')).toBe(false);
  });

  it('a short fast burst is typing, not a scan', () => {
    expect(typeAll(detector(), [...'123', 'Enter'], 5).at(-1)).toEqual({
      kind: 'typed',
      keys: ['1', '2', '3', 'Enter'],
    });
  });

  it('never loses or invents a key, whatever the timing', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('1', '2', 'a', ']', 'C', 'Enter', 'Shift'),
            fc.integer({ min: 0, max: 300 }),
          ),
          {
            maxLength: 60,
          },
        ),
        (presses) => {
          const d = detector();
          let at = 0;
          let out = '';
          for (const [key, gap] of presses) {
            at += gap;
            const o = d.key(key, at);
            if (o.kind === 'typed') out += o.keys.join('|') + '|';
            if (o.kind === 'scan') out += `scan|`;
          }
          const f = d.flush();
          if (f.kind === 'typed') out += f.keys.join('|') + '|';
          const typedKeys = out.split('|').filter((k) => k !== '' && k !== 'scan');
          const scans = out.split('|').filter((k) => k === 'scan').length;
          // Every key comes back as typed, except those consumed by a scan (and its suffix).
          expect(typedKeys.length + scans).toBeLessThanOrEqual(presses.length);
          if (scans === 0) expect(typedKeys).toEqual(presses.map(([k]) => k));
        },
      ),
    );
  });
});
