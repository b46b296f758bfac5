import { tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestClerk, createTestStore } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

/**
 * Brute force against the two secrets a person types: a clerk's PIN and a shopper's one-time code. Each
 * wrong guess counts in the database, in order or all at once, and enough of them lock the door, even to
 * the right answer, until the lockout ends.
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

  it('counts wrong codes per phone across new codes, so asking again does not buy more guesses', async () => {
    t = await openTestApp(adapter);
    const { shopper, askForCode, attempt, wrongFor } = await otpSetup(t);
    const { otpAttemptsMax, otpPhoneFailuresMax, otpPhoneWindowMs } = t.config.limits.system;
    let wrongSoFar = 0;
    let last: string | undefined;
    // Stop one short of each code's own lockout, then ask for a fresh code, as a guesser would.
    while (wrongSoFar < otpPhoneFailuresMax) {
      expect(errorCodeOf(await askForCode())).toBeUndefined();
      const right = t.sender.lastOtpFor(shopper.phone);
      for (let n = 1; n < otpAttemptsMax && wrongSoFar < otpPhoneFailuresMax; n += 1) {
        wrongSoFar += 1;
        last = errorCodeOf(await attempt(wrongFor(right)));
        expect(last).toBe(wrongSoFar < otpPhoneFailuresMax ? 'OTP_INVALID' : 'OTP_LOCKED');
      }
    }
    expect(last).toBe('OTP_LOCKED');
    const right = t.sender.lastOtpFor(shopper.phone);
    expect(errorCodeOf(await attempt(right))).toBe('OTP_LOCKED');
    expect(errorCodeOf(await askForCode())).toBe('OTP_LOCKED');
    t.clock.advance(otpPhoneWindowMs);
    expect(errorCodeOf(await askForCode())).toBeUndefined();
    expect((await attempt(t.sender.lastOtpFor(shopper.phone))).statusCode).toBe(201);
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
