import { createUuidV7Generator, generateCode } from '@cashin/shared';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createLogger } from './app.js';
import type { TestApp } from './test-support/test-app.js';
import {
  nextPhone,
  openCashAccount,
  openTestApp,
  opsHeaders,
  signUpAndIn,
  testConfig,
  testOpsToken,
} from './test-support/test-app.js';
import { openTestDb, testAdapters } from './test-support/test-db.js';

const newId = createUuidV7Generator();

describe.each(testAdapters)('the app on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    t = await openTestApp(adapter);
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const shopper = await signUpAndIn(t);
    const drawer = await openCashAccount(t);
    await t.app.inject({
      method: 'POST',
      url: '/v1/deposits',
      headers: opsHeaders,
      payload: {
        id: newId(),
        code: shopper.depositCode,
        amountMinor: 1_234,
        currency: 'USD',
        sourceAccountId: drawer,
      },
    });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('deposits_credited_total{status="credited"} 1');
    expect(metrics.body).toContain('ledger_posted_minor{currency="USD"} 1234');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    const docs = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.statusCode).toBe(200);
    const paths = Object.keys(docs.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toContain('/v1/deposits');
    expect(paths).toContain('/v1/shoppers');
    for (const path of [
      '/v1/me/children',
      '/v1/me/children/{childId}',
      '/v1/me/children/{childId}/caps',
      '/v1/locations',
      '/v1/ops/audit/verification',
    ])
      expect(paths).toContain(path);
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
    const headers = (await t.app.inject({ method: 'GET', url: '/healthz' })).headers;
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-request-id']).toBeTypeOf('string');
  });

  it('answers unknown paths with NOT_FOUND in the error body', async () => {
    t = await openTestApp(adapter);
    const response = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('NOT_FOUND');
  });

  it('checks every /v1 route against every role', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const shopperOnly = [
      'DELETE /v1/auth/sessions/current',
      'GET /v1/me/wallet',
      'GET /v1/me/deposit-code',
      'POST /v1/me/deposit-code/rotations',
      'POST /v1/me/slips',
      'GET /v1/me/slips',
      'POST /v1/me/claims',
    ];
    const opsOnly = [
      'POST /v1/deposits',
      'POST /v1/codes/lookups',
      'POST /v1/reversals',
      'POST /v1/ops/cash-accounts',
      'PUT /v1/ops/shoppers/x/kyc',
    ];
    for (const route of [...shopperOnly, ...opsOnly]) {
      const [method, url] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'DELETE', string];
      const anonymous = await t.app.inject({
        method,
        url,
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(anonymous.json().error.code, `${route} anonymous`).toBe('UNAUTHENTICATED');
      const badToken = await t.app.inject({
        method,
        url,
        headers: { authorization: 'Bearer nonsense' },
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(badToken.json().error.code, `${route} bad token`).toBe('UNAUTHENTICATED');
      const wrongRole = await t.app.inject({
        method,
        url,
        headers: shopperOnly.includes(route) ? opsHeaders : shopper.headers,
        payload: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect(wrongRole.json().error.code, `${route} wrong role`).toBe('FORBIDDEN');
    }
  });

  it('signs in with a one-time code, counts wrong codes, and locks the phone after too many', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const max = t.config.limits.system.otpAttemptsMax;
    await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: shopper.phone } });
    const right = t.sender.lastOtpFor(shopper.phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const attempt = (otp: string) =>
      t!.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: shopper.phone, otp } });
    for (let n = 1; n < max; n += 1) expect((await attempt(wrong)).json().error.code).toBe('OTP_INVALID');
    expect((await attempt(wrong)).json().error.code).toBe('OTP_LOCKED');
    // Locked means locked: even the right code, and asking for a new code, are refused.
    expect((await attempt(right)).json().error.code).toBe('OTP_LOCKED');
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: shopper.phone } })).json()
        .error.code,
    ).toBe('OTP_LOCKED');
    t.clock.advance(t.config.limits.system.otpLockoutMs);
    await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: shopper.phone } });
    expect((await attempt(t.sender.lastOtpFor(shopper.phone))).statusCode).toBe(201);
  });

  it('expires one-time codes and sessions on the injected clock', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: shopper.phone } });
    t.clock.advance(t.config.limits.system.otpTtlMs);
    const late = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone: shopper.phone, otp: t.sender.lastOtpFor(shopper.phone) },
    });
    expect(late.json().error.code).toBe('OTP_INVALID');
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers })).statusCode,
    ).toBe(200);
    t.clock.advance(t.config.limits.system.shopperSessionTtlMs);
    const expired = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers });
    expect(expired.json().error.code).toBe('SESSION_EXPIRED');
    const again = await signUpAndIn(t, {
      phone: shopper.phone.replace(/\d$/, (d) => String((Number(d) + 1) % 10)),
    });
    const signOut = await t.app.inject({
      method: 'DELETE',
      url: '/v1/auth/sessions/current',
      headers: again.headers,
    });
    expect(signOut.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: again.headers });
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('does not reveal whether a phone has an account: a second sign-up answers as the first did', async () => {
    t = await openTestApp(adapter);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/otp',
      payload: { phone: nextPhone() },
    });
    expect(unknown.statusCode).toBe(202);
    const shopper = await signUpAndIn(t);
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone: shopper.phone, currency: 'USD' },
    });
    // The same answer as any sign-up: a fresh token, which on this number only ever signs in.
    expect([again.statusCode, again.json()]).toEqual([
      202,
      { sent: true, signUpToken: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as unknown },
    ]);
  });

  it('looks a code up with a masked name and allowance, and rate-limits lookups per caller in the database', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const lookup = (code: string) =>
      t!.app.inject({ method: 'POST', url: '/v1/codes/lookups', headers: opsHeaders, payload: { code } });
    const found = await lookup(shopper.depositCode);
    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({
      maskedName: 'Maria G.',
      currency: 'USD',
      allowance: { remainingMinor: 100_000, remainingDeposits: 20 },
    });
    expect((await lookup(generateCode('deposit'))).json().error.code).toBe('CODE_UNKNOWN');
    const max = t.config.limits.system.codeLookupsPerMinuteMax;
    for (let n = 2; n < max; n += 1) await lookup(generateCode('deposit'));
    expect((await lookup(shopper.depositCode)).json().error.code).toBe('RATE_LIMITED');
    t.clock.advance(60_000);
    expect((await lookup(shopper.depositCode)).statusCode).toBe(200);
  });

  it('shows the shopper their code with barcode links, and the development inbox the messages', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const code = await t.app.inject({ method: 'GET', url: '/v1/me/deposit-code', headers: shopper.headers });
    expect(code.json()).toMatchObject({
      code: shopper.depositCode,
      barcodes: { qrPng: `/v1/barcodes/qr/${shopper.depositCode}.png` },
    });
    // The test app's sender captures messages; the inbox page itself is served and well-formed.
    const inbox = await t.app.inject({ method: 'GET', url: '/dev/inbox' });
    expect(inbox.statusCode).toBe(200);
    expect(inbox.headers['content-type']).toContain('text/html');
    // A browser on another machine is answered as if there were no inbox.
    for (const url of ['/dev/inbox', '/dev/inbox.json']) {
      for (const remoteAddress of ['192.168.1.20', '::ffff:10.0.0.7', 'fe80::1']) {
        const elsewhere = await t.app.inject({ method: 'GET', url, remoteAddress });
        expect(elsewhere.statusCode).toBe(404);
      }
      for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1'])
        expect((await t.app.inject({ method: 'GET', url, remoteAddress })).statusCode).toBe(200);
      // With no proxy trusted, a forwarding header is anyone's to write and changes nothing.
      const forwarded = { 'x-forwarded-for': '203.0.113.9' };
      expect((await t.app.inject({ method: 'GET', url, headers: forwarded })).statusCode).toBe(200);
    }
  });

  it("takes the client address from a trusted reverse proxy on this machine, not the proxy's own", async () => {
    const testDb = await openTestDb('sqlite');
    const app = await buildApp(testConfig(undefined, { TRUST_PROXY: '127.0.0.1' }), {
      db: testDb.db,
      logger: createLogger({ logLevel: 'silent' }),
    });
    try {
      const through = (client: string) =>
        app.inject({ method: 'GET', url: '/dev/inbox.json', headers: { 'x-forwarded-for': client } });
      expect((await through('203.0.113.9')).statusCode).toBe(404);
      expect((await through('127.0.0.1')).statusCode).toBe(200);
    } finally {
      await app.close();
      await testDb.dispose();
    }
  });
});

describe('message senders', () => {
  it('keeps no one-time code anywhere when no sender is configured and the inbox is off', async () => {
    const testDb = await openTestDb('sqlite');
    const config = testConfig(undefined, {
      NODE_ENV: 'production',
      CLAIM_CODE_SECRET: 'x'.repeat(32),
      SERVER_SIGNING_KEY: 'k'.repeat(43),
    });
    const app = await buildApp(config, { db: testDb.db, logger: createLogger({ logLevel: 'silent' }) });
    try {
      const phone = nextPhone();
      const signUp = await app.inject({
        method: 'POST',
        url: '/v1/shoppers',
        payload: { phone, currency: 'USD' },
      });
      expect(signUp.json().error.code).toBe('SERVICE_UNAVAILABLE');
      const otp = await app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone } });
      expect(otp.statusCode).toBe(503);
      expect(otp.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect((await app.inject({ method: 'GET', url: '/dev/inbox.json' })).statusCode).toBe(404);
      const kept = await testDb.db.single<{ n: number }>('SELECT COUNT(*) AS n FROM dev_inbox');
      expect(kept[0]?.n).toBe(0);
    } finally {
      await app.close();
      await testDb.dispose();
    }
  });
});

describe('the development inbox sender and log redaction', () => {
  it('puts one-time codes in the inbox, and never writes codes, tokens or OTPs to the log', async () => {
    const testDb = await openTestDb('sqlite');
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ logLevel: 'trace' }, sink);
    const log = () => lines.join('');
    const app = await buildApp(testConfig(), { db: testDb.db, logger });
    try {
      const phone = nextPhone();
      const signUp = await app.inject({
        method: 'POST',
        url: '/v1/shoppers',
        payload: { phone, name: 'Ana Ruiz', currency: 'USD' },
      });
      const { signUpToken } = signUp.json<{ signUpToken: string }>();
      const inbox = await app.inject({ method: 'GET', url: '/dev/inbox.json' });
      const message = inbox.json<{ messages: { to: string; text: string }[] }>().messages[0];
      expect(message?.to).toBe(phone);
      const otp = /(\d{6})/.exec(message?.text ?? '')?.[1] ?? 'missing';
      const session = await app.inject({
        method: 'POST',
        url: '/v1/auth/sessions',
        payload: { phone, otp, signUpToken },
      });
      const token = session.json<{ token: string }>().token;
      await app.inject({
        method: 'GET',
        url: '/v1/me/wallet',
        headers: { authorization: `Bearer ${token}` },
      });
      const depositCode = (
        await app.inject({
          method: 'GET',
          url: '/v1/me/deposit-code',
          headers: { authorization: `Bearer ${token}` },
        })
      ).json<{ code: string }>().code;
      expect(depositCode).toMatch(/^\d+$/);
      expect(log()).not.toContain(depositCode);
      expect(log()).not.toContain(otp);
      expect(log()).not.toContain(token);
      expect(log()).not.toContain(signUpToken);
      expect(log()).not.toContain(phone);
      expect(log()).not.toContain(testOpsToken);
    } finally {
      await app.close();
      await testDb.dispose();
    }
  });
});
