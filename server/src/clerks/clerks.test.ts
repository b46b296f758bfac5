import { errorMessage, opsApiPaths, tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { errorParams } from '../../web/common/error-params.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { createTestClerk, createTestStore } from '../test-kit/terminal-kit.js';

/**
 * Clerk sign-in over HTTP: the PIN lockout holds against guesses sent all at once; a clerk signs out,
 * and ops disable a clerk or reset a PIN, each ending the clerk's sessions.
 */
describe.each(testAdapters)('clerk sign-in on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const signIn = (storeId: string, clerkId: string, pin: string) =>
    t!.app.inject({ method: 'POST', url: tillApiPaths.session, payload: { storeId, clerkId, pin } });

  it('checks no more than pinAttemptsMax of PINs guessed in parallel, so the right one among them is locked out', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { clerkId } = await createTestClerk(t, storeId, '0037');
    const max = t.config.limits.system.pinAttemptsMax;
    const guessesCount = 40;
    const answers = await Promise.all(
      Array.from({ length: guessesCount }, (_, n) => signIn(storeId, clerkId, String(n).padStart(4, '0'))),
    );
    expect(answers.map((answer) => answer.statusCode)).not.toContain(201);
    const codes = answers.map(errorCodeOf);
    // The attempt that reaches the maximum is checked and, wrong, answers locked; all after it are
    // refused before their PIN is hashed.
    expect(codes.filter((code) => code === 'PIN_INVALID').length).toBe(max - 1);
    expect(codes.filter((code) => code === 'PIN_LOCKED').length).toBe(guessesCount - (max - 1));
    const locked = await signIn(storeId, clerkId, '0037');
    expect(errorCodeOf(locked)).toBe('PIN_LOCKED');
    // The till tells the clerk how long the lock lasts at most.
    expect(locked.json().error.details).toEqual({
      lockMinutes: t.config.limits.system.pinLockoutMs / 60_000,
    });
    const shown = errorMessage('PIN_LOCKED', 'en', errorParams(locked.json().error.details, String));
    expect(shown).toContain(`up to ${t.config.limits.system.pinLockoutMs / 60_000} minutes`);
    expect(shown).not.toContain('{');
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect((await signIn(storeId, clerkId, '0037')).statusCode).toBe(201);
    // The right PIN cleared the count: a full pinAttemptsMax - 1 wrong PINs are answered invalid again.
    for (let n = 1; n < max; n += 1)
      expect(errorCodeOf(await signIn(storeId, clerkId, '1111'))).toBe('PIN_INVALID');
    expect((await signIn(storeId, clerkId, '0037')).statusCode).toBe(201);
  });

  it('ends a session on sign-out, and on an ops disable or PIN reset, and refuses a disabled clerk', async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const { clerkId, pin } = await createTestClerk(t, storeId, '2468');
    const session = async (withPin = pin) => {
      const answer = await signIn(storeId, clerkId, withPin);
      expect(answer.statusCode).toBe(201);
      return { authorization: `Bearer ${answer.json<{ token: string }>().token}` };
    };
    const shift = (headers: { authorization: string }) =>
      t!.app.inject({ method: 'GET', url: tillApiPaths.shift, headers });
    const ops = (url: string, payload: Record<string, unknown>) =>
      t!.app.inject({ method: 'PUT', url, headers: opsHeaders, payload });

    const signedOut = await session();
    const out = await t.app.inject({ method: 'DELETE', url: tillApiPaths.session, headers: signedOut });
    expect(out.statusCode).toBe(204);
    expect(errorCodeOf(await shift(signedOut))).toBe('UNAUTHENTICATED');

    const beforeDisable = await session();
    const disabled = await ops(opsApiPaths.clerkEnabled(storeId, clerkId), { enabled: false });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json<{ disabledAtMs: number | null }>().disabledAtMs).not.toBeNull();
    expect(errorCodeOf(await shift(beforeDisable))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await signIn(storeId, clerkId, pin))).toBe('CLERK_DISABLED');
    // A wrong PIN is still just wrong: being disabled is said only to the right PIN.
    expect(errorCodeOf(await signIn(storeId, clerkId, '0000'))).toBe('PIN_INVALID');
    expect((await ops(opsApiPaths.clerkEnabled(storeId, clerkId), { enabled: true })).statusCode).toBe(200);

    const beforeReset = await session();
    const max = t.config.limits.system.pinAttemptsMax;
    for (let n = 0; n < max; n += 1) await signIn(storeId, clerkId, '0000');
    expect(errorCodeOf(await signIn(storeId, clerkId, pin))).toBe('PIN_LOCKED');
    const reset = await ops(opsApiPaths.clerkPin(storeId, clerkId), { pin: '97531' });
    expect(reset.statusCode).toBe(200);
    expect(errorCodeOf(await shift(beforeReset))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await signIn(storeId, clerkId, pin))).toBe('PIN_INVALID');
    expect((await shift(await session('97531'))).statusCode).toBe(200);

    const list = await t.app.inject({ method: 'GET', url: opsApiPaths.clerks(storeId), headers: opsHeaders });
    expect(list.json()).toMatchObject({ clerks: [{ id: clerkId, disabledAtMs: null, lockedUntilMs: null }] });
    const unknown = await ops(opsApiPaths.clerkEnabled(storeId, 'C99999'), { enabled: false });
    expect(errorCodeOf(unknown)).toBe('NOT_FOUND');
  });

  it('adds at most clerksPerStoreMax clerks to one store, disabled ones counted', async () => {
    const clerksMax = 3;
    t = await openTestApp(adapter, { limits: { system: { clerksPerStoreMax: clerksMax } } });
    const storeId = await createTestStore(t);
    const otherStoreId = await createTestStore(t);
    const add = (inStoreId: string, n: number) =>
      t!.app.inject({
        method: 'POST',
        url: opsApiPaths.clerks(inStoreId),
        headers: opsHeaders,
        payload: { name: `Clerk ${n}`, pin: '1357' },
      });
    const first = await add(storeId, 0);
    expect(first.statusCode).toBe(201);
    const disabled = await t.app.inject({
      method: 'PUT',
      url: opsApiPaths.clerkEnabled(storeId, first.json<{ id: string }>().id),
      headers: opsHeaders,
      payload: { enabled: false },
    });
    expect(disabled.statusCode).toBe(200);
    // Six sent together for the two places left.
    const racing = await Promise.all(Array.from({ length: 6 }, (_, n) => add(storeId, n + 1)));
    expect(racing.filter((answer) => answer.statusCode === 201)).toHaveLength(clerksMax - 1);
    const refused = racing.filter((answer) => answer.statusCode !== 201);
    expect(refused.map(errorCodeOf)).toEqual(Array(6 - (clerksMax - 1)).fill('CLERKS_PER_STORE_MAX'));
    expect(refused[0]!.json()).toMatchObject({ error: { details: { clerksMax } } });
    const listed = await t.app.inject({
      method: 'GET',
      url: opsApiPaths.clerks(storeId),
      headers: opsHeaders,
    });
    expect(listed.json<{ clerks: unknown[] }>().clerks).toHaveLength(clerksMax);
    // Another store's places are its own.
    expect((await add(otherStoreId, 9)).statusCode).toBe(201);
  });

  it("lists a store's clerks, its own only, saying who is disabled and who is locked out, to ops alone", async () => {
    t = await openTestApp(adapter);
    const storeId = await createTestStore(t);
    const otherStoreId = await createTestStore(t);
    const addClerk = async (inStoreId: string, name: string, pin: string): Promise<string> => {
      const answer = await t!.app.inject({
        method: 'POST',
        url: opsApiPaths.clerks(inStoreId),
        headers: opsHeaders,
        payload: { name, pin },
      });
      expect(answer.statusCode).toBe(201);
      return answer.json<{ id: string }>().id;
    };
    const activeId = await addClerk(storeId, 'Ana Active', '1357');
    const disabledId = await addClerk(storeId, 'Dora Disabled', '2468');
    const lockedId = await addClerk(storeId, 'Luis Locked', '3579');
    await addClerk(otherStoreId, 'Otto Other', '4680');
    const list = async (ofStoreId: string, headers: Record<string, string> = opsHeaders) =>
      t!.app.inject({ method: 'GET', url: opsApiPaths.clerks(ofStoreId), headers });

    const disabledAtMs = t.clock.nowMs();
    const disabled = await t.app.inject({
      method: 'PUT',
      url: opsApiPaths.clerkEnabled(storeId, disabledId),
      headers: opsHeaders,
      payload: { enabled: false },
    });
    expect(disabled.statusCode).toBe(200);
    const max = t.config.limits.system.pinAttemptsMax;
    for (let n = 0; n < max; n += 1) await signIn(storeId, lockedId, '0000');
    expect(errorCodeOf(await signIn(storeId, lockedId, '3579'))).toBe('PIN_LOCKED');
    const lockedUntilMs = t.clock.nowMs() + t.config.limits.system.pinLockoutMs;

    const answer = await list(storeId);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      clerks: [
        { id: activeId, storeId, name: 'Ana Active', disabledAtMs: null, lockedUntilMs: null },
        { id: disabledId, storeId, name: 'Dora Disabled', disabledAtMs, lockedUntilMs: null },
        { id: lockedId, storeId, name: 'Luis Locked', disabledAtMs: null, lockedUntilMs },
      ],
    });
    // A lockout that has run out is not reported, though the row still holds its time.
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect(
      (await list(storeId)).json<{ clerks: { lockedUntilMs: number | null }[] }>().clerks[2],
    ).toMatchObject({ lockedUntilMs: null });
    expect(
      (await list(otherStoreId)).json<{ clerks: { name: string }[] }>().clerks.map((c) => c.name),
    ).toEqual(['Otto Other']);
    expect(errorCodeOf(await list('S99999'))).toBe('NOT_FOUND');

    // A clerk may not list their colleagues, nor can anyone without a token.
    const session = await signIn(storeId, activeId, '1357');
    expect(session.statusCode).toBe(201);
    const clerkHeaders = { authorization: `Bearer ${session.json<{ token: string }>().token}` };
    expect(errorCodeOf(await list(storeId, clerkHeaders))).toBe('FORBIDDEN');
    expect(errorCodeOf(await list(storeId, {}))).toBe('UNAUTHENTICATED');
  });
});
