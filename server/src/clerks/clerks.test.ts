import { tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { createTestClerk, createTestStore } from '../test-kit/terminal-kit.js';

/** Clerk sign-in over HTTP: the PIN lockout holds against guesses sent all at once. */
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
    expect(errorCodeOf(await signIn(storeId, clerkId, '0037'))).toBe('PIN_LOCKED');
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect((await signIn(storeId, clerkId, '0037')).statusCode).toBe(201);
    // The right PIN cleared the count: a full pinAttemptsMax - 1 wrong PINs are answered invalid again.
    for (let n = 1; n < max; n += 1)
      expect(errorCodeOf(await signIn(storeId, clerkId, '1111'))).toBe('PIN_INVALID');
    expect((await signIn(storeId, clerkId, '0037')).statusCode).toBe(201);
  });
});
