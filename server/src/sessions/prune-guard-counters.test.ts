import { afterEach, describe, expect, it } from 'vitest';
import { lookupWindowMs } from '../codes/code-lookup.js';
import type { TestApp } from '../test-support/test-app.js';
import { openTestApp } from '../test-support/test-app.js';
import { testAdapters } from '../test-support/test-db.js';
import { pruneGuardCounters } from './prune-guard-counters.js';

describe.each(testAdapters)('pruning guard counters on %s', (adapter) => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('deletes the windows that ended, the guesses no lockout needs and expired sign-ups, and keeps the rest', async () => {
    t = await openTestApp(adapter);
    const { otpClientIpWindowMs, otpPhoneWindowMs, otpLockoutMs, signUpTtlMs } = t.config.limits.system;
    const nowMs = t.clock.nowMs();
    const phone = '+15550000001';
    await t.db.transaction(async (tx) => {
      // Lookups: one window over, one current.
      await tx.run('INSERT INTO code_lookup_windows (caller, window_start_ms, lookups) VALUES (?, ?, 3)', [
        'clerk:C1',
        nowMs - 2 * lookupWindowMs,
      ]);
      await tx.run('INSERT INTO code_lookup_windows (caller, window_start_ms, lookups) VALUES (?, ?, 3)', [
        'clerk:C1',
        nowMs,
      ]);
      // Code sends by a client: one window over, one current.
      for (const windowStartMs of [nowMs - otpClientIpWindowMs - 1, nowMs]) {
        await tx.run(
          'INSERT INTO otp_client_windows (purpose, client_ip, window_start_ms, requests) VALUES (?, ?, ?, 2)',
          ['send', '198.51.100.7', windowStartMs],
        );
      }
      // Guesses at a phone: one client's window over and unlocked (gone), one's window over but still
      // locked out (kept until the lock ends), one's window current (kept).
      const guesses = [
        ['198.51.100.1', nowMs - otpPhoneWindowMs - 1, 0],
        ['198.51.100.2', nowMs - otpPhoneWindowMs - 1, nowMs + otpLockoutMs],
        ['198.51.100.3', nowMs, 0],
      ] as const;
      for (const [clientIp, windowStartMs, lockedUntilMs] of guesses) {
        await tx.run(
          `INSERT INTO otp_client_guesses (phone, client_ip, failures, window_start_ms, locks, locked_until_ms)
           VALUES (?, ?, 5, ?, 1, ?)`,
          [phone, clientIp, windowStartMs, lockedUntilMs],
        );
      }
      // Sign-ups: one whose token has just expired (gone), one still live (kept until it expires).
      for (const [tokenHash, expiresAtMs] of [
        ['expired', nowMs],
        ['live', nowMs + signUpTtlMs],
      ] as const) {
        await tx.run(
          `INSERT INTO pending_sign_ups (token_hash, phone, name, language, currency, created_at_ms, expires_at_ms)
           VALUES (?, ?, NULL, 'en', 'USD', ?, ?)`,
          [tokenHash, phone, expiresAtMs - signUpTtlMs, expiresAtMs],
        );
      }
    });
    const deps = { db: t.db, limits: t.config.limits };
    expect(await pruneGuardCounters(deps, nowMs)).toEqual({
      codeLookupWindows: 1,
      otpClientWindows: 1,
      otpClientGuesses: 1,
      pendingSignUps: 1,
    });
    const left = await t.db.transaction((tx) =>
      tx.all<{ client_ip: string }>('SELECT client_ip FROM otp_client_guesses ORDER BY client_ip'),
    );
    expect(left.map((row) => row.client_ip)).toEqual(['198.51.100.2', '198.51.100.3']);
    // Again: nothing more until time passes; after the lock and every window, nothing is left.
    expect(await pruneGuardCounters(deps, nowMs)).toEqual({
      codeLookupWindows: 0,
      otpClientWindows: 0,
      otpClientGuesses: 0,
      pendingSignUps: 0,
    });
    const laterMs =
      nowMs + otpLockoutMs + otpPhoneWindowMs + otpClientIpWindowMs + lookupWindowMs + signUpTtlMs;
    expect(await pruneGuardCounters(deps, laterMs)).toEqual({
      codeLookupWindows: 1,
      otpClientWindows: 1,
      otpClientGuesses: 2,
      pendingSignUps: 1,
    });
  });
});
