import { createUuidV7Generator } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { sha256Hex } from '../secrets/hash.js';
import type { SharedDbTestApp, TestApp } from '../test-support/test-app.js';
import { errorCodeOf, nextPhone, openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { smsText } from './otp.js';

/**
 * A wallet is opened only by whoever holds the phone, with the details they asked for: sign-up keeps the
 * details it was given under the token its answer carries and texts a code, and verifying the phone's code
 * with that token opens the wallet with them. A stranger who signs up someone else's number gets the same
 * answer as anyone, a token of their own and no wallet, and cannot choose the owner's currency or the name
 * tills show, whether they sign the number up before the owner or between the owner's sign-up and the
 * owner's code.
 */
describe.each(testAdapters)('signing up on %s', (adapter) => {
  let t: SharedDbTestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  type Details = { name?: string; currency: string };
  type Inject = Pick<FastifyInstance, 'inject'>;

  const signUpOn = (app: Inject, phone: string, details: Details, from: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      remoteAddress: from,
      payload: { phone, language: 'en', ...details },
    });
  const signUp = (app: TestApp, phone: string, details: Details, from: string) =>
    signUpOn(app.app, phone, details, from);
  /** Signs up and answers the sign-up's token. */
  const tokenForOn = async (app: Inject, phone: string, details: Details, from: string) => {
    const answer = await signUpOn(app, phone, details, from);
    expect(answer.statusCode, answer.body).toBe(202);
    return answer.json<{ signUpToken: string }>().signUpToken;
  };
  const tokenFor = (app: TestApp, phone: string, details: Details, from: string) =>
    tokenForOn(app.app, phone, details, from);
  const verifyOn = (app: Inject, phone: string, otp: string, from: string, signUpToken?: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      remoteAddress: from,
      payload: { phone, otp, ...(signUpToken === undefined ? {} : { signUpToken }) },
    });
  const verify = (app: TestApp, phone: string, otp: string, from: string, signUpToken?: string) =>
    verifyOn(app.app, phone, otp, from, signUpToken);
  const shopperRows = async (app: TestApp, phone: string) =>
    app.db.single<{ name: string | null; currency: string }>(
      'SELECT name, currency FROM shoppers WHERE phone = ?',
      [phone],
    );
  const walletOf = async (app: TestApp, token: string) =>
    (
      await app.app.inject({
        method: 'GET',
        url: '/v1/me/wallet',
        headers: { authorization: `Bearer ${token}` },
      })
    ).json<{ shopper: { name: string | null; currency: string } }>().shopper;
  const sessionTokenOf = (answer: { json: <T>() => T }) => answer.json<{ token: string }>().token;
  /** A well-formed token that no sign-up was answered with. */
  const strangersGuess = 'AAAAAAAAAAAAAAAAAAAAAA';
  /** A second server process on the same database, sharing the clock and the phone's messages. */
  const secondProcess = async (app: SharedDbTestApp) => {
    const db = await app.openAnotherDb();
    const second = await buildApp(app.config, {
      db,
      clock: app.clock,
      newId: createUuidV7Generator(() => app.clock.nowMs()),
      messageSender: app.sender,
      logger: pino({ level: 'silent' }),
    });
    return {
      app: second,
      async close() {
        await second.close();
        await db.close();
      },
    };
  };

  it('opens no wallet and shows no deposit code until the code texted to the phone is verified with the token', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    const answer = await signUp(t, phone, { name: 'Maria Gonzalez', currency: 'MXN' }, '198.51.100.1');
    expect([answer.statusCode, answer.json()]).toEqual([
      202,
      { sent: true, signUpToken: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) as unknown },
    ]);
    const { signUpToken } = answer.json<{ signUpToken: string }>();
    expect(await shopperRows(t, phone)).toEqual([]);
    expect(await t.db.single('SELECT code FROM deposit_codes')).toEqual([]);
    // Only the token's hash is kept.
    expect(await t.db.single('SELECT token_hash, phone FROM pending_sign_ups')).toEqual([
      { token_hash: sha256Hex(signUpToken), phone },
    ]);

    const opened = await verify(t, phone, t.sender.lastOtpFor(phone), '198.51.100.1', signUpToken);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await walletOf(t, sessionTokenOf(opened))).toMatchObject({
      name: 'Maria Gonzalez',
      currency: 'MXN',
    });
    expect(await shopperRows(t, phone)).toEqual([{ name: 'Maria Gonzalez', currency: 'MXN' }]);
  });

  it("opens the owner's wallet with the owner's details when a stranger signs the number up between the owner's sign-up and code", async () => {
    t = await openTestApp(adapter);
    const victim = nextPhone();
    const owner = '198.51.100.2';
    const stranger = '203.0.113.9';
    const ownersToken = await tokenFor(t, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner);
    const ownersFirstCode = t.sender.lastOtpFor(victim);
    // Minutes later, the stranger signs the same number up with their own details: the owner's phone is
    // texted a newer code, which replaces the first.
    t.clock.advance(t.config.limits.system.otpTtlMs - 60_000);
    const strangersToken = await tokenFor(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger);
    const newestCode = t.sender.lastOtpFor(victim);
    expect(strangersToken).not.toBe(ownersToken);
    // The stranger has no code; guessing with their own token opens nothing.
    const guess = newestCode === '123456' ? '654321' : '123456';
    expect(errorCodeOf(await verify(t, victim, guess, stranger, strangersToken))).toBe('OTP_INVALID');
    expect(await shopperRows(t, victim)).toEqual([]);

    // The owner types the newest code the phone got, past the life of the first one: their own token
    // opens their wallet, with their details, whoever had that code texted.
    t.clock.advance(2 * 60_000);
    if (ownersFirstCode !== newestCode) {
      expect(errorCodeOf(await verify(t, victim, ownersFirstCode, owner, ownersToken))).toBe('OTP_INVALID');
    }
    const opened = await verify(t, victim, newestCode, owner, ownersToken);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await walletOf(t, sessionTokenOf(opened))).toMatchObject({
      name: 'Maria Gonzalez',
      currency: 'USD',
    });
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);

    // The code is spent: the stranger's token opens nothing with it, and nothing changed.
    expect(errorCodeOf(await verify(t, victim, newestCode, stranger, strangersToken))).toBe('OTP_INVALID');
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);
  });

  it("lets no stranger choose the owner's currency or name by signing the number up first", async () => {
    t = await openTestApp(adapter);
    const victim = nextPhone();
    const stranger = '203.0.113.9';
    const owner = '198.51.100.2';
    const strangersToken = await tokenFor(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger);
    // The stranger has no code to verify, and guessing opens nothing.
    expect(errorCodeOf(await verify(t, victim, '123456', stranger, strangersToken))).toBe('OTP_INVALID');
    expect(await shopperRows(t, victim)).toEqual([]);

    // The owner signs up later, with their own details and their own token.
    const strangersCode = t.sender.lastOtpFor(victim);
    const ownersToken = await tokenFor(t, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner);
    const ownersCode = t.sender.lastOtpFor(victim);
    if (strangersCode !== ownersCode) {
      expect(errorCodeOf(await verify(t, victim, strangersCode, owner, ownersToken))).toBe('OTP_INVALID');
    }
    const opened = await verify(t, victim, ownersCode, owner, ownersToken);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);

    // A sign-up after the wallet is open changes nothing; it only texts the owner a sign-in code, which
    // signs in with or without a token (a good one: the newer sign-up's, or the owner's own).
    const laterToken = await tokenFor(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger);
    const signedIn = await verify(t, victim, t.sender.lastOtpFor(victim), owner, laterToken);
    expect(signedIn.statusCode, signedIn.body).toBe(201);
    expect(await walletOf(t, sessionTokenOf(signedIn))).toMatchObject({
      name: 'Maria Gonzalez',
      currency: 'USD',
    });
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: victim } })).statusCode,
    ).toBe(202);
    const again = await verify(t, victim, t.sender.lastOtpFor(victim), owner, ownersToken);
    expect(again.statusCode, again.body).toBe(201);
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);
  });

  it('opens the wallet a person signed up for last when they sign up twice: the newest token with the newest code', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    const from = '198.51.100.6';
    const firstToken = await tokenFor(t, phone, { name: 'Maria', currency: 'MXN' }, from);
    const firstCode = t.sender.lastOtpFor(phone);
    const newestToken = await tokenFor(t, phone, { name: 'Maria Gonzalez', currency: 'USD' }, from);
    const newestCode = t.sender.lastOtpFor(phone);
    // The older code was replaced, whichever token goes with it.
    if (firstCode !== newestCode) {
      expect(errorCodeOf(await verify(t, phone, firstCode, from, firstToken))).toBe('OTP_INVALID');
      expect(errorCodeOf(await verify(t, phone, firstCode, from, newestToken))).toBe('OTP_INVALID');
    }
    const opened = await verify(t, phone, newestCode, from, newestToken);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await shopperRows(t, phone)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);
  });

  it('refuses a missing, wrong, foreign or expired token with SIGN_UP_TOKEN_INVALID and changes nothing', async () => {
    t = await openTestApp(adapter);
    const { otpAttemptsMax, signUpTtlMs } = t.config.limits.system;
    const phone = nextPhone();
    const from = '198.51.100.7';
    const token = await tokenFor(t, phone, { name: 'Ana Ruiz', currency: 'USD' }, from);
    const code = t.sender.lastOtpFor(phone);
    const otherPhone = nextPhone();
    const otherToken = await tokenFor(t, otherPhone, { name: 'Mallory', currency: 'MXN' }, '203.0.113.12');
    const challenge = async () =>
      t!.db.single('SELECT code_hash, attempts, phone_failures FROM otp_challenges WHERE phone = ?', [phone]);
    const before = await challenge();

    // The right code, more times than a code may be guessed at: without a token, with a token nobody was
    // answered, and with another number's token. None of them opens a wallet, tries or spends the code.
    for (let n = 0; n < otpAttemptsMax; n += 1) {
      for (const wrongToken of [undefined, strangersGuess, otherToken]) {
        const refused = await verify(t, phone, code, from, wrongToken);
        expect([refused.statusCode, errorCodeOf(refused)]).toEqual([401, 'SIGN_UP_TOKEN_INVALID']);
      }
    }
    // A token that is not a token at all is not a request the route takes.
    const malformed = await verify(t, phone, code, from, 'not-a-token');
    expect([malformed.statusCode, errorCodeOf(malformed)]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await shopperRows(t, phone)).toEqual([]);
    expect(await challenge()).toEqual(before);
    expect(await t.db.single('SELECT phone FROM otp_client_guesses')).toEqual([]);

    // The code still opens the wallet with the sign-up's own token.
    const opened = await verify(t, phone, code, from, token);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await shopperRows(t, phone)).toEqual([{ name: 'Ana Ruiz', currency: 'USD' }]);

    // A token lives signUpTtlMs, and no longer even beside a live code.
    const late = nextPhone();
    const lateToken = await tokenFor(t, late, { currency: 'USD' }, from);
    t.clock.advance(signUpTtlMs - 60_000);
    await tokenFor(t, late, { currency: 'MXN' }, '203.0.113.13');
    t.clock.advance(60_000);
    const expired = await verify(t, late, t.sender.lastOtpFor(late), from, lateToken);
    expect([expired.statusCode, errorCodeOf(expired)]).toEqual([401, 'SIGN_UP_TOKEN_INVALID']);
    expect(await shopperRows(t, late)).toEqual([]);
  });

  it('answers wrong tokens and codes alike for a number with a wallet and one without', async () => {
    t = await openTestApp(adapter);
    const known = (await signUpAndIn(t)).phone;
    const otherToken = await tokenFor(t, nextPhone(), { currency: 'USD' }, '192.0.2.29');
    /** A stranger signs the number up, then tries every token they could hold with a wrong code. */
    const probe = async (phone: string, from: string) => {
      const own = await tokenFor(t!, phone, { name: 'Eve Stranger', currency: 'MXN' }, from);
      const newest = t!.sender.lastOtpFor(phone);
      const wrong = newest === '000000' ? '111111' : '000000';
      const answers = [];
      for (const token of [undefined, strangersGuess, own, otherToken]) {
        const answer = await verify(t!, phone, wrong, from, token);
        answers.push([answer.statusCode, errorCodeOf(answer)]);
      }
      return answers;
    };
    const forKnown = await probe(known, '192.0.2.30');
    const forUnknown = await probe(nextPhone(), '192.0.2.31');
    expect(forKnown).toEqual(forUnknown);
    expect(forUnknown).toEqual([
      [401, 'OTP_INVALID'],
      [401, 'SIGN_UP_TOKEN_INVALID'],
      [401, 'OTP_INVALID'],
      [401, 'SIGN_UP_TOKEN_INVALID'],
    ]);
  });

  it("holds a stranger guessing with a token of their own to the phone's limits", async () => {
    t = await openTestApp(adapter);
    const { otpAttemptsMax, otpGuessesPerClientIpMax } = t.config.limits.system;
    const victim = nextPhone();
    const owner = '198.51.100.8';
    const stranger = '203.0.113.14';
    const ownersToken = await tokenFor(t, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner);
    const strangersToken = await tokenFor(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger);
    const right = t.sender.lastOtpFor(victim);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let n = 1; n < otpAttemptsMax; n += 1) {
      expect(errorCodeOf(await verify(t, victim, wrong, stranger, strangersToken))).toBe('OTP_INVALID');
    }
    expect(errorCodeOf(await verify(t, victim, wrong, stranger, strangersToken))).toBe('OTP_LOCKED');
    // The code is spent for everyone, the stranger's address is locked out, and no wallet opened.
    expect(errorCodeOf(await verify(t, victim, right, stranger, strangersToken))).toBe('OTP_LOCKED');
    expect(errorCodeOf(await verify(t, victim, right, owner, ownersToken))).toBe('OTP_LOCKED');
    expect(await shopperRows(t, victim)).toEqual([]);
    // The owner asks again (a new sign-up, a new token) from their own address and opens their wallet.
    const newerToken = await tokenFor(t, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner);
    const opened = await verify(t, victim, t.sender.lastOtpFor(victim), owner, newerToken);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);

    // Wrong tokens try no code, but each is a guess the address is counted for.
    const flooder = '203.0.113.15';
    for (let n = 0; n < otpGuessesPerClientIpMax; n += 1) {
      expect(errorCodeOf(await verify(t, nextPhone(), '123456', flooder, strangersGuess))).toBe(
        'SIGN_UP_TOKEN_INVALID',
      );
    }
    expect(errorCodeOf(await verify(t, victim, '123456', flooder, strangersGuess))).toBe('RATE_LIMITED');
  });

  it('tells the owner of a number with a wallet, when someone signs it up again, and lets them sign in', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t, { name: 'Ana Ruiz' });
    await signUp(t, shopper.phone, { name: 'Someone Else', currency: 'MXN' }, '203.0.113.10');
    // In the language the shopper signed up in, not the one the new sign-up asked for.
    const otp = t.sender.lastOtpFor(shopper.phone);
    expect(t.sender.sent.at(-1)?.text).toBe(
      smsText('sms.walletExists', 'es', otp, t.config.limits.system.otpTtlMs),
    );
    const signedIn = await verify(t, shopper.phone, t.sender.lastOtpFor(shopper.phone), '198.51.100.3');
    expect(signedIn.statusCode).toBe(201);
    expect(await walletOf(t, sessionTokenOf(signedIn))).toMatchObject({ name: 'Ana Ruiz' });
  });

  it('asking to sign in with a number that has no wallet sends no code, and ends a pending sign-up', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    const token = await tokenFor(t, phone, { name: 'Mallory', currency: 'MXN' }, '203.0.113.11');
    const pendingCode = t.sender.lastOtpFor(phone);
    const asked = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/otp',
      remoteAddress: '198.51.100.4',
      payload: { phone, language: 'es' },
    });
    expect(asked.statusCode).toBe(202);
    // The number's owner is told in a text with no code in it, in the language they asked in.
    const notice = t.sender.sent.at(-1);
    expect(notice?.to).toBe(phone);
    expect(notice?.text).toBe(smsText('sms.noWallet', 'es', '', t.config.limits.system.otpTtlMs));
    expect(notice?.text).not.toMatch(/\d{6}/);
    expect(errorCodeOf(await verify(t, phone, pendingCode, '198.51.100.4', token))).toBe('OTP_INVALID');
    expect(await shopperRows(t, phone)).toEqual([]);
  });

  it('opens one wallet when the same code is verified at once, with one token or several', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    const from = '198.51.100.5';
    const token = await tokenFor(t, phone, { name: 'Maria Gonzalez', currency: 'USD' }, from);
    const otp = t.sender.lastOtpFor(phone);
    const answers = await Promise.all([1, 2, 3].map(() => verify(t!, phone, otp, from, token)));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    expect(await shopperRows(t, phone)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);

    // Two sign-ups of one number in two tabs, both verified with the newest code at once.
    const twice = nextPhone();
    const tokens = [
      await tokenFor(t, twice, { name: 'Tab One', currency: 'USD' }, from),
      await tokenFor(t, twice, { name: 'Tab Two', currency: 'MXN' }, from),
    ];
    const newest = t.sender.lastOtpFor(twice);
    const both = await Promise.all(tokens.map((each) => verify(t!, twice, newest, from, each)));
    expect(both.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    const winner = both.findIndex((answer) => answer.statusCode === 201);
    expect(await shopperRows(t, twice)).toEqual([
      [
        { name: 'Tab One', currency: 'USD' },
        { name: 'Tab Two', currency: 'MXN' },
      ][winner],
    ]);
  });

  it('keeps each sign-up to its own token across two server processes on one database', async () => {
    t = await openTestApp(adapter);
    const second = await secondProcess(t);
    try {
      const victim = nextPhone();
      const owner = '198.51.100.9';
      const stranger = '203.0.113.16';
      // The owner signs up on one process; strangers sign the number up on both at once.
      const ownersToken = await tokenForOn(t.app, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner);
      const strangers = await Promise.all(
        [t.app, second.app, t.app].map((app, n) =>
          signUpOn(app, victim, { name: `Mallory ${n}`, currency: 'MXN' }, `${stranger.slice(0, -1)}${n}`),
        ),
      );
      expect(strangers.map((answer) => answer.statusCode)).toEqual([202, 202, 202]);
      const tokens = new Set([
        ownersToken,
        ...strangers.map((a) => a.json<{ signUpToken: string }>().signUpToken),
      ]);
      expect(tokens.size).toBe(4);
      const pending = await t.db.single('SELECT token_hash FROM pending_sign_ups WHERE phone = ?', [victim]);
      expect(pending).toHaveLength(4);
      // The owner enters the newest code on the other process, with their token: their wallet.
      const opened = await verifyOn(second.app, victim, t.sender.lastOtpFor(victim), owner, ownersToken);
      expect(opened.statusCode, opened.body).toBe(201);
      expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);
    } finally {
      await second.close();
    }
  });
});
