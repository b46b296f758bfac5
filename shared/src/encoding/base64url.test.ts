import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode } from './base64url.js';

describe('base64url', () => {
  it('matches the RFC 4648 test vectors, unpadded', () => {
    const cases: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of cases) {
      expect(base64urlEncode(new TextEncoder().encode(plain))).toBe(encoded);
      expect(new TextDecoder().decode(base64urlDecode(encoded))).toBe(plain);
    }
    expect(base64urlEncode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const decoded = base64urlDecode(base64urlEncode(bytes));
        return (
          decoded !== undefined && decoded.length === bytes.length && decoded.every((b, i) => b === bytes[i])
        );
      }),
    );
  });

  it('refuses text that is not canonical base64url', () => {
    for (const text of ['Zg=', 'Z', 'Zh', 'a+b/', 'ab cd', 'Zm9vY'])
      expect(base64urlDecode(text), text).toBeUndefined();
  });
});
