import { opsApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';

/**
 * Named ops staff over HTTP: the service token creates the first person, people sign in with a password,
 * what they do is recorded under their id, wrong passwords lock the account, and a disabled account or an
 * ended or expired session gets in nowhere.
 */
describe.each(testAdapters)('ops staff on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const password = 'correct-horse-battery-7';

  async function createStaff(app: TestApp, username: string, headers: Record<string, string> = opsHeaders) {
    return app.app.inject({
      method: 'POST',
      url: opsApiPaths.staff,
      headers,
      payload: { username, name: `Staff ${username}`, password },
    });
  }

  function signIn(app: TestApp, username: string, withPassword = password) {
    return app.app.inject({
      method: 'POST',
      url: opsApiPaths.session,
      payload: { username, password: withPassword },
    });
  }

  async function signedIn(app: TestApp, username: string) {
    const session = await signIn(app, username);
    expect(session.statusCode, session.body).toBe(201);
    const { token, staff } = session.json<{ token: string; staff: { id: string } }>();
    return { id: staff.id, headers: { authorization: `Bearer ${token}` } };
  }

  it('lets the service token create a person who signs in, creates a colleague and is named in the audit', async () => {
    t = await openTestApp(adapter);
    const created = await createStaff(t, 'maria.g');
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: 'O00001', username: 'maria.g', createdBy: 'ops-token' });
    const maria = await signedIn(t, 'maria.g');
    expect(maria.id).toBe('O00001');

    const colleague = await createStaff(t, 'ana.r', maria.headers);
    expect(colleague.json()).toMatchObject({ id: 'O00002', createdBy: 'O00001' });
    expect(errorCodeOf(await createStaff(t, 'ana.r', maria.headers))).toBe('CONFLICT');
    const list = await t.app.inject({ method: 'GET', url: opsApiPaths.staff, headers: maria.headers });
    expect(list.json<{ staff: { username: string }[] }>().staff.map((s) => s.username)).toEqual([
      'maria.g',
      'ana.r',
    ]);

    // An ops action by a person is recorded under their id.
    const shopper = await signUpAndIn(t);
    const kyc = await t.app.inject({
      method: 'PUT',
      url: `/v1/ops/shoppers/${shopper.shopperId}/kyc`,
      headers: maria.headers,
      payload: { tier: 1 },
    });
    expect(kyc.statusCode, kyc.body).toBe(200);
    const entry = await t.db.transaction((tx) =>
      tx.get<{ data: string }>("SELECT data FROM audit_log WHERE chain = ? AND kind = 'shopper.kycChanged'", [
        shopper.shopperId,
      ]),
    );
    expect(JSON.parse(entry!.data)).toMatchObject({ tier: 1, fromTier: 0, by: 'O00001' });

    // Only ops may manage staff: a shopper's token is turned away.
    expect(errorCodeOf(await createStaff(t, 'intruder', shopper.headers))).toBe('FORBIDDEN');
  });

  it('refuses weak passwords and malformed usernames with a validation code, creating nothing', async () => {
    t = await openTestApp(adapter);
    for (const payload of [
      { username: 'maria.g', name: 'Maria', password: 'short' },
      { username: 'Maria G', name: 'Maria', password },
      { username: 'x', name: 'Maria', password },
    ]) {
      const answer = await t.app.inject({
        method: 'POST',
        url: opsApiPaths.staff,
        headers: opsHeaders,
        payload,
      });
      expect(answer.statusCode).toBe(400);
      expect(errorCodeOf(answer)).toBe('VALIDATION_FAILED');
    }
    const list = await t.app.inject({ method: 'GET', url: opsApiPaths.staff, headers: opsHeaders });
    expect(list.json<{ staff: unknown[] }>().staff).toEqual([]);
  });

  it('locks an account after pinAttemptsMax wrong passwords, even to the right one, until the lockout ends', async () => {
    t = await openTestApp(adapter);
    await createStaff(t, 'maria.g');
    const max = t.config.limits.system.pinAttemptsMax;
    expect(errorCodeOf(await signIn(t, 'nobody', password))).toBe('STAFF_SIGN_IN_INVALID');
    for (let n = 1; n < max; n += 1)
      expect(errorCodeOf(await signIn(t, 'maria.g', 'wrong-password-000'))).toBe('STAFF_SIGN_IN_INVALID');
    expect(errorCodeOf(await signIn(t, 'maria.g', 'wrong-password-000'))).toBe('STAFF_LOCKED');
    expect(errorCodeOf(await signIn(t, 'maria.g'))).toBe('STAFF_LOCKED');
    t.clock.advance(t.config.limits.system.pinLockoutMs);
    expect((await signIn(t, 'maria.g')).statusCode).toBe(201);
  });

  it('counts password guesses sent all at once: no more than pinAttemptsMax get an answer other than locked', async () => {
    t = await openTestApp(adapter);
    await createStaff(t, 'maria.g');
    const max = t.config.limits.system.pinAttemptsMax;
    const answers = await Promise.all(
      Array.from({ length: 3 * max }, (_, n) => signIn(t!, 'maria.g', `wrong-password-${n}`)),
    );
    const codes = answers.map(errorCodeOf);
    expect(codes.every((code) => code === 'STAFF_SIGN_IN_INVALID' || code === 'STAFF_LOCKED')).toBe(true);
    expect(codes.filter((code) => code === 'STAFF_SIGN_IN_INVALID').length).toBeLessThan(max);
    expect(errorCodeOf(await signIn(t, 'maria.g'))).toBe('STAFF_LOCKED');
  });

  it('locks out the right password sent after pinAttemptsMax wrong ones in the same burst', async () => {
    t = await openTestApp(adapter);
    await createStaff(t, 'maria.g');
    const max = t.config.limits.system.pinAttemptsMax;
    const guesses = [...Array.from({ length: 3 * max }, (_, n) => `wrong-password-${n}`), password];
    const answers = await Promise.all(guesses.map((guess) => signIn(t!, 'maria.g', guess)));
    expect(answers.map((answer) => answer.statusCode)).not.toContain(201);
    expect(errorCodeOf(answers[answers.length - 1]!)).toBe('STAFF_LOCKED');
  });

  it('ends every session of a disabled person at once, and a colleague can enable them again', async () => {
    t = await openTestApp(adapter);
    await createStaff(t, 'maria.g');
    await createStaff(t, 'ana.r');
    const maria = await signedIn(t, 'maria.g');
    const ana = await signedIn(t, 'ana.r');
    const setEnabled = (staffId: string, enabled: boolean, headers: Record<string, string>) =>
      t!.app.inject({
        method: 'PUT',
        url: opsApiPaths.staffEnabled(staffId),
        headers,
        payload: { enabled },
      });

    expect(errorCodeOf(await setEnabled(maria.id, false, maria.headers))).toBe('CONFLICT');
    const disabled = await setEnabled(maria.id, false, ana.headers);
    expect(disabled.json<{ disabledAtMs: number | null }>().disabledAtMs).toBe(t.clock.nowMs());
    const after = await t.app.inject({ method: 'GET', url: opsApiPaths.staff, headers: maria.headers });
    expect(errorCodeOf(after)).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await signIn(t, 'maria.g', 'wrong-password-000'))).toBe('STAFF_SIGN_IN_INVALID');
    expect(errorCodeOf(await signIn(t, 'maria.g'))).toBe('STAFF_DISABLED');

    expect((await setEnabled(maria.id, true, ana.headers)).statusCode).toBe(200);
    const again = await signedIn(t, 'maria.g');
    expect(
      (await t.app.inject({ method: 'GET', url: opsApiPaths.staff, headers: again.headers })).statusCode,
    ).toBe(200);
    const audit = await t.db.transaction((tx) =>
      tx.all<{ kind: string; data: string }>(
        'SELECT kind, data FROM audit_log WHERE chain = ? ORDER BY seq',
        [maria.id],
      ),
    );
    expect(audit.map((row) => [row.kind, JSON.parse(row.data).by])).toEqual([
      ['staff.created', 'ops-token'],
      ['staff.disabled', ana.id],
      ['staff.enabled', ana.id],
    ]);
  });

  it('ends a session on sign-out and after staffSessionTtlMs', async () => {
    t = await openTestApp(adapter);
    await createStaff(t, 'maria.g');
    const first = await signedIn(t, 'maria.g');
    const list = (headers: Record<string, string>) =>
      t!.app.inject({ method: 'GET', url: opsApiPaths.staff, headers });
    expect(
      (await t.app.inject({ method: 'DELETE', url: opsApiPaths.session, headers: first.headers })).statusCode,
    ).toBe(204);
    expect(errorCodeOf(await list(first.headers))).toBe('UNAUTHENTICATED');

    const second = await signedIn(t, 'maria.g');
    t.clock.advance(t.config.limits.system.staffSessionTtlMs - 1);
    expect((await list(second.headers)).statusCode).toBe(200);
    t.clock.advance(1);
    expect(errorCodeOf(await list(second.headers))).toBe('SESSION_EXPIRED');
    // Signing out with the service token ends nothing: the token keeps working.
    expect(
      (await t.app.inject({ method: 'DELETE', url: opsApiPaths.session, headers: opsHeaders })).statusCode,
    ).toBe(204);
    expect((await list(opsHeaders)).statusCode).toBe(200);
  });
});
