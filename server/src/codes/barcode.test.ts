import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCode } from '@cashin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { renderBarcode } from './barcode.js';
import { openTestApp } from '../test-support/test-app.js';

/** An independent decoder (Debian zbar-tools), so the test does not trust bwip-js to read its own output. */
const zbarimg = '/usr/bin/zbarimg';

function decode(png: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'cashin-barcode-'));
  try {
    const file = join(dir, 'code.png');
    writeFileSync(file, png);
    // zbarimg chatters about D-Bus on stderr in containers; only stdout carries the decoded text.
    return execFileSync(zbarimg, ['--raw', '-q', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('barcode images', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp('sqlite');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['code128', 'qr'])('renders a %s PNG that zbarimg decodes back to the code', async (symbology) => {
    for (const type of ['deposit', 'slip'] as const) {
      const code = generateCode(type);
      const response = await t.app.inject({ method: 'GET', url: `/v1/barcodes/${symbology}/${code}.png` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('image/png');
      expect(decode(response.rawPayload)).toBe(code);
    }
  });

  it('renders a claim code (money to whoever types it) only where it is printed, never for anyone who asks', async () => {
    const code = generateCode('claim');
    for (const symbology of ['code128', 'qr'] as const)
      expect(decode((await renderBarcode(code, symbology, 'png')) as Buffer)).toBe(code);
    const response = await t.app.inject({ method: 'GET', url: `/v1/barcodes/qr/${code}.png` });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('CODE_MALFORMED');
  });

  it('renders SVG, and marks every image cacheable forever, by the browser alone, with an ETag', async () => {
    const code = generateCode('deposit');
    const response = await t.app.inject({ method: 'GET', url: `/v1/barcodes/code128/${code}.svg` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('image/svg+xml');
    expect(response.body).toContain('<svg');
    expect(response.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const etag = response.headers['etag'];
    expect(typeof etag).toBe('string');
    const again = await t.app.inject({
      method: 'GET',
      url: `/v1/barcodes/code128/${code}.svg`,
      headers: { 'if-none-match': String(etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('refuses a code with a wrong check digit and an unknown symbology', async () => {
    const code = generateCode('deposit');
    const wrong = code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);
    const bad = await t.app.inject({ method: 'GET', url: `/v1/barcodes/qr/${wrong}.png` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('CODE_MALFORMED');
    const symbology = await t.app.inject({ method: 'GET', url: `/v1/barcodes/ean13/${code}.png` });
    expect(symbology.json().error.code).toBe('VALIDATION_FAILED');
  });
});
