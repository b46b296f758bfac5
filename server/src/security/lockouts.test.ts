import { tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestClerk, createTestStore } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, nextPhone, openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

/**
 * Brute force against the two secrets a person types: a clerk's PIN and a shopper's one-time code. Each
 * wrong guess counts in the database, in order or all at once, and enough of them lock the door, even to
 * the right answer, until the lockout ends. A one-time code's door is locked to the guesser's address,
 * not the phone: a stranger must not be able to lock a shopper out (shoppers/otp.ts).
 */

describe.each(testAdapters)('brute force lockouts on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function clerkSignIn(app: TestApp) {
    const storeId = await createTestStore(app);
    const { clerkId, pin } = await createTestClerk(app, storeId, '2468');
    const signIn = (withPin: string) =>
      app.app.inject({
        method: 'POST',
        url: tillApiPaths.session,
        payload: { storeId, clerkId, pin: withPin },
      });
    return { signIn, pin };
  }

  it('locks a clerk after pinAttemptsMax wrong PINs sent one by one, even to the right PIN', async () => {
    t = await openTestApp(adapter);
    const { signIn, pin } = await clerkSignIn(t);
    const max = t.config.limits.system.pinAttemptsMax;
    for (let n = 1; n < max; n += 1) expect(errorCodeOf(await signIn('0000'))).toBe('PIN_INVALID');
    expect(errorCodeOf(await signIn('0000'))).toBe('PIN_LOCKED');
    expect(errorCodeOf(await signIn(pin))).toBe('PIN_LOCKED');
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect((await signIn(pin)).statusCode).toBe(201);
  });

  it('counts PIN guesses sent all at once: no more than pinAttemptsMax get an answer other than locked', async () => {
    t = await openTestApp(adapter);
    const { signIn, pin } = await clerkSignIn(t);
    const max = t.config.limits.system.pinAttemptsMax;
    const guesses = Array.from({ length: 4 * max }, (_, n) => String(1000 + n).padStart(4, '0')).filter(
      (guess) => guess !== pin,
    );
    const answers = await Promise.all(guesses.map((guess) => signIn(guess)));
    const codes = answers.map(errorCodeOf);
    expect(codes.every((code) => code === 'PIN_INVALID' || code === 'PIN_LOCKED')).toBe(true);
    expect(codes.filter((code) => code === 'PIN_INVALID').length).toBeLessThan(max);
    expect(errorCodeOf(await signIn(pin))).toBe('PIN_LOCKED');
  });

  async function otpSetup(app: TestApp) {
    const shopper = await signUpAndIn(app);
    const askForCode = () =>
      app.app.inject({ method: 'POST', url: '/v1/auth/otp', payload: { phone: shopper.phone } });
    const attempt = (otp: string) =>
      app.app.inject({ method: 'POST', url: '/v1/auth/sessions', payload: { phone: shopper.phone, otp } });
    const wrongFor = (right: string) => (right === '000000' ? '111111' : '000000');
    return { shopper, askForCode, attempt, wrongFor };
  }

  it('locks a phone after otpAttemptsMax wrong guesses at one code, even to the right code or a new one', async () => {
    t = await openTestApp(adapter);
    const { shopper, askForCode, attempt, wrongFor } = await otpSetup(t);
    const max = t.config.limits.system.otpAttemptsMax;
    await askForCode();
    const right = t.sender.lastOtpFor(shopper.phone);
    for (let n = 1; n < max; n += 1) expect(errorCodeOf(await attempt(wrongFor(right)))).toBe('OTP_INVALID');
    expect(errorCodeOf(await attempt(wrongFor(right)))).toBe('OTP_LOCKED');
    expect(errorCodeOf(await attempt(right))).toBe('OTP_LOCKED');
    expect(errorCodeOf(await askForCode())).toBe('OTP_LOCKED');
  });

  const guessFrom = (app: TestApp, phone: string, otp: string, remoteAddress: string) =>
    app.app.inject({ method: 'POST', url: '/v1/auth/sessions', remoteAddress, payload: { phone, otp } });
  const askFrom = (app: TestApp, phone: string, remoteAddress: string) =>
    app.app.inject({ method: 'POST', url: '/v1/auth/otp', remoteAddress, payload: { phone } });

  it("locks a stranger's address out of a phone, longer each time, and never the owner on their own network", async () => {
    t = await openTestApp(adapter);
    const { shopper, askForCode, attempt, wrongFor } = await otpSetup(t);
    const { otpAttemptsMax, otpLockoutMs } = t.config.limits.system;
    const lockOut = async () => {
      expect(errorCodeOf(await askForCode())).toBeUndefined();
      const right = t!.sender.lastOtpFor(shopper.phone);
      for (let n = 1; n < otpAttemptsMax; n += 1)
        expect(errorCodeOf(await attempt(wrongFor(right)))).toBe('OTP_INVALID');
      expect(errorCodeOf(await attempt(wrongFor(right)))).toBe('OTP_LOCKED');
      expect(errorCodeOf(await askForCode())).toBe('OTP_LOCKED');
    };
    await lockOut();
    // The owner, on another network, asks for a new code and signs in at once.
    const owner = '198.51.100.20';
    expect((await askFrom(t, shopper.phone, owner)).statusCode).toBe(202);
    expect((await guessFrom(t, shopper.phone, t.sender.lastOtpFor(shopper.phone), owner)).statusCode).toBe(
      201,
    );
    // The stranger's second lockout lasts twice as long as the first.
    t.clock.advance(otpLockoutMs);
    await lockOut();
    t.clock.advance(otpLockoutMs);
    expect(errorCodeOf(await askForCode())).toBe('OTP_LOCKED');
    t.clock.advance(otpLockoutMs);
    expect((await askForCode()).statusCode).toBe(202);
  });

  it('makes guesses at one phone from many addresses wait longer and longer, never longer than the longest delay', async () => {
    const delayMaxMs = 2 * 60_000;
    t = await openTestApp(adapter, { limits: { system: { otpPhoneGuessDelayMsMax: delayMaxMs } } });
    const { shopper, askForCode, wrongFor } = await otpSetup(t);
    const { otpAttemptsMax, otpPhoneFailuresMax, otpPhoneGuessDelayMsMin } = t.config.limits.system;
    let addresses = 0;
    const fresh = () => `203.0.113.${(addresses += 1)}`;
    let right = '';
    const newCode = async () => {
      expect((await askForCode()).statusCode).toBe(202);
      right = t!.sender.lastOtpFor(shopper.phone);
    };
    // Each guess from its own address, and a new code before any is spent: nothing but the phone's own
    // count holds them back, until it does.
    for (let n = 1; n <= otpPhoneFailuresMax; n += 1) {
      if ((n - 1) % (otpAttemptsMax - 1) === 0) await newCode();
      const answer = errorCodeOf(await guessFrom(t, shopper.phone, wrongFor(right), fresh()));
      expect(answer, `wrong guess ${n}`).toBe(n < otpPhoneFailuresMax ? 'OTP_INVALID' : 'OTP_LOCKED');
    }
    // Now every guess waits: even the right code, from an address never seen, until the delay has passed.
    expect(errorCodeOf(await guessFrom(t, shopper.phone, right, fresh()))).toBe('OTP_LOCKED');
    t.clock.advance(otpPhoneGuessDelayMsMin);
    expect(errorCodeOf(await guessFrom(t, shopper.phone, wrongFor(right), fresh()))).toBe('OTP_LOCKED');
    // That wrong guess doubled the wait.
    t.clock.advance(otpPhoneGuessDelayMsMin);
    expect(errorCodeOf(await guessFrom(t, shopper.phone, right, fresh()))).toBe('OTP_LOCKED');
    t.clock.advance(delayMaxMs - otpPhoneGuessDelayMsMin);
    expect(errorCodeOf(await guessFrom(t, shopper.phone, wrongFor(right), fresh()))).toBe('OTP_LOCKED');
    // However many wrong guesses came, the owner waits no longer than the longest delay after the last.
    t.clock.advance(delayMaxMs - 1);
    expect(errorCodeOf(await guessFrom(t, shopper.phone, right, '198.51.100.21'))).toBe('OTP_LOCKED');
    t.clock.advance(1);
    expect((await guessFrom(t, shopper.phone, right, '198.51.100.21')).statusCode).toBe(201);
  });

  it('bounds the code messages one address may cause, over all numbers (SMS pumping)', async () => {
    t = await openTestApp(adapter);
    const { otpSendsPerClientIpMax, otpClientIpWindowMs } = t.config.limits.system;
    const pumper = '192.0.2.66';
    const phones = Array.from({ length: otpSendsPerClientIpMax + 5 }, () => nextPhone());
    const answers = await Promise.all(
      phones.map((phone) =>
        t!.app.inject({
          method: 'POST',
          url: '/v1/shoppers',
          remoteAddress: pumper,
          payload: { phone, language: 'en', currency: 'USD' },
        }),
      ),
    );
    expect(answers.filter((answer) => answer.statusCode === 202)).toHaveLength(otpSendsPerClientIpMax);
    expect(answers.filter((answer) => errorCodeOf(answer) === 'RATE_LIMITED')).toHaveLength(5);
    expect(t.sender.sent).toHaveLength(otpSendsPerClientIpMax);
    // Sign-in codes count against the same address; another address is not held back.
    expect(errorCodeOf(await askFrom(t, nextPhone(), pumper))).toBe('RATE_LIMITED');
    expect((await askFrom(t, nextPhone(), '192.0.2.67')).statusCode).toBe(202);
    t.clock.advance(otpClientIpWindowMs);
    expect((await askFrom(t, nextPhone(), pumper)).statusCode).toBe(202);
  });

  it('bounds the guesses one address may make, over all numbers, even at the right code', async () => {
    t = await openTestApp(adapter);
    const shopper = await signUpAndIn(t);
    const { otpGuessesPerClientIpMax } = t.config.limits.system;
    const guesser = '192.0.2.77';
    for (let n = 0; n < otpGuessesPerClientIpMax; n += 1) {
      expect(errorCodeOf(await guessFrom(t, nextPhone(), '123456', guesser))).toBe('OTP_INVALID');
    }
    expect((await askFrom(t, shopper.phone, '198.51.100.22')).statusCode).toBe(202);
    const right = t.sender.lastOtpFor(shopper.phone);
    expect(errorCodeOf(await guessFrom(t, shopper.phone, right, guesser))).toBe('RATE_LIMITED');
    expect((await guessFrom(t, shopper.phone, right, '198.51.100.22')).statusCode).toBe(201);
  });

  it('sends at most otpSendsMax codes to one phone per window (asked one by one or all at once)', async () => {
    t = await openTestApp(adapter);
    const { shopper, askForCode, attempt } = await otpSetup(t);
    const { otpSendsMax, otpSendsWindowMs } = t.config.limits.system;
    const messages = () => t!.sender.sent.filter((message) => message.to === shopper.phone).length;
    // Signing up and in took one code already; the rest of the window's codes may be asked for at once.
    expect(messages()).toBe(1);
    const answers = await Promise.all(Array.from({ length: 3 * otpSendsMax }, () => askForCode()));
    expect(answers.filter((answer) => answer.statusCode === 202)).toHaveLength(otpSendsMax - 1);
    expect(answers.filter((answer) => errorCodeOf(answer) === 'RATE_LIMITED')).toHaveLength(
      2 * otpSendsMax + 1,
    );
    expect(messages()).toBe(otpSendsMax);
    // The last code sent still signs the shopper in; refusing more messages locks nothing.
    expect((await attempt(t.sender.lastOtpFor(shopper.phone))).statusCode).toBe(201);
    t.clock.advance(otpSendsWindowMs);
    expect((await askForCode()).statusCode).toBe(202);
    expect(messages()).toBe(otpSendsMax + 1);
  });

  it('sends at most otpSendsMax codes to a number nobody has used yet, asked for all at once', async () => {
    t = await openTestApp(adapter);
    const app = t;
    const { otpSendsMax } = app.config.limits.system;
    const phone = nextPhone();
    // Sign-ups for one new number from many addresses at once (no address reaches its own bound).
    const answers = await Promise.all(
      Array.from({ length: 3 * otpSendsMax }, (_, n) =>
        app.app.inject({
          method: 'POST',
          url: '/v1/shoppers',
          remoteAddress: `198.51.100.${n + 1}`,
          payload: { phone, name: 'Ana Ruiz', language: 'es', currency: 'MXN' },
        }),
      ),
    );
    expect(answers.filter((answer) => errorCodeOf(answer) === 'RATE_LIMITED')).toHaveLength(2 * otpSendsMax);
    expect(app.sender.sent.filter((message) => message.to === phone)).toHaveLength(otpSendsMax);
  });

  it('counts one-time code guesses sent all at once', async () => {
    t = await openTestApp(adapter);
    const { shopper, askForCode, attempt } = await otpSetup(t);
    const max = t.config.limits.system.otpAttemptsMax;
    await askForCode();
    const right = t.sender.lastOtpFor(shopper.phone);
    const guesses = Array.from({ length: 4 * max }, (_, n) => String(100000 + n)).filter((g) => g !== right);
    const codes = (await Promise.all(guesses.map((guess) => attempt(guess)))).map(errorCodeOf);
    expect(codes.every((code) => code === 'OTP_INVALID' || code === 'OTP_LOCKED')).toBe(true);
    expect(codes.filter((code) => code === 'OTP_INVALID').length).toBeLessThan(max);
    expect(errorCodeOf(await attempt(right))).toBe('OTP_LOCKED');
  });
});
