import { opsApiPaths, tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestStore, signInTestClerk } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, opsHeaders, signUpAndIn } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { pruneExpiredSessions } from './prune-expired-sessions.js';

describe.each(testAdapters)('pruning expired sessions on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('keeps an expired session long enough to say SESSION_EXPIRED, then deletes it', async () => {
    t = await openTestApp(adapter);
    const app = t.app;
    const shopper = await signUpAndIn(t);
    const clerk = await signInTestClerk(t, await createTestStore(t));
    const staff = { username: 'night.shift', name: 'Night Shift', password: 'a-long-staff-password' };
    await app.inject({ method: 'POST', url: opsApiPaths.staff, headers: opsHeaders, payload: staff });
    const staffSession = await app.inject({ method: 'POST', url: opsApiPaths.session, payload: staff });
    const staffHeaders = { authorization: `Bearer ${staffSession.json<{ token: string }>().token}` };
    const wallet = () => app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers });
    const shift = () => app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers });
    const staffList = () => app.inject({ method: 'GET', url: opsApiPaths.staff, headers: staffHeaders });
    const { clerkSessionTtlMs, shopperSessionTtlMs, staffSessionTtlMs, expiredSessionsKeptMs } =
      t.config.limits.system;
    const prune = () => pruneExpiredSessions(t!.db, t!.clock.nowMs(), expiredSessionsKeptMs);
    const none = { shopperSessions: 0, clerkSessions: 0, staffSessions: 0 };
    const startMs = t.clock.nowMs();
    const at = (ms: number) => t!.clock.advance(startMs + ms - t!.clock.nowMs());
    expect((await wallet()).statusCode).toBe(200);
    expect((await shift()).statusCode).toBe(200);
    expect((await staffList()).statusCode).toBe(200);
    expect(await prune()).toEqual(none);

    // The ops staff session ends first (8 hours): SESSION_EXPIRED while it is kept, then it is gone.
    at(staffSessionTtlMs + 1);
    expect(await prune()).toEqual(none);
    expect(errorCodeOf(await staffList())).toBe('SESSION_EXPIRED');
    at(staffSessionTtlMs + 1 + expiredSessionsKeptMs);
    expect(await prune()).toEqual({ ...none, staffSessions: 1 });
    expect(errorCodeOf(await staffList())).toBe('UNAUTHENTICATED');

    // Then the clerk's, the same way.
    expect(errorCodeOf(await shift())).toBe('SESSION_EXPIRED');
    at(clerkSessionTtlMs + 1 + expiredSessionsKeptMs);
    expect(await prune()).toEqual({ ...none, clerkSessions: 1 });
    expect(errorCodeOf(await shift())).toBe('UNAUTHENTICATED');
    expect((await wallet()).statusCode).toBe(200);

    // Then the shopper's.
    at(shopperSessionTtlMs + 1);
    expect(await prune()).toEqual(none);
    expect(errorCodeOf(await wallet())).toBe('SESSION_EXPIRED');
    at(shopperSessionTtlMs + 1 + expiredSessionsKeptMs);
    expect(await prune()).toEqual({ ...none, shopperSessions: 1 });
    expect(errorCodeOf(await wallet())).toBe('UNAUTHENTICATED');
  });
});
