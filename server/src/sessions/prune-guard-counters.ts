import { lookupWindowMs } from '../codes/code-lookup.js';
import type { Deps } from '../deps.js';

export interface PrunedGuardCounters {
  readonly codeLookupWindows: number;
  readonly otpClientWindows: number;
  readonly otpClientGuesses: number;
  readonly pendingSignUps: number;
}

/**
 * Deletes the guard counters no check reads any more: code lookup windows and per-client code send and
 * guess windows that have ended, and a client's wrong guesses at a phone once both their window and any
 * lockout they caused are over; and sign-ups whose token expired (signUpTtlMs), which open nothing any
 * more. Every request adds to these tables (a row per caller per window, a row per sign-up), so without
 * this they only grow. Idempotent, so every server process may run it (terminal-sweep.ts).
 */
export async function pruneGuardCounters(
  deps: Pick<Deps, 'db' | 'limits'>,
  nowMs: number,
): Promise<PrunedGuardCounters> {
  const { otpClientIpWindowMs, otpPhoneWindowMs } = deps.limits.system;
  return deps.db.transaction(async (tx) => ({
    codeLookupWindows: await tx.run('DELETE FROM code_lookup_windows WHERE window_start_ms <= ?', [
      nowMs - lookupWindowMs,
    ]),
    otpClientWindows: await tx.run('DELETE FROM otp_client_windows WHERE window_start_ms <= ?', [
      nowMs - otpClientIpWindowMs,
    ]),
    otpClientGuesses: await tx.run(
      'DELETE FROM otp_client_guesses WHERE window_start_ms <= ? AND locked_until_ms <= ?',
      [nowMs - otpPhoneWindowMs, nowMs],
    ),
    pendingSignUps: await tx.run('DELETE FROM pending_sign_ups WHERE expires_at_ms <= ?', [nowMs]),
  }));
}
