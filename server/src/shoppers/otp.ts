import type { Catalogue, Language } from '@cashin/shared';
import { CodedError, translator } from '@cashin/shared';
import type { Deps } from '../deps.js';
import { newBearerToken, newOtp, newSignUpToken, secretsEqual, sha256Hex } from '../secrets/hash.js';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';
import type { SignUp } from './shoppers.js';
import { createShopperIn, findShopperByPhone } from './shoppers.js';

/*
 * Signing up and signing in both go through a code texted to the phone, and neither route may tell anyone
 * whether a number has a wallet: every answer (status, code, details), every counter and the one text
 * message each request sends are the same for a number with a wallet and one without. Only what the text
 * says differs, and only the phone's owner reads it. A wallet is opened when the code texted for its
 * sign-up is verified, so nobody can open one on someone else's number.
 *
 * Codes are per phone (a newer one replaces the older), but sign-ups are not: each sign-up's answer carries
 * a random token, and its details are kept under the token's hash (pending_sign_ups), beside any other
 * sign-up of the number. The phone's current code, whichever request had it texted, proves the phone;
 * the token says which sign-up's details the wallet opens with. So a stranger who signs the number up
 * between the owner's sign-up and the owner's code entry only has a newer code texted to the owner: the
 * owner enters it with their own token and their wallet opens with their own details, while the stranger's
 * token opens nothing without a code they never see. Verifying a code on a number with no wallet needs a
 * token; a token that is not one of the number's live sign-ups is refused before the code is looked at.
 * Every sign-up keeps a token for signUpTtlMs, a number with a wallet too (where it only signs in), and
 * nothing else ends one, so whether a token is good says nothing about the number or its owner.
 *
 * Guessing is bounded three ways, and no stranger can lock the owner out:
 * - per code: otpAttemptsMax wrong guesses, from anywhere, spend it (the owner asks for another);
 * - per phone and client IP address: every otpAttemptsMax-th wrong guess from one address locks that address
 *   out of that phone for otpLockoutMs, twice as long each time, up to otpLockoutMsMax, within
 *   otpPhoneWindowMs. A guesser locks out only themselves; the owner on their own network is not touched.
 * - per phone, from everywhere: past otpPhoneFailuresMax wrong guesses within otpPhoneWindowMs each further
 *   guess waits otpPhoneGuessDelayMsMin after the last wrong one, doubling up to otpPhoneGuessDelayMsMax.
 *   This bounds guessers spread over many addresses to a few guesses an hour, yet costs the owner at most
 *   that delay after a stranger's last guess, rather than the old 24-hour lock a stranger could renew
 *   daily with a dozen requests.
 * Per client IP address, code messages (otpSendsPerClientIpMax) and guesses (otpGuessesPerClientIpMax) are
 * bounded over all phones, so one client cannot text forty numbers or guess across many.
 * Every counter is in the database, so all server processes share it.
 */

function otpHash(phone: string, otp: string): string {
  return sha256Hex(`otp:${phone}:${otp}`);
}

type SmsKey = 'sms.otp' | 'sms.walletExists' | 'sms.noWallet';

/** The texts a phone is sent, in the shopper's language; a code is the text's only six digits. */
const smsTexts: Catalogue<SmsKey> = {
  en: {
    'sms.otp': 'Your cash-in code is {code}. It expires in {minutes} minutes. Never share it.',
    'sms.walletExists':
      'You already have a cash-in wallet with this number. To sign in to it, your code is {code}. It expires in {minutes} minutes. Never share it.',
    'sms.noWallet':
      'Someone asked to sign in to cash-in with this number, which has no wallet. To open one, choose "Create a wallet" in the app.',
  },
  es: {
    'sms.otp': 'Su código de cash-in es {code}. Vence en {minutes} minutos. No lo comparta.',
    'sms.walletExists':
      'Usted ya tiene un monedero de cash-in con este número. Para entrar, su código es {code}. Vence en {minutes} minutos. No lo comparta.',
    'sms.noWallet':
      'Alguien pidió entrar a cash-in con este número, que no tiene monedero. Para abrir uno, elija "Crear un monedero" en la app.',
  },
};

export function smsText(key: SmsKey, language: Language, code: string, ttlMs: number): string {
  return translator(smsTexts, language)(key, { code, minutes: Math.ceil(ttlMs / 60_000) });
}

export function otpText(language: Language, code: string, ttlMs: number): string {
  return smsText('sms.otp', language, code, ttlMs);
}

type System = Deps['limits']['system'];

/**
 * Counts one request of `purpose` by a client IP address in the current otpClientIpWindowMs and says
 * whether it is within `max`. The count commits even when the request then fails: that is the point.
 */
async function withinClientAllowance(
  tx: Tx,
  system: System,
  purpose: 'send' | 'guess',
  clientIp: string,
  max: number,
  nowMs: number,
): Promise<boolean> {
  const windowStartMs = nowMs - (nowMs % system.otpClientIpWindowMs);
  const counted = await tx.get<{ requests: number }>(
    `INSERT INTO otp_client_windows (purpose, client_ip, window_start_ms, requests) VALUES (?, ?, ?, 1)
     ON CONFLICT (purpose, client_ip, window_start_ms)
       DO UPDATE SET requests = otp_client_windows.requests + 1
     RETURNING requests`,
    [purpose, clientIp, windowStartMs],
  );
  return Number(counted?.requests ?? 0) <= max;
}

/** One client's wrong guesses at one phone, within its otpPhoneWindowMs. */
interface ClientGuesses extends Record<string, unknown> {
  readonly failures: number;
  readonly window_start_ms: number;
  readonly locks: number;
  readonly locked_until_ms: number;
}

async function clientGuesses(tx: Tx, phone: string, clientIp: string): Promise<ClientGuesses | undefined> {
  return tx.get<ClientGuesses>(
    'SELECT failures, window_start_ms, locks, locked_until_ms FROM otp_client_guesses WHERE phone = ? AND client_ip = ?',
    [phone, clientIp],
  );
}

function clientLocked(guesses: ClientGuesses | undefined, nowMs: number): boolean {
  return guesses !== undefined && guesses.locked_until_ms > nowMs;
}

/** Counts one more wrong guess by a client at a phone; answers whether that client is now locked out. */
async function countClientFailure(
  tx: Tx,
  system: System,
  phone: string,
  clientIp: string,
  before: ClientGuesses | undefined,
  nowMs: number,
): Promise<boolean> {
  const windowOver = before === undefined || before.window_start_ms + system.otpPhoneWindowMs <= nowMs;
  const failures = windowOver ? 1 : before.failures + 1;
  const locksBefore = windowOver ? 0 : before.locks;
  const lockNow = failures % system.otpAttemptsMax === 0;
  const locks = lockNow ? locksBefore + 1 : locksBefore;
  // Each lockout in the window is twice the one before: a persistent guesser waits longer and longer.
  const lockedUntilMs = lockNow
    ? nowMs + Math.min(system.otpLockoutMs * 2 ** (locks - 1), system.otpLockoutMsMax)
    : windowOver
      ? 0
      : before.locked_until_ms;
  await tx.run(
    `INSERT INTO otp_client_guesses (phone, client_ip, failures, window_start_ms, locks, locked_until_ms)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (phone, client_ip) DO UPDATE SET failures = excluded.failures,
       window_start_ms = excluded.window_start_ms, locks = excluded.locks,
       locked_until_ms = excluded.locked_until_ms`,
    [phone, clientIp, failures, windowOver ? nowMs : before.window_start_ms, locks, lockedUntilMs],
  );
  return lockedUntilMs > nowMs;
}

/** The per-phone count of wrong codes, from everywhere, over every code the phone was sent. */
type PhoneFailures = {
  readonly phone_failures: number;
  readonly phone_window_start_ms: number;
  readonly last_failure_at_ms: number;
};

/** When the phone, past otpPhoneFailuresMax wrong codes in its window, takes its next guess; else undefined. */
function phoneNextGuessAtMs(row: PhoneFailures, system: System, nowMs: number): number | undefined {
  if (row.phone_window_start_ms + system.otpPhoneWindowMs <= nowMs) return undefined;
  const over = row.phone_failures - system.otpPhoneFailuresMax;
  if (over < 0) return undefined;
  const delayMs = Math.min(system.otpPhoneGuessDelayMsMin * 2 ** over, system.otpPhoneGuessDelayMsMax);
  const atMs = row.last_failure_at_ms + delayMs;
  return atMs > nowMs ? atMs : undefined;
}

/**
 * What a request for a code asks: a sign-in (the language is for a number with no wallet) or a sign-up,
 * kept under the hash of the token its answer carries.
 */
export type CodeRequest =
  | { readonly kind: 'signIn'; readonly language: Language }
  | { readonly kind: 'signUp'; readonly signUp: SignUp; readonly tokenHash: string };

/**
 * Texts the phone one message and answers the same whatever the phone is: a sign-in code to a shopper; a
 * sign-up's code, with the sign-up's details kept pending under its token until the code is verified; to
 * a shopper who signs up again, a sign-in code saying they already have a wallet (the sign-up is kept all
 * the same, so its token behaves as any other); and to a number with no wallet asked to sign in, a text
 * saying so, whose code is never sent (so nothing can match it). A newer code replaces an older one; a
 * newer sign-up leaves the older ones as they are.
 *
 * Messages are bounded: otpSendsMax per otpSendsWindowMs to one phone and otpSendsPerClientIpMax per
 * otpClientIpWindowMs from one client address, then RATE_LIMITED, so nobody can flood a phone or run up the
 * message bill. A client locked out of the phone by wrong guesses gets OTP_LOCKED; asking again would
 * otherwise reset the count of one code for them.
 */
export async function requestCode(
  deps: Deps,
  phone: string,
  clientIp: string,
  request: CodeRequest,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  const system = deps.limits.system;
  const otp = newOtp();
  const outcome = await deps.db.transaction(async (tx) => {
    if (!(await withinClientAllowance(tx, system, 'send', clientIp, system.otpSendsPerClientIpMax, nowMs)))
      return { kind: 'tooMany' } as const;
    // A number's row is made before it is read, so there is a row to lock: requests for a new number sent at
    // once then count their messages one after the other (on PostgreSQL a lock on no row holds nothing, and
    // each would count from zero). It holds no code (an empty hash, already expired) until one is sent.
    await tx.run(
      `INSERT INTO otp_challenges (phone, code_hash, expires_at_ms, attempts, created_at_ms, sends,
         sends_window_start_ms)
       VALUES (?, '', ?, 0, ?, 0, ?)
       ON CONFLICT (phone) DO NOTHING`,
      [phone, nowMs, nowMs, nowMs],
    );
    const current = await tx.get<{ sends: number; sends_window_start_ms: number }>(
      // Locked, so requests sent at once each see the send count the one before wrote.
      `SELECT sends, sends_window_start_ms FROM otp_challenges WHERE phone = ?${forUpdate(tx.dialect)}`,
      [phone],
    );
    if (clientLocked(await clientGuesses(tx, phone, clientIp), nowMs)) return { kind: 'locked' } as const;
    const windowOver =
      current === undefined || current.sends_window_start_ms + system.otpSendsWindowMs <= nowMs;
    const sentInWindow = windowOver ? 0 : current.sends;
    if (sentInWindow >= system.otpSendsMax) return { kind: 'tooMany' } as const;
    const shopper = await findShopperByPhone(tx, phone);
    const language =
      shopper?.language ?? (request.kind === 'signUp' ? request.signUp.language : request.language);
    const key: SmsKey =
      shopper !== undefined
        ? request.kind === 'signUp'
          ? 'sms.walletExists'
          : 'sms.otp'
        : request.kind === 'signUp'
          ? 'sms.otp'
          : 'sms.noWallet';
    await tx.run(
      `INSERT INTO otp_challenges (phone, code_hash, expires_at_ms, attempts, created_at_ms, sends,
         sends_window_start_ms)
       VALUES (?, ?, ?, 0, ?, ?, ?)
       ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash, expires_at_ms = excluded.expires_at_ms,
         attempts = 0, created_at_ms = excluded.created_at_ms, sends = excluded.sends,
         sends_window_start_ms = excluded.sends_window_start_ms`,
      [
        phone,
        // A number with no wallet asked to sign in is sent no code; the one hashed here is never sent.
        otpHash(phone, key === 'sms.noWallet' ? newOtp() : otp),
        nowMs + system.otpTtlMs,
        nowMs,
        sentInWindow + 1,
        windowOver ? nowMs : current.sends_window_start_ms,
      ],
    );
    if (request.kind === 'signUp') {
      // In the same unit as the code, so a token is never seen without the code texted for it. Bounded:
      // one per message, and messages to a phone are bounded within otpSendsWindowMs >= signUpTtlMs.
      const { signUp } = request;
      await tx.run(
        `INSERT INTO pending_sign_ups (token_hash, phone, name, language, currency, created_at_ms, expires_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          request.tokenHash,
          phone,
          signUp.name ?? null,
          signUp.language,
          signUp.currency,
          nowMs,
          nowMs + system.signUpTtlMs,
        ],
      );
    }
    return { kind: 'send', text: smsText(key, language, otp, system.otpTtlMs) } as const;
  });
  if (outcome.kind === 'locked') throw new CodedError('OTP_LOCKED');
  if (outcome.kind === 'tooMany') throw new CodedError('RATE_LIMITED');
  await deps.messageSender.send({ to: phone, text: outcome.text });
}

/** Texts a sign-in code to the phone (see requestCode). */
export async function requestOtp(
  deps: Deps,
  phone: string,
  clientIp: string,
  language: Language = 'en',
): Promise<void> {
  await requestCode(deps, phone, clientIp, { kind: 'signIn', language });
}

/**
 * Keeps a sign-up pending and texts its code; answers the sign-up's token, with which (and the phone's
 * code) the wallet opens. Only the token's hash is kept.
 */
export async function requestSignUp(deps: Deps, signUp: SignUp, clientIp: string): Promise<string> {
  const token = newSignUpToken();
  await requestCode(deps, signUp.phone, clientIp, { kind: 'signUp', signUp, tokenHash: sha256Hex(token) });
  return token;
}

/** The details of the phone's live sign-up that `token` names, or undefined. */
async function pendingSignUp(
  tx: Tx,
  phone: string,
  token: string,
  nowMs: number,
): Promise<SignUp | undefined> {
  const row = await tx.get<{ name: string | null; language: Language; currency: SignUp['currency'] }>(
    `SELECT name, language, currency FROM pending_sign_ups
     WHERE token_hash = ? AND phone = ? AND expires_at_ms > ?`,
    [sha256Hex(token), phone, nowMs],
  );
  return row === undefined
    ? undefined
    : { phone, name: row.name ?? undefined, language: row.language, currency: row.currency };
}

export interface Session {
  readonly token: string;
  readonly shopperId: string;
  readonly expiresAtMs: number;
}

/**
 * Trades a correct one-time code for a session, first opening the wallet if the number has none, with the
 * details of the sign-up `signUpToken` names. Wrong codes count per code, per phone and client address,
 * and per phone (see the top of this file); a guess a counter refuses answers OTP_LOCKED, as does the
 * wrong guess after which the next one would be. The counts are committed even though the call fails.
 *
 * SIGN_UP_TOKEN_INVALID changes nothing (no wallet opens, the code is not spent, no guess is counted): a
 * token that is not a live sign-up of this phone, whatever the code, which is then never tried; or the
 * right code for a number with no wallet and no token, which only the code's holder can be told (the text
 * they read already said it was a sign-up's).
 */
export async function verifyOtp(
  deps: Deps,
  phone: string,
  otp: string,
  clientIp: string,
  signUpToken?: string,
): Promise<Session> {
  const nowMs = deps.clock.nowMs();
  const system = deps.limits.system;
  const token = newBearerToken();
  const outcome = await deps.db.transaction(async (tx) => {
    if (!(await withinClientAllowance(tx, system, 'guess', clientIp, system.otpGuessesPerClientIpMax, nowMs)))
      return { error: 'RATE_LIMITED' } as const;
    const challenge = await tx.get<
      { code_hash: string; attempts: number; expires_at_ms: number } & PhoneFailures
    >(
      // Locked: guesses sent at once must each see the count the one before wrote (on PostgreSQL, read
      // committed would let them all read the same count and all be let through).
      `SELECT code_hash, attempts, expires_at_ms, phone_failures, phone_window_start_ms, last_failure_at_ms
       FROM otp_challenges WHERE phone = ?${forUpdate(tx.dialect)}`,
      [phone],
    );
    // Before anything about the phone: whether a token is good depends on nothing but the sign-up it came
    // from, so refusing it tells nothing, and a code sent with a wrong one is never tried.
    const signUp = signUpToken === undefined ? undefined : await pendingSignUp(tx, phone, signUpToken, nowMs);
    if (signUpToken !== undefined && signUp === undefined) return { error: 'SIGN_UP_TOKEN_INVALID' } as const;
    const guesses = await clientGuesses(tx, phone, clientIp);
    if (clientLocked(guesses, nowMs)) return { error: 'OTP_LOCKED' } as const;
    if (challenge !== undefined) {
      if (phoneNextGuessAtMs(challenge, system, nowMs) !== undefined) return { error: 'OTP_LOCKED' } as const;
      if (challenge.attempts >= system.otpAttemptsMax) {
        return { error: challenge.expires_at_ms > nowMs ? 'OTP_LOCKED' : 'OTP_INVALID' } as const;
      }
    }
    if (challenge === undefined || challenge.expires_at_ms <= nowMs) {
      // No code is live for the number (none was ever asked for, or it was spent or expired): a guess is
      // still this client's wrong guess at it, counted and locked as any other, so which numbers have a
      // wallet cannot be told from which guesses lock.
      const clientNowLocked = await countClientFailure(tx, system, phone, clientIp, guesses, nowMs);
      return { error: clientNowLocked ? 'OTP_LOCKED' : 'OTP_INVALID' } as const;
    }
    if (!secretsEqual(challenge.code_hash, otpHash(phone, otp))) {
      const attempts = challenge.attempts + 1;
      const windowOver = challenge.phone_window_start_ms + system.otpPhoneWindowMs <= nowMs;
      const phoneFailures: PhoneFailures = {
        phone_failures: windowOver ? 1 : challenge.phone_failures + 1,
        phone_window_start_ms: windowOver ? nowMs : challenge.phone_window_start_ms,
        last_failure_at_ms: nowMs,
      };
      await tx.run(
        `UPDATE otp_challenges SET attempts = ?, phone_failures = ?, phone_window_start_ms = ?,
           last_failure_at_ms = ? WHERE phone = ?`,
        [
          attempts,
          phoneFailures.phone_failures,
          phoneFailures.phone_window_start_ms,
          phoneFailures.last_failure_at_ms,
          phone,
        ],
      );
      const clientNowLocked = await countClientFailure(tx, system, phone, clientIp, guesses, nowMs);
      const locked =
        clientNowLocked ||
        attempts >= system.otpAttemptsMax ||
        phoneNextGuessAtMs(phoneFailures, system, nowMs) !== undefined;
      return { error: locked ? 'OTP_LOCKED' : 'OTP_INVALID' } as const;
    }
    let shopper = await findShopperByPhone(tx, phone);
    if (shopper === undefined) {
      // A number with no wallet is sent a code only by a sign-up, so whoever holds it holds the phone, and
      // the token says which sign-up they made: the wallet opens with its details, whichever sign-up of
      // the number had this code texted. Without a token nothing changes, and the code stays good.
      if (signUp === undefined) return { error: 'SIGN_UP_TOKEN_INVALID' } as const;
      shopper = (await createShopperIn(tx, deps, signUp, nowMs)).shopper;
    }
    // The code is spent and the phone's wrong guesses forgiven (its owner just proved it), but the row
    // stays: it carries the count of messages sent in this window, which signing in must not reset. The
    // number's sign-ups stay until they expire: their tokens now only sign in, with a new code.
    await tx.run(
      `UPDATE otp_challenges SET code_hash = '', expires_at_ms = ?, attempts = 0, phone_failures = 0,
         phone_window_start_ms = 0, last_failure_at_ms = 0 WHERE phone = ?`,
      [nowMs, phone],
    );
    await tx.run('DELETE FROM otp_client_guesses WHERE phone = ? AND client_ip = ?', [phone, clientIp]);
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
