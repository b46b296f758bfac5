import { describe, expect, it } from 'vitest';
import { readSignatureHeaders, signatureBase, terminalHeaders } from './request-signature.js';

const parts = {
  method: 'post',
  path: '/v1/terminal/sync?x=1',
  terminalId: 'kiosk-7',
  timestampMs: 1_795_000_000_000,
  nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA',
  contentDigest: `sha-256=:${'A'.repeat(43)}=:`,
};

describe('terminal request signature base', () => {
  it('is the documented lines, method upper-cased, in order', () => {
    expect(signatureBase(parts)).toBe(
      [
        'cashin-sig-1',
        'POST',
        '/v1/terminal/sync?x=1',
        'kiosk-7',
        '1795000000000',
        parts.nonce,
        parts.contentDigest,
      ].join('\n'),
    );
  });

  it('changes when any signed part changes', () => {
    const base = signatureBase(parts);
    for (const change of [
      { method: 'PUT' },
      { path: '/v1/terminal/lookup' },
      { terminalId: 'kiosk-8' },
      { timestampMs: parts.timestampMs + 1 },
      { nonce: 'BAAAAAAAAAAAAAAAAAAAAAAA' },
      { contentDigest: `sha-256=:${'B'.repeat(43)}=:` },
    ]) {
      expect(signatureBase({ ...parts, ...change })).not.toBe(base);
    }
  });

  it('refuses parts that could smuggle a line into the base', () => {
    expect(() => signatureBase({ ...parts, path: '/a\nPOST' })).toThrow();
    expect(() => signatureBase({ ...parts, terminalId: 'kiosk\n1' })).toThrow();
    expect(() => signatureBase({ ...parts, timestampMs: 1.5 })).toThrow();
  });
});

describe('reading signature headers', () => {
  const headers = {
    [terminalHeaders.terminalId]: 'kiosk-7',
    [terminalHeaders.timestamp]: '1795000000000',
    [terminalHeaders.nonce]: parts.nonce,
    [terminalHeaders.contentDigest]: parts.contentDigest,
    [terminalHeaders.signature]: 'a'.repeat(86),
  };

  it('reads well-formed headers', () => {
    expect(readSignatureHeaders(headers)).toMatchObject({
      ok: true,
      parts: { terminalId: 'kiosk-7', timestampMs: 1_795_000_000_000 },
    });
  });

  it('names every missing or malformed header', () => {
    const result = readSignatureHeaders({
      ...headers,
      [terminalHeaders.nonce]: undefined,
      [terminalHeaders.signature]: 'short',
    });
    expect(result).toEqual({
      ok: false,
      missing: [terminalHeaders.nonce],
      malformed: [terminalHeaders.signature],
    });
    expect(readSignatureHeaders({ ...headers, [terminalHeaders.timestamp]: ['1', '2'] })).toMatchObject({
      ok: false,
    });
  });
});
