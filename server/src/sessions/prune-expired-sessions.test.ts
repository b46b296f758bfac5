import { tillApiPaths } from '@cashin/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestStore, signInTestClerk } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { errorCodeOf, openTestApp, signUpAndIn } from '../test-support/test-app.js';
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
    const wallet = () => app.inject({ method: 'GET', url: '/v1/me/wallet', headers: shopper.headers });
    const shift = () => app.inject({ method: 'GET', url: tillApiPaths.shift, headers: clerk.headers });
    const { clerkSessionTtlMs, shopperSessionTtlMs, expiredSessionsKeptMs } = t.config.limits.system;
    const prune = () => pruneExpiredSessions(t!.db, t!.clock.nowMs(), expiredSessionsKeptMs);
    const startMs = t.clock.nowMs();
    expect((await wallet()).statusCode).toBe(200);
    expect((await shift()).statusCode).toBe(200);
    expect(await prune()).toEqual({ shopperSessions: 0, clerkSessions: 0 });

    // The clerk's session ends first: it answers SESSION_EXPIRED while it is kept, then it is gone.
    t.clock.advance(clerkSessionTtlMs + 1);
    expect(await prune()).toEqual({ shopperSessions: 0, clerkSessions: 0 });
    expect(errorCodeOf(await shift())).toBe('SESSION_EXPIRED');
    t.clock.advance(expiredSessionsKeptMs);
    expect(await prune()).toEqual({ shopperSessions: 0, clerkSessions: 1 });
    expect(errorCodeOf(await shift())).toBe('UNAUTHENTICATED');
    expect((await wallet()).statusCode).toBe(200);

    // Then the shopper's, the same way.
    t.clock.advance(startMs + shopperSessionTtlMs + 1 - t.clock.nowMs());
    expect(await prune()).toEqual({ shopperSessions: 0, clerkSessions: 0 });
    expect(errorCodeOf(await wallet())).toBe('SESSION_EXPIRED');
    t.clock.advance(expiredSessionsKeptMs);
    expect(await prune()).toEqual({ shopperSessions: 1, clerkSessions: 0 });
    expect(errorCodeOf(await wallet())).toBe('UNAUTHENTICATED');
  });
});
