import { CodedError } from '@cashin/shared';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { errorCodeOf, openTestApp } from '../test-support/test-app.js';
import type { TestApp } from '../test-support/test-app.js';
import type { ScriptedAnswer, SmsProviderStandIn } from '../test-support/sms-provider-stand-in.js';
import { startSmsProviderStandIn } from '../test-support/sms-provider-stand-in.js';
import { readDevInbox } from './message-sender.js';
import type { SmsProviderConfig } from './sms-providers.js';
import { SmsProviderSender } from './sms-providers.js';

const accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
const authToken = 'twilio-auth-token-not-real-0042';
const created: ScriptedAnswer = { status: 201, body: { sid: 'SM0001', status: 'queued' } };
const message = { to: '+15550100123', text: 'Your cash-in code is 493817.' };

/** Every log line a sender writes, parsed. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'trace' },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
  return 'sent';
}

let provider: SmsProviderStandIn | undefined;
afterEach(async () => {
  await provider?.close();
  provider = undefined;
});

describe('texting through Twilio', () => {
  function twilio(stand: SmsProviderStandIn, from = '+15550009999'): SmsProviderConfig {
    return { kind: 'twilio', accountSid, authToken, from, apiBaseUrl: stand.baseUrl };
  }

  it("posts the form Twilio's Messages API takes, with the account's basic auth", async () => {
    provider = await startSmsProviderStandIn(created);
    const { logger, lines } = capturedLogger();
    await new SmsProviderSender(twilio(provider), logger).send(message);

    expect(provider.requests).toHaveLength(1);
    const [request] = provider.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
    );
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      To: message.to,
      Body: message.text,
      From: '+15550009999',
    });
    expect(lines.find((line) => line['msg'] === 'text message sent')).toMatchObject({
      to: '+1555***0123',
      provider: 'twilio',
      providerId: 'SM0001',
    });
    // The log never holds the code, the full number or the credential.
    const log = JSON.stringify(lines);
    for (const secret of ['493817', message.to, authToken]) expect(log).not.toContain(secret);
  });

  it('names a Messaging Service instead of a number when the sender is one', async () => {
    provider = await startSmsProviderStandIn(created);
    const service = `MG${'fedcba9876543210'.repeat(2)}`;
    await new SmsProviderSender(twilio(provider, service), pino({ level: 'silent' })).send(message);
    const form = new URLSearchParams(provider.requests[0]?.body);
    expect(form.get('MessagingServiceSid')).toBe(service);
    expect(form.has('From')).toBe(false);
  });

  it('retries once what Twilio surely refused (429, 503), and no more', async () => {
    provider = await startSmsProviderStandIn(created);
    const sender = new SmsProviderSender(twilio(provider), pino({ level: 'silent' }));
    provider.script({ status: 503, body: { code: 20503, message: 'Service unavailable' } });
    expect(await failureOf(sender.send(message))).toBe('sent');
    expect(provider.requests).toHaveLength(2);

    provider.script(
      { status: 429, body: { code: 20429, message: 'Too many requests' } },
      { status: 500, body: 'oops' },
    );
    expect(await failureOf(sender.send(message))).toBe('SERVICE_UNAVAILABLE');
    expect(provider.requests).toHaveLength(4);
  });

  it('does not send again what Twilio may have taken (500, 502, 504): no key would stop a second text', async () => {
    provider = await startSmsProviderStandIn(created);
    const sender = new SmsProviderSender(twilio(provider), pino({ level: 'silent' }));
    for (const status of [500, 502, 504]) {
      provider.script({ status, body: 'upstream trouble' });
      expect(await failureOf(sender.send(message))).toBe('SERVICE_UNAVAILABLE');
    }
    expect(provider.requests).toHaveLength(3);
  });

  it('answers PHONE_UNREACHABLE for a recipient Twilio cannot text, without retrying', async () => {
    provider = await startSmsProviderStandIn(created);
    const { logger, lines } = capturedLogger();
    const sender = new SmsProviderSender(twilio(provider), logger);
    for (const code of [21211, 21610, 21614]) {
      // Twilio's sentences quote the number; the log keeps its code only.
      const sentence = `The 'To' number ${message.to} is not a valid phone number.`;
      provider.script({ status: 400, body: { code, message: sentence, more_info: '', status: 400 } });
      expect(await failureOf(sender.send(message))).toBe('PHONE_UNREACHABLE');
    }
    expect(provider.requests).toHaveLength(3);
    expect(lines.filter((line) => line['msg'] === 'the provider cannot reach this phone')).toHaveLength(3);
    expect(lines[0]).toMatchObject({ to: '+1555***0123', reason: 'HTTP 400, Twilio 21211', attempts: 1 });
    expect(JSON.stringify(lines)).not.toContain(message.to);
  });

  it('answers SERVICE_UNAVAILABLE for our own misconfiguration, and logs why', async () => {
    provider = await startSmsProviderStandIn({ status: 401, body: { code: 20003, message: 'Authenticate' } });
    const { logger, lines } = capturedLogger();
    expect(await failureOf(new SmsProviderSender(twilio(provider), logger).send(message))).toBe(
      'SERVICE_UNAVAILABLE',
    );
    expect(provider.requests).toHaveLength(1);
    expect(lines.find((line) => line['msg'] === 'text message not sent')).toMatchObject({
      outcome: 'failed',
      reason: 'HTTP 401, Twilio 20003',
    });
  });

  it('gives up on an attempt that times out, without a second text', async () => {
    provider = await startSmsProviderStandIn('hang');
    const sender = new SmsProviderSender(twilio(provider), pino({ level: 'silent' }), {
      attemptTimeoutMs: 200,
    });
    expect(await failureOf(sender.send(message))).toBe('SERVICE_UNAVAILABLE');
    expect(provider.requests).toHaveLength(1);
  });

  it('retries once when nothing listens (no text can have gone), then answers SERVICE_UNAVAILABLE', async () => {
    provider = await startSmsProviderStandIn(created);
    const gone = twilio(provider);
    await provider.close();
    provider = undefined;
    const { logger, lines } = capturedLogger();
    expect(await failureOf(new SmsProviderSender(gone, logger).send(message))).toBe('SERVICE_UNAVAILABLE');
    expect(lines.find((line) => line['msg'] === 'text message not sent')).toMatchObject({
      outcome: 'refused',
      reason: 'TypeError ECONNREFUSED',
      attempts: 2,
    });
  });
});

describe('texting through the gateway webhook', () => {
  const token = 'gateway-bearer-token-0123456789';

  it('posts JSON with the bearer token and keeps the idempotency key across the retry', async () => {
    provider = await startSmsProviderStandIn({ status: 202, body: { id: 'gw-77' } });
    provider.script({ status: 502, body: 'bad gateway' });
    const { logger, lines } = capturedLogger();
    const config: SmsProviderConfig = { kind: 'webhook', url: `${provider.baseUrl}/sms`, token };
    await new SmsProviderSender(config, logger).send(message);

    expect(provider.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/sms', `Bearer ${token}`],
      ['/sms', `Bearer ${token}`],
    ]);
    expect(JSON.parse(provider.requests[1]?.body ?? '')).toEqual({ to: message.to, text: message.text });
    const keys = provider.requests.map((request) => request.headers['idempotency-key']);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(lines.find((line) => line['msg'] === 'text message sent')).toMatchObject({ providerId: 'gw-77' });

    await new SmsProviderSender(config, logger).send(message);
    expect(provider.requests[2]?.headers['idempotency-key']).not.toBe(keys[0]);

    provider.script({ status: 422, body: { error: 'landline' } });
    expect(await failureOf(new SmsProviderSender(config, logger).send(message))).toBe('PHONE_UNREACHABLE');
  });
});

describe('SMS provider settings', () => {
  it('takes a complete provider, and names what is missing from an incomplete one', () => {
    const config = loadConfig({
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: '+15550009999',
    });
    expect(config.smsProvider).toEqual({
      kind: 'twilio',
      accountSid,
      authToken,
      from: '+15550009999',
      apiBaseUrl: 'https://api.twilio.com',
    });
    expect(loadConfig({}).smsProvider).toBeUndefined();
    expect(() => loadConfig({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: accountSid })).toThrow(
      new ConfigError('SMS_PROVIDER=twilio needs TWILIO_AUTH_TOKEN, TWILIO_FROM'),
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'webhook', SMS_WEBHOOK_TOKEN: 'x'.repeat(24) })).toThrow(
      /needs SMS_WEBHOOK_URL/,
    );
    expect(() => loadConfig({ SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC123' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMS_PROVIDER: 'carrier-pigeon' })).toThrow(ConfigError);
    expect(() => loadConfig({ TWILIO_FROM: '5550009999' })).toThrow(ConfigError);
    // In production the credential and the codes travel over TLS only.
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        CLAIM_CODE_SECRET: 'c'.repeat(32),
        SERVER_SIGNING_KEY: 'k'.repeat(43),
        SMS_PROVIDER: 'webhook',
        SMS_WEBHOOK_URL: 'http://sms.internal/send',
        SMS_WEBHOOK_TOKEN: 't'.repeat(24),
      }),
    ).toThrow(/SMS_WEBHOOK_URL must be an https/);
  });
});

// The whole path a shopper takes: asking for a code on the server as configured, the text reaching the
// provider in the shopper's language, and the code from it signing them in.
describe('a shopper signing in through the configured provider', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('texts the code in Spanish to a Spanish-speaking shopper, and the code signs her in', async () => {
    provider = await startSmsProviderStandIn(created);
    t = await openTestApp('sqlite', {
      messages: 'configured',
      env: {
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_FROM: '+15550009999',
        TWILIO_API_BASE_URL: provider.baseUrl,
      },
    });
    const phone = '+5215512345678';
    const signUp = await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone, name: 'Ana López', language: 'es', currency: 'MXN' },
    });
    // The sign-up texts the code that opens the wallet, with the token it answers.
    expect(signUp.statusCode, signUp.body).toBe(202);
    const { signUpToken } = signUp.json<{ signUpToken: string }>();

    const form = new URLSearchParams(provider.requests.at(-1)?.body);
    expect(form.get('To')).toBe(phone);
    const text = form.get('Body') ?? '';
    expect(text).toMatch(/^Su código de cash-in es \d{6}\. Vence en 10 minutos\./);
    const otp = /(\d{6})/.exec(text)?.[1];
    const session = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      payload: { phone, otp, signUpToken },
    });
    expect(session.statusCode, session.body).toBe(201);
    // Nothing went to the development inbox as well: the provider alone carried it.
    expect(await readDevInbox(t.db)).toEqual([]);

    // A number the provider cannot text: the shopper is told so, in a code the wallet app shows.
    provider.script({ status: 400, body: { code: 21614, message: 'not a mobile number' } });
    const landline = await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone } });
    expect(landline.statusCode).toBe(422);
    expect(errorCodeOf(landline)).toBe('PHONE_UNREACHABLE');

    // An English speaker reads English.
    const english = '+15550100777';
    await t.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      payload: { phone: english, name: 'Bo Smith', language: 'en', currency: 'USD' },
    });
    const last = new URLSearchParams(provider.requests.at(-1)?.body);
    expect([last.get('To'), last.get('Body')]).toEqual([
      english,
      expect.stringMatching(/^Your cash-in code is \d{6}\. It expires in 10 minutes\. Never share it\.$/),
    ]);
  });
});
