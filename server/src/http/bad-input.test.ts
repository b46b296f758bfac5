import { ErrorBodySchema, createUuidV7Generator, generateCode } from '@cashin/shared';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedUpShopper, TestApp } from '../test-support/test-app.js';
import { openCashAccount, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

const newId = createUuidV7Generator();

/** Generated bodies per route in the fuzz test: enough variety, bounded for CI time. */
const fuzzRunsPerRoute = 40;

/** A code with its check digit changed: right length and type, wrong Damm digit. */
function withWrongCheckDigit(code: string): string {
  const last = Number(code.at(-1));
  return code.slice(0, -1) + String((last + 1) % 10);
}

async function countRows(t: TestApp): Promise<string> {
  const tables = ['transfers', 'deposits', 'shoppers', 'claims', 'slips', 'audit_log'];
  const counts = [];
  for (const table of tables) {
    const row = await t.db.transaction((tx) =>
      tx.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`),
    );
    counts.push(`${table}=${String(row?.n)}`);
  }
  return counts.join(' ');
}

describe.each(testAdapters)('bad input on %s', (adapter) => {
  let t: TestApp;
  let shopper: SignedUpShopper;
  let drawer: string;

  beforeAll(async () => {
    t = await openTestApp(adapter);
    drawer = await openCashAccount(t);
    shopper = await signUpAndIn(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const goodDeposit = () => ({
    id: newId(),
    code: shopper.depositCode,
    amountMinor: 1_000,
    currency: 'USD',
    sourceAccountId: drawer,
  });

  const cases: [string, () => Record<string, unknown> | string, string][] = [
    ['a fractional amount', () => ({ ...goodDeposit(), amountMinor: 10.5 }), 'AMOUNT_INVALID'],
    ['a negative amount', () => ({ ...goodDeposit(), amountMinor: -100 }), 'AMOUNT_INVALID'],
    ['a zero amount', () => ({ ...goodDeposit(), amountMinor: 0 }), 'AMOUNT_INVALID'],
    ['a huge amount', () => ({ ...goodDeposit(), amountMinor: 2 ** 60 }), 'AMOUNT_INVALID'],
    ['an amount as a string', () => ({ ...goodDeposit(), amountMinor: '1000' }), 'AMOUNT_INVALID'],
    ['an unknown currency', () => ({ ...goodDeposit(), currency: 'XXX' }), 'CURRENCY_UNKNOWN'],
    ['a lowercase currency', () => ({ ...goodDeposit(), currency: 'usd' }), 'CURRENCY_UNKNOWN'],
    [
      'a code with a wrong check digit',
      () => ({ ...goodDeposit(), code: withWrongCheckDigit(shopper.depositCode) }),
      'CODE_MALFORMED',
    ],
    ['a code with letters', () => ({ ...goodDeposit(), code: '4112abcd' }), 'CODE_MALFORMED'],
    [
      'a claim code where a deposit code belongs',
      () => ({ ...goodDeposit(), code: generateCode('claim') }),
      'CODE_MALFORMED',
    ],
    ['a number as the code', () => ({ ...goodDeposit(), code: 41123456 }), 'CODE_MALFORMED'],
    ['a non-UUIDv7 id', () => ({ ...goodDeposit(), id: 'not-a-uuid' }), 'VALIDATION_FAILED'],
    [
      'a missing field',
      () => ({ id: newId(), code: shopper.depositCode, currency: 'USD', sourceAccountId: drawer }),
      'AMOUNT_INVALID',
    ],
    ['an array body', () => '[1,2,3]', 'VALIDATION_FAILED'],
    ['malformed JSON', () => '{"amountMinor": 10,', 'MALFORMED_JSON'],
    ['an empty body', () => '', 'MALFORMED_JSON'],
  ];

  it.each(cases)('refuses %s with its code and changes nothing', async (_name, body, code) => {
    const before = await countRows(t);
    const payload = body();
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/deposits',
      headers: { ...opsHeaders, 'content-type': 'application/json' },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.json().error.code).toBe(code);
    expect(await countRows(t)).toBe(before);
  });

  it('refuses a NUL character wherever it hides in a body, before the schema sees it', async () => {
    const hidden: Record<string, unknown>[] = [
      { ...goodDeposit(), sourceAccountId: `${drawer}\u0000` },
      { ...goodDeposit(), ['note\u0000']: 'a key with a NUL' },
      { ...goodDeposit(), extra: [{ deeper: ['clean', 'not\u0000clean'] }] },
    ];
    const before = await countRows(t);
    for (const body of hidden) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/deposits',
        headers: { ...opsHeaders, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { reason: 'nulCharacter' },
      });
    }
    expect(await countRows(t)).toBe(before);
  });

  it('refuses a bad phone number with PHONE_INVALID and a body of the wrong media type with 415', async () => {
    const phone = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone: '5551234', currency: 'USD' },
    });
    expect(phone.json().error.code).toBe('PHONE_INVALID');
    const media = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(media.statusCode).toBe(415);
    expect(media.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it("answers the router's own refusals (a bad escape, an overlong path parameter) with a coded 400", async () => {
    const overlong = '1'.repeat(200);
    for (const [method, url] of [
      ['GET', '/v1/barcodes/code128/%zz.png'],
      ['GET', `/v1/barcodes/code128/${overlong}.png`],
      ['POST', `/v1/ops/reviews/${overlong}/clearance`],
    ] as const) {
      const response = await t.app.inject({ method, url, headers: opsHeaders, payload: {} });
      expect(response.statusCode, url).toBe(400);
      const body = ErrorBodySchema.parse(response.json());
      expect(body.error.code, url).toBe('VALIDATION_FAILED');
      expect(body.error.details?.['part']).toBe('url');
      expect(response.body, url).not.toContain(overlong);
      expect(response.headers['x-request-id']).toBe(body.error.requestId);
    }
  });

  it('answers a body over the size limit with BODY_TOO_LARGE', async () => {
    const huge = JSON.stringify({
      phone: '+15551234567',
      currency: 'USD',
      name: 'x'.repeat(t.config.limits.system.httpBodyBytesMax),
    });
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      headers: { 'content-type': 'application/json' },
      payload: huge,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('BODY_TOO_LARGE');
  });

  it('never answers a generated barcode path with a 5xx', async () => {
    const segment = fc.oneof(
      fc.string(),
      fc.constantFrom('qr', 'code128', 'png', 'svg', shopper.depositCode),
    );
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (symbology, code, format) => {
        const url = `/v1/barcodes/${encodeURIComponent(symbology)}/${encodeURIComponent(code)}.${encodeURIComponent(format)}`;
        const response = await t.app.inject({ method: 'GET', url });
        expect(response.statusCode, url).toBeLessThan(500);
      }),
      { numRuns: fuzzRunsPerRoute },
    );
  });

  it('never answers a generated body on any route with a 5xx', async () => {
    const routes: { method: 'POST' | 'PUT'; url: string; headers: Record<string, string> }[] = [
      { method: 'POST', url: '/v1/shoppers', headers: {} },
      { method: 'POST', url: '/v1/auth/otp', headers: {} },
      { method: 'POST', url: '/v1/auth/sessions', headers: {} },
      { method: 'POST', url: '/v1/deposits', headers: opsHeaders },
      { method: 'POST', url: '/v1/codes/lookups', headers: opsHeaders },
      { method: 'POST', url: '/v1/reversals', headers: opsHeaders },
      { method: 'POST', url: '/v1/ops/cash-accounts', headers: opsHeaders },
      { method: 'PUT', url: '/v1/ops/shoppers/x/kyc', headers: opsHeaders },
      { method: 'POST', url: '/v1/me/slips', headers: shopper.headers },
      { method: 'POST', url: '/v1/me/claims', headers: shopper.headers },
      { method: 'POST', url: '/v1/me/deposit-code/rotations', headers: shopper.headers },
    ];
    // Bodies near the real shapes (so validation gets past the first field) and plain junk.
    const field = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom(
        shopper.depositCode,
        generateCode('claim'),
        generateCode('slip'),
        'USD',
        'XXX',
        '+15551234567',
        newId(),
        drawer,
      ),
      fc.constantFrom(2 ** 53, -1, 0, 1e308, 0.1),
    );
    const keys = fc.constantFrom(
      'id',
      'code',
      'claimCode',
      'amountMinor',
      'currency',
      'sourceAccountId',
      'phone',
      'otp',
      'name',
      'language',
      'ttlMs',
      'tier',
      'kind',
      'ownerRef',
      'reason',
      'depositId',
      'cashAlreadyTaken',
      '__proto__',
      'constructor',
    );
    const body = fc.oneof(
      fc.dictionary(keys, field, { maxKeys: 8 }).map((value) => JSON.stringify(value)),
      fc.json(),
      fc.string(),
    );
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const response = await t.app.inject({
            method: route.method,
            url: route.url,
            headers: { ...route.headers, 'content-type': 'application/json' },
            payload,
          });
          expect(response.statusCode, `${route.url} ${payload} -> ${response.body}`).toBeLessThan(500);
          expect(response.json().error?.code ?? 'ok').toBeTypeOf('string');
        }),
        { numRuns: fuzzRunsPerRoute },
      );
    }
  });
});
