import { z } from 'zod';

/**
 * The one catalogue of error codes. Codes are stable forever (tests, clients and receipts rely on them);
 * the HTTP status says how a server answers; the message key is what a UI looks up in its language.
 */
const catalogue = {
  // Input
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AMOUNT_INVALID: 400,
  CURRENCY_UNKNOWN: 400,
  CURRENCY_MISMATCH: 422,
  PHONE_INVALID: 400,
  PHONE_UNREACHABLE: 422,
  CODE_MALFORMED: 400,
  // Codes
  CODE_UNKNOWN: 404,
  CODE_REVOKED: 410,
  CODE_EXPIRED: 410,
  CODE_USED: 409,
  CODE_CANCELLED: 410,
  // Money and limits
  LIMIT_EXCEEDED: 422,
  FAMILY_CAP_EXCEEDED: 422,
  AMOUNT_BELOW_MINIMUM: 422,
  AMOUNT_ABOVE_MAXIMUM: 422,
  AMOUNT_MISMATCH: 422,
  SLIPS_OPEN_MAX: 422,
  INSUFFICIENT_FUNDS: 422,
  IDEMPOTENCY_CONFLICT: 409,
  BAG_ALREADY_COLLECTED: 409,
  // Shoppers and sessions
  SHOPPER_EXISTS: 409,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  OTP_INVALID: 401,
  OTP_LOCKED: 423,
  SIGN_UP_TOKEN_INVALID: 401,
  PIN_INVALID: 401,
  PIN_LOCKED: 423,
  CLERK_DISABLED: 403,
  CLERKS_PER_STORE_MAX: 422,
  STAFF_SIGN_IN_INVALID: 401,
  STAFF_LOCKED: 423,
  STAFF_DISABLED: 403,
  RATE_LIMITED: 429,
  // Till
  AUTHORIZATION_EXPIRED: 410,
  AUTHORIZATION_UNKNOWN: 404,
  VOID_WINDOW_CLOSED: 409,
  ALREADY_VOIDED: 409,
  CLAIM_ALREADY_REDEEMED: 409,
  // Terminals
  SIGNATURE_INVALID: 401,
  SIGNATURE_STALE: 401,
  NONCE_REPLAYED: 401,
  TERMINAL_UNKNOWN: 401,
  TERMINAL_DISABLED: 403,
  TERMINAL_KEY_REVOKED: 401,
  ENROLLMENT_TOKEN_INVALID: 401,
  SYNC_BATCH_TOO_LARGE: 413,
  RECEIPT_SIGNATURE_INVALID: 400,
  RECEIPT_NOT_REDEEMABLE: 409,
  // Kiosk (shown on screen; the agent raises them)
  OFFLINE_CAP_REACHED: 503,
  DEVICE_FAULT: 503,
  SERVER_UNREACHABLE: 503,
  // Generic
  NOT_FOUND: 404,
  CONFLICT: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof catalogue;

export const errorCodes = Object.keys(catalogue) as [ErrorCode, ...ErrorCode[]];

export const ErrorCodeSchema = z.enum(errorCodes);

export function errorStatus(code: ErrorCode): number {
  return catalogue[code];
}

/**
 * An English sentence per code for logs and API docs. Apart from the statuses, so an app that never
 * describes errors this way (every UI, which shows its own catalogue's words) does not download them.
 */
const descriptions: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request did not match its schema.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  BODY_TOO_LARGE: 'The request body is over the size limit.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body has a content type the route does not take.',
  AMOUNT_INVALID: 'The amount is not a positive whole number of minor units.',
  CURRENCY_UNKNOWN: 'The currency is not one the network handles.',
  CURRENCY_MISMATCH: 'The money and the wallet, store or kiosk are in different currencies.',
  PHONE_INVALID: 'The phone number is not a valid E.164 number.',
  PHONE_UNREACHABLE:
    'The text message provider cannot deliver to this phone number (not a mobile, or opted out).',
  CODE_MALFORMED: 'The code has a wrong length, character, type or check digit.',
  CODE_UNKNOWN: 'No wallet, slip or claim has this code.',
  CODE_REVOKED: 'The code was rotated or revoked.',
  CODE_EXPIRED: 'The slip or claim code has expired.',
  CODE_USED: 'The one-use code was already used.',
  CODE_CANCELLED: 'The payment slip was cancelled by its shopper.',
  LIMIT_EXCEEDED: 'The deposit would pass a per-deposit, daily or monthly limit.',
  FAMILY_CAP_EXCEEDED: "The deposit would pass a per-deposit or daily cap the wallet's parent set.",
  AMOUNT_BELOW_MINIMUM: 'The amount is below the minimum for this channel.',
  AMOUNT_ABOVE_MAXIMUM: 'The amount is above the maximum for this channel.',
  AMOUNT_MISMATCH: 'The amount differs from the amount the slip is bound to.',
  SLIPS_OPEN_MAX: 'The shopper already has as many open payment slips as allowed.',
  INSUFFICIENT_FUNDS: 'The account would go below zero.',
  IDEMPOTENCY_CONFLICT: 'This id was already used with different fields.',
  BAG_ALREADY_COLLECTED:
    'A collection of this terminal with this bag label was already recorded (under another id).',
  SHOPPER_EXISTS: 'A shopper with this phone number already exists.',
  UNAUTHENTICATED: 'Sign in first.',
  SESSION_EXPIRED: 'The session has expired; sign in again.',
  FORBIDDEN: 'This role may not do this.',
  OTP_INVALID: 'The one-time code is wrong or expired.',
  OTP_LOCKED: 'Too many wrong one-time codes; wait and ask for a new one.',
  SIGN_UP_TOKEN_INVALID:
    "The sign-up token is missing, wrong or expired (a sign-up's code opens its wallet only with the token its answer carried); sign up again.",
  PIN_INVALID: 'The store, clerk or PIN is wrong.',
  PIN_LOCKED: 'Too many wrong PINs; the clerk is locked out for a while.',
  CLERK_DISABLED: 'This clerk was disabled by ops.',
  CLERKS_PER_STORE_MAX: 'The store already has as many clerks as one store may have.',
  STAFF_SIGN_IN_INVALID: 'The username or password is wrong.',
  STAFF_LOCKED: 'Too many wrong passwords; the account is locked out for a while.',
  STAFF_DISABLED: 'This staff account is disabled.',
  RATE_LIMITED: 'Too many requests; slow down.',
  AUTHORIZATION_EXPIRED: 'The authorization expired before it was committed.',
  AUTHORIZATION_UNKNOWN: 'No authorization has this id.',
  VOID_WINDOW_CLOSED: 'The deposit is past the window in which it may be voided.',
  ALREADY_VOIDED: 'The deposit was already voided.',
  CLAIM_ALREADY_REDEEMED: 'The claim or receipt was already redeemed.',
  SIGNATURE_INVALID: 'The request signature does not verify.',
  SIGNATURE_STALE: 'The request timestamp is outside the allowed clock skew.',
  NONCE_REPLAYED: 'The request nonce was already used.',
  TERMINAL_UNKNOWN: 'No enrolled terminal has this id.',
  TERMINAL_DISABLED: 'The terminal was disabled by ops.',
  TERMINAL_KEY_REVOKED:
    'The request is signed with a terminal key ops revoked (its device was lost or stolen); it is refused for every request.',
  ENROLLMENT_TOKEN_INVALID: 'The enrollment token is unknown, used or expired.',
  SYNC_BATCH_TOO_LARGE: 'The sync batch has more deposits than allowed.',
  RECEIPT_SIGNATURE_INVALID: 'The offline receipt signature does not verify.',
  RECEIPT_NOT_REDEEMABLE:
    'The receipt verifies but cannot move money by itself now (kiosk disabled, key retired long ago or revoked, or past the offline limits); the kiosk sync still credits it.',
  OFFLINE_CAP_REACHED: 'The kiosk is offline and holds as much unsynced money as it may.',
  DEVICE_FAULT: 'A device failed; the kiosk is out of service.',
  SERVER_UNREACHABLE: 'The server could not be reached.',
  NOT_FOUND: 'Nothing is at this address.',
  CONFLICT: 'The request conflicts with the current state.',
  SERVICE_UNAVAILABLE: 'The service is not ready; try again shortly.',
  INTERNAL: 'Something failed on our side; nothing was changed twice.',
};

/** An English sentence for logs and API docs; UIs show `errorMessageKey(code)` from their catalogues. */
export function errorDescription(code: ErrorCode): string {
  return descriptions[code];
}

/** "LIMIT_EXCEEDED" -> "error.limitExceeded": the key a UI message catalogue uses. */
export function errorMessageKey(code: ErrorCode): `error.${string}` {
  const camel = code.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return `error.${camel}`;
}

/** The body every error response carries. `details` holds facts a client may act on (remaining limit). */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    messageKey: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    requestId: z.string().optional(),
  }),
});

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/**
 * An expected failure carried to the edge of a process (an HTTP handler, the bridge), where it becomes an
 * ErrorBody. Programmer errors are plain Errors and crash.
 */
export class CodedError extends Error {
  override name = 'CodedError';

  constructor(
    readonly code: ErrorCode,
    readonly details?: Record<string, unknown>,
    message: string = errorDescription(code),
  ) {
    super(message);
  }

  get status(): number {
    return errorStatus(this.code);
  }

  toBody(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        messageKey: errorMessageKey(this.code),
        ...(this.details ? { details: this.details } : {}),
        ...(requestId ? { requestId } : {}),
      },
    };
  }
}
