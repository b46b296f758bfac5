import type { Catalogue, Language } from '@cashin/shared';
import { CodedError, translator } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { newBearerToken, newOtp, secretsEqual, sha256Hex } from '../secrets/hash.js';
import { forUpdate } from '../storage/db.js';
import { findShopperByPhone } from './shoppers.js';

function otpHash(phone: string, otp: string): string {
  return sha256Hex(`otp:${phone}:${otp}`);
}

/** The text that carries a one-time code, in the shopper's language; the code is its only six digits. */
const otpTexts: Catalogue<'sms.otp'> = {
  en: { 'sms.otp': 'Your cash-in code is {code}. It expires in {minutes} minutes. Never share it.' },
  es: { 'sms.otp': 'Su código de cash-in es {code}. Vence en {minutes} minutos. No lo comparta.' },
};

export function otpText(language: Language, code: string, ttlMs: number): string {
  return translator(otpTexts, language)('sms.otp', { code, minutes: Math.ceil(ttlMs / 60_000) });
}

/** The per-phone count of wrong codes, over every code the phone was sent, within its window. */
type PhoneFailures = {
  readonly phone_failures: number;
  readonly phone_window_start_ms: number;
};

/** When the phone's window of wrong codes is full, the time it empties; else undefined. */
function phoneLockedUntilMs(row: PhoneFailures, system: Deps['limits']['system'], nowMs: number) {
  const windowEndMs = row.phone_window_start_ms + system.otpPhoneWindowMs;
  return row.phone_failures >= system.otpPhoneFailuresMax && windowEndMs > nowMs ? windowEndMs : undefined;
}

/**
 * Sends a one-time code to a registered phone. Unregistered phones get the same answer and no message,
 * so the endpoint does not reveal who has an account. A locked phone stays locked until its lockout ends,
 * even if a new code is asked for; otherwise asking again would reset the guess counter. Asking again
 * does restart the count of one code, so wrong codes are also counted per phone over all its codes
 * (otpPhoneFailuresMax per otpPhoneWindowMs), and a phone over that gets no code until its window ends.
 * Messages are bounded too: at most otpSendsMax per otpSendsWindowMs to one phone, then RATE_LIMITED, so
 * nobody can flood a shopper's phone or run up the message bill by asking again and again.
 */
export async function requestOtp(deps: Deps, phone: string): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const system = deps.limits.system;
  const otp = newOtp();
  const outcome = await deps.db.transaction(async (tx) => {
    const shopper = await findShopperByPhone(tx, phone);
    if (shopper === undefined) return { kind: 'unknown' } as const;
    const current = await tx.get<
      {
        attempts: number;
        expires_at_ms: number;
        sends: number;
        sends_window_start_ms: number;
      } & PhoneFailures
    >(
      // Locked, so requests sent at once each see the send count the one before wrote.
      `SELECT attempts, expires_at_ms, phone_failures, phone_window_start_ms, sends, sends_window_start_ms
       FROM otp_challenges WHERE phone = ?${forUpdate(tx.dialect)}`,
      [phone],
    );
    if (current !== undefined && current.attempts >= system.otpAttemptsMax && current.expires_at_ms > nowMs) {
      return { kind: 'locked' } as const;
    }
    if (current !== undefined && phoneLockedUntilMs(current, system, nowMs) !== undefined) {
      return { kind: 'locked' } as const;
    }
    const windowOver =
      current === undefined || current.sends_window_start_ms + system.otpSendsWindowMs <= nowMs;
    const sentInWindow = windowOver ? 0 : current.sends;
    if (sentInWindow >= system.otpSendsMax) return { kind: 'tooMany' } as const;
    const windowStartMs = windowOver ? nowMs : current.sends_window_start_ms;
    await tx.run(
      `INSERT INTO otp_challenges (phone, code_hash, expires_at_ms, attempts, created_at_ms, sends,
         sends_window_start_ms) VALUES (?, ?, ?, 0, ?, ?, ?)
       ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, expires_at_ms = excluded.expires_at_ms,
         attempts = 0, created_at_ms = excluded.created_at_ms, sends = excluded.sends,
         sends_window_start_ms = excluded.sends_window_start_ms`,
      [phone, otpHash(phone, otp), nowMs + system.otpTtlMs, nowMs, sentInWindow + 1, windowStartMs],
    );
    return { kind: 'send', language: shopper.language } as const;
  });
  if (outcome.kind === 'locked') throw new CodedError('OTP_LOCKED');
  if (outcome.kind === 'tooMany') throw new CodedError('RATE_LIMITED');
  if (outcome.kind === 'send')
    await deps.messageSender.send({ to: phone, text: otpText(outcome.language, otp, system.otpTtlMs) });
}

export interface Session {
  readonly token: string;
  readonly shopperId: string;
  readonly expiresAtMs: number;
}

/**
 * Trades a correct one-time code for a session. Each wrong code counts; the otpAttemptsMax-th wrong one
 * locks the phone for otpLockoutMs, and the otpPhoneFailuresMax-th wrong one over all the phone's codes
 * locks it until its otpPhoneWindowMs window ends. The counts are committed even though the call fails.
 */
export async function verifyOtp(deps: Deps, phone: string, otp: string): Promise<Session> {
  const nowMs = deps.clock.nowMs();
  const system = deps.limits.system;
  const token = newBearerToken();
  const outcome = await deps.db.transaction(async (tx) => {
    const challenge = await tx.get<
      { code_hash: string; attempts: number; expires_at_ms: number } & PhoneFailures
    >(
      // Locked: guesses sent at once must each see the count the one before wrote (on PostgreSQL, read
      // committed would let them all read the same count and all be let through).
      `SELECT code_hash, attempts, expires_at_ms, phone_failures, phone_window_start_ms FROM otp_challenges WHERE phone = ?${forUpdate(tx.dialect)}`,
      [phone],
    );
    if (challenge === undefined) return { error: 'OTP_INVALID' } as const;
    if (phoneLockedUntilMs(challenge, system, nowMs) !== undefined) return { error: 'OTP_LOCKED' } as const;
    if (challenge.attempts >= system.otpAttemptsMax) {
      return { error: challenge.expires_at_ms > nowMs ? 'OTP_LOCKED' : 'OTP_INVALID' } as const;
    }
    if (challenge.expires_at_ms <= nowMs) return { error: 'OTP_INVALID' } as const;
    if (!secretsEqual(challenge.code_hash, otpHash(phone, otp))) {
      const attempts = challenge.attempts + 1;
      const windowOver = challenge.phone_window_start_ms + system.otpPhoneWindowMs <= nowMs;
      const phoneFailures = {
        phone_failures: windowOver ? 1 : challenge.phone_failures + 1,
        phone_window_start_ms: windowOver ? nowMs : challenge.phone_window_start_ms,
      };
      const locked =
        attempts >= system.otpAttemptsMax || phoneLockedUntilMs(phoneFailures, system, nowMs) !== undefined;
      await tx.run(
        'UPDATE otp_challenges SET attempts = ?, expires_at_ms = ?, phone_failures = ?, phone_window_start_ms = ? WHERE phone = ?',
        [
          attempts,
          attempts >= system.otpAttemptsMax ? nowMs + system.otpLockoutMs : challenge.expires_at_ms,
          phoneFailures.phone_failures,
          phoneFailures.phone_window_start_ms,
          phone,
        ],
      );
      return { error: locked ? 'OTP_LOCKED' : 'OTP_INVALID' } as const;
    }
    const shopper = await findShopperByPhone(tx, phone);
    if (shopper === undefined) return { error: 'OTP_INVALID' } as const;
    // The code is spent and the phone's wrong guesses forgiven (its owner just proved it), but the row
    // stays: it carries the count of messages sent in this window, which signing in must not reset.
    await tx.run(
      `UPDATE otp_challenges SET code_hash = '', expires_at_ms = ?, attempts = 0, phone_failures = 0,
         phone_window_start_ms = 0 WHERE phone = ?`,
      [nowMs, phone],
    );
    const expiresAtMs = nowMs + system.shopperSessionTtlMs;
    await tx.run(
      'INSERT INTO shopper_sessions (token_hash, shopper_id, expires_at_ms, created_at_ms) VALUES (?, ?, ?, ?)',
      [sha256Hex(token), shopper.id, expiresAtMs, nowMs],
    );
    return { session: { token, shopperId: shopper.id, expiresAtMs } } as const;
  });
  if ('error' in outcome && outcome.error !== undefined) throw new CodedError(outcome.error);
  return outcome.session;
}

/** The shopper a bearer token belongs to, or UNAUTHENTICATED / SESSION_EXPIRED. */
export async function authenticateShopper(deps: Deps, token: string): Promise<string> {
  const nowMs = deps.clock.nowMs();
  const row = await deps.db.transaction((tx) =>
    tx.get<{ shopper_id: string; expires_at_ms: number }>(
      'SELECT shopper_id, expires_at_ms FROM shopper_sessions WHERE token_hash = ?',
      [sha256Hex(token)],
    ),
  );
  if (row === undefined) throw new CodedError('UNAUTHENTICATED');
  if (row.expires_at_ms <= nowMs) throw new CodedError('SESSION_EXPIRED');
  return row.shopper_id;
}

/** Ends the session a bearer token belongs to (sign-out); an unknown token is already signed out. */
export async function endSession(deps: Deps, token: string): Promise<void> {
  await deps.db.transaction((tx) =>
    tx.run('DELETE FROM shopper_sessions WHERE token_hash = ?', [sha256Hex(token)]),
  );
}
