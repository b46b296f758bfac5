import { SignUpTokenSchema } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScriptedAnswer, SmsProviderStandIn } from '../test-support/sms-provider-stand-in.js';
import { startSmsProviderStandIn } from '../test-support/sms-provider-stand-in.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, nextPhone, openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

/**
 * Whether a phone number has a wallet is the shopper's business: signing up, asking for a code and
 * guessing one answer alike (status, code, details), count alike and reach the SMS provider alike for a
 * number with a wallet and one without, so none of them can be used to find out who is a shopper.
 */

const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
const created: ScriptedAnswer = { status: 201, body: { sid: 'SM0001', status: 'queued' } };
const notMobile: ScriptedAnswer = { status: 400, body: { code: 21614, message: 'not a mobile number' } };

describe.each(testAdapters)('account enumeration on %s', (adapter) => {
  let t: TestApp | undefined;
  let provider: SmsProviderStandIn | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await provider?.close();
    provider = undefined;
  });

  /** Everything a stranger can do to one number, from one address, and every answer they get. */
  async function probe(app: TestApp, phone: string, from: string): Promise<unknown[]> {
    const answers: unknown[] = [];
    // Everything in the answer but its request id and sign-up token, which are fresh for every request
    // (the token only by its form).
    const record = (response: { statusCode: number; body: string }) =>
      answers.push([
        response.statusCode,
        JSON.parse(response.body, (key, value: unknown) =>
          key === 'requestId'
            ? undefined
            : key === 'signUpToken'
              ? SignUpTokenSchema.safeParse(value).success
              : value,
        ),
      ]);
    const post = (url: string, payload: Record<string, unknown>) =>
      app.app.inject({ method: 'POST', url, remoteAddress: from, payload });
    const signUp = await post('/v1/shoppers', {
      phone,
      name: 'Eve Stranger',
      language: 'en',
      currency: 'MXN',
    });
    record(signUp);
    const { signUpToken } = signUp.json<{ signUpToken: string }>();
    for (let n = 0; n <= app.config.limits.system.otpSendsMax; n += 1) {
      record(await post('/v1/auth/otp', { phone }));
    }
    // Wrong for a shopper's newest code; any code is wrong for a number that was texted none.
    const newest = /(\d{6})/.exec(app.sender.sent.findLast((m) => m.to === phone)?.text ?? '')?.[1];
    const wrong = newest === '000000' ? '111111' : '000000';
    // With the stranger's own sign-up token and without, which count alike; then with a token nobody had.
    for (let n = 0; n <= app.config.limits.system.otpAttemptsMax + 1; n += 1) {
      record(await post('/v1/auth/sessions', { phone, otp: wrong, ...(n % 2 === 0 ? { signUpToken } : {}) }));
    }
    record(await post('/v1/auth/sessions', { phone, otp: wrong, signUpToken: 'A'.repeat(22) }));
    return answers;
  }

  it('answers sign-ups, code requests and wrong guesses alike for a number with a wallet and one without', async () => {
    t = await openTestApp(adapter);
    const { otpSendsMax, otpSendsWindowMs, otpAttemptsMax } = t.config.limits.system;
    const known = (await signUpAndIn(t)).phone;
    // The shopper's own sign-up message no longer counts against the number.
    t.clock.advance(otpSendsWindowMs);
    const knownAnswers = await probe(t, known, '192.0.2.10');
    const unknownAnswers = await probe(t, nextPhone(), '192.0.2.11');
    expect(knownAnswers).toEqual(unknownAnswers);
    // And the answers are the bounded ones: otpSendsMax messages then RATE_LIMITED, and OTP_LOCKED at the
    // otpAttemptsMax-th wrong guess.
    const codes = unknownAnswers.map((answer) => {
      const [status, body] = answer as [number, { error?: { code: string } }];
      return body.error?.code ?? status;
    });
    expect(codes).toEqual([
      ...Array<number>(otpSendsMax).fill(202),
      'RATE_LIMITED',
      'RATE_LIMITED',
      ...Array<string>(otpAttemptsMax - 1).fill('OTP_INVALID'),
      'OTP_LOCKED',
      'OTP_LOCKED',
      'OTP_LOCKED',
      'SIGN_UP_TOKEN_INVALID',
    ]);
  });

  it('locks guesses from one address alike, whether or not the number has a wallet or a live code', async () => {
    t = await openTestApp(adapter);
    const app = t;
    const { otpAttemptsMax } = app.config.limits.system;
    const known = (await signUpAndIn(app)).phone;
    // Guesses at a number nobody asked a code for, and at a shopper's whose last code was spent signing in.
    const guesses = async (phone: string, from: string): Promise<unknown[]> => {
      const answers: unknown[] = [];
      for (let n = 0; n <= otpAttemptsMax; n += 1) {
        const response = await app.app.inject({
          method: 'POST',
          url: '/v1/auth/sessions',
          remoteAddress: from,
          payload: { phone, otp: '000000' },
        });
        answers.push([response.statusCode, errorCodeOf(response)]);
      }
      return answers;
    };
    const neverAsked = await guesses(nextPhone(), '192.0.2.21');
    expect(await guesses(known, '192.0.2.20')).toEqual(neverAsked);
    expect(neverAsked.map((answer) => (answer as [number, string])[1])).toEqual([
      ...Array<string>(otpAttemptsMax - 1).fill('OTP_INVALID'),
      'OTP_LOCKED',
      'OTP_LOCKED',
    ]);
  });

  it('texts a number with a wallet and one without alike: both wait on the provider, both can be unreachable', async () => {
    provider = await startSmsProviderStandIn(created);
    t = await openTestApp(adapter, {
      messages: 'configured',
      env: {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: 'twilio-auth-token-not-real-0042',
        TWILIO_FROM: '+15550009999',
        TWILIO_API_BASE_URL: provider.baseUrl,
      },
    });
    const app = t;
    const stand = provider;
    const known = '+15550100901';
    const signUp = await app.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone: known, name: 'Ana Ruiz', language: 'en', currency: 'USD' },
    });
    const { signUpToken } = signUp.json<{ signUpToken: string }>();
    const otp = /(\d{6})/.exec(new URLSearchParams(stand.requests.at(-1)?.body).get('Body') ?? '')?.[1];
    const opened = await app.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone: known, otp, signUpToken },
    });
    expect(opened.statusCode, opened.body).toBe(201);

    const unknown = '+15550100902';
    const outcome = async (url: string, phone: string, payload: Record<string, unknown> = {}) => {
      const before = stand.requests.length;
      stand.script(notMobile);
      const answer = await app.app.inject({ method: 'POST', url, payload: { phone, ...payload } });
      const texted = stand.requests.slice(before).map((r) => new URLSearchParams(r.body).get('To'));
      return { status: answer.statusCode, code: errorCodeOf(answer), texted };
    };
    for (const [url, payload] of [
      ['/v1/auth/otp', {}],
      ['/v1/shoppers', { currency: 'USD' }],
    ] as const) {
      const forKnown = await outcome(url, known, payload);
      const forUnknown = await outcome(url, unknown, payload);
      expect(forKnown).toEqual({ status: 422, code: 'PHONE_UNREACHABLE', texted: [known] });
      expect(forUnknown).toEqual({ status: 422, code: 'PHONE_UNREACHABLE', texted: [unknown] });
    }
  });
});
