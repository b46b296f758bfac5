import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, nextPhone, openTestApp, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { smsText } from './otp.js';

/**
 * A wallet is opened only by whoever holds the phone: sign-up keeps the details it was given pending and
 * texts a code, and verifying that code opens the wallet with them. A stranger who signs up someone
 * else's number gets the same answer as anyone and no wallet, and cannot choose the owner's currency or
 * the name tills show.
 */
describe.each(testAdapters)('signing up on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const signUp = (app: TestApp, phone: string, details: { name?: string; currency: string }, from: string) =>
    app.app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      remoteAddress: from,
      payload: { phone, language: 'en', ...details },
    });
  const verify = (app: TestApp, phone: string, otp: string, from: string) =>
    app.app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      remoteAddress: from,
      payload: { phone, otp },
    });
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

  it('opens no wallet and shows no deposit code until the code texted to the phone is verified', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    const answer = await signUp(t, phone, { name: 'Maria Gonzalez', currency: 'MXN' }, '198.51.100.1');
    expect([answer.statusCode, answer.json()]).toEqual([202, { sent: true }]);
    expect(await shopperRows(t, phone)).toEqual([]);
    expect(await t.db.single('SELECT code FROM deposit_codes')).toEqual([]);

    const opened = await verify(t, phone, t.sender.lastOtpFor(phone), '198.51.100.1');
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await walletOf(t, opened.json<{ token: string }>().token)).toMatchObject({
      name: 'Maria Gonzalez',
      currency: 'MXN',
    });
    expect(await shopperRows(t, phone)).toEqual([{ name: 'Maria Gonzalez', currency: 'MXN' }]);
  });

  it("lets no stranger choose the owner's currency or name: the owner's own sign-up opens the wallet", async () => {
    t = await openTestApp(adapter);
    const victim = nextPhone();
    const stranger = '203.0.113.9';
    const owner = '198.51.100.2';
    expect((await signUp(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger)).statusCode).toBe(202);
    // The stranger has no code to verify, and guessing opens nothing.
    expect(errorCodeOf(await verify(t, victim, '123456', stranger))).toBe('OTP_INVALID');
    expect(await shopperRows(t, victim)).toEqual([]);

    // The owner signs up later, with their own details: a later sign-up replaces the pending one.
    const strangersCode = t.sender.lastOtpFor(victim);
    expect((await signUp(t, victim, { name: 'Maria Gonzalez', currency: 'USD' }, owner)).statusCode).toBe(
      202,
    );
    const ownersCode = t.sender.lastOtpFor(victim);
    if (strangersCode !== ownersCode) {
      expect(errorCodeOf(await verify(t, victim, strangersCode, owner))).toBe('OTP_INVALID');
    }
    const opened = await verify(t, victim, ownersCode, owner);
    expect(opened.statusCode, opened.body).toBe(201);
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);

    // A sign-up after the wallet is open changes nothing; it only texts the owner a sign-in code.
    expect((await signUp(t, victim, { name: 'Mallory', currency: 'MXN' }, stranger)).statusCode).toBe(202);
    const signedIn = await verify(t, victim, t.sender.lastOtpFor(victim), owner);
    expect(signedIn.statusCode).toBe(201);
    expect(await walletOf(t, signedIn.json<{ token: string }>().token)).toMatchObject({
      name: 'Maria Gonzalez',
      currency: 'USD',
    });
    expect(await shopperRows(t, victim)).toEqual([{ name: 'Maria Gonzalez', currency: 'USD' }]);
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
    expect(await walletOf(t, signedIn.json<{ token: string }>().token)).toMatchObject({ name: 'Ana Ruiz' });
  });

  it('asking to sign in with a number that has no wallet sends no code, and ends a pending sign-up', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    await signUp(t, phone, { name: 'Mallory', currency: 'MXN' }, '203.0.113.11');
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
    expect(errorCodeOf(await verify(t, phone, pendingCode, '198.51.100.4'))).toBe('OTP_INVALID');
    expect(await shopperRows(t, phone)).toEqual([]);
  });

  it('opens one wallet when the same code is verified twice at once', async () => {
    t = await openTestApp(adapter);
    const phone = nextPhone();
    await signUp(t, phone, { name: 'Maria Gonzalez', currency: 'USD' }, '198.51.100.5');
    const otp = t.sender.lastOtpFor(phone);
    const answers = await Promise.all([1, 2, 3].map(() => verify(t!, phone, otp, '198.51.100.5')));
    expect(answers.filter((answer) => answer.statusCode === 201)).toHaveLength(1);
    expect(await shopperRows(t, phone)).toHaveLength(1);
  });
});
