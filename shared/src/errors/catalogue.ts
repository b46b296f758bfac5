import { z } from 'zod';

/**
 * The one catalogue of error codes. Codes are stable forever (tests, clients and receipts rely on them);
 * the HTTP status says how a server answers; the message key is what a UI looks up in its language.
 */
const catalogue = {
  // Input
  VALIDATION_FAILED: { status: 400, what: 'The request did not match its schema.' },
  MALFORMED_JSON: { status: 400, what: 'The request body is not valid JSON.' },
  BODY_TOO_LARGE: { status: 413, what: 'The request body is over the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    what: 'The request body has a content type the route does not take.',
  },
  AMOUNT_INVALID: { status: 400, what: 'The amount is not a positive whole number of minor units.' },
  CURRENCY_UNKNOWN: { status: 400, what: 'The currency is not one the network handles.' },
  CURRENCY_MISMATCH: {
    status: 422,
    what: 'The money and the wallet, store or kiosk are in different currencies.',
  },
  PHONE_INVALID: { status: 400, what: 'The phone number is not a valid E.164 number.' },
  PHONE_UNREACHABLE: {
    status: 422,
    what: 'The text message provider cannot deliver to this phone number (not a mobile, or opted out).',
  },
  CODE_MALFORMED: { status: 400, what: 'The code has a wrong length, character, type or check digit.' },
  // Codes
  CODE_UNKNOWN: { status: 404, what: 'No wallet, slip or claim has this code.' },
  CODE_REVOKED: { status: 410, what: 'The code was rotated or revoked.' },
  CODE_EXPIRED: { status: 410, what: 'The slip or claim code has expired.' },
  CODE_USED: { status: 409, what: 'The one-use code was already used.' },
  CODE_CANCELLED: { status: 410, what: 'The payment slip was cancelled by its shopper.' },
  // Money and limits
  LIMIT_EXCEEDED: { status: 422, what: 'The deposit would pass a per-deposit, daily or monthly limit.' },
  FAMILY_CAP_EXCEEDED: {
    status: 422,
    what: "The deposit would pass a per-deposit or daily cap the wallet's parent set.",
  },
  AMOUNT_BELOW_MINIMUM: { status: 422, what: 'The amount is below the minimum for this channel.' },
  AMOUNT_ABOVE_MAXIMUM: { status: 422, what: 'The amount is above the maximum for this channel.' },
  AMOUNT_MISMATCH: { status: 422, what: 'The amount differs from the amount the slip is bound to.' },
  SLIPS_OPEN_MAX: { status: 422, what: 'The shopper already has as many open payment slips as allowed.' },
  INSUFFICIENT_FUNDS: { status: 422, what: 'The account would go below zero.' },
  IDEMPOTENCY_CONFLICT: { status: 409, what: 'This id was already used with different fields.' },
  BAG_ALREADY_COLLECTED: {
    status: 409,
    what: 'A collection of this terminal with this bag label was already recorded (under another id).',
  },
  // Shoppers and sessions
  SHOPPER_EXISTS: { status: 409, what: 'A shopper with this phone number already exists.' },
  UNAUTHENTICATED: { status: 401, what: 'Sign in first.' },
  SESSION_EXPIRED: { status: 401, what: 'The session has expired; sign in again.' },
  FORBIDDEN: { status: 403, what: 'This role may not do this.' },
  OTP_INVALID: { status: 401, what: 'The one-time code is wrong or expired.' },
  OTP_LOCKED: { status: 423, what: 'Too many wrong one-time codes; wait and ask for a new one.' },
  SIGN_UP_TOKEN_INVALID: {
    status: 401,
    what: "The sign-up token is missing, wrong or expired (a sign-up's code opens its wallet only with the token its answer carried); sign up again.",
  },
  PIN_INVALID: { status: 401, what: 'The store, clerk or PIN is wrong.' },
  PIN_LOCKED: { status: 423, what: 'Too many wrong PINs; the clerk is locked out for a while.' },
  CLERK_DISABLED: { status: 403, what: 'This clerk was disabled by ops.' },
  CLERKS_PER_STORE_MAX: { status: 422, what: 'The store already has as many clerks as one store may have.' },
  STAFF_SIGN_IN_INVALID: { status: 401, what: 'The username or password is wrong.' },
  STAFF_LOCKED: { status: 423, what: 'Too many wrong passwords; the account is locked out for a while.' },
  STAFF_DISABLED: { status: 403, what: 'This staff account is disabled.' },
  RATE_LIMITED: { status: 429, what: 'Too many requests; slow down.' },
  // Till
  AUTHORIZATION_EXPIRED: { status: 410, what: 'The authorization expired before it was committed.' },
  AUTHORIZATION_UNKNOWN: { status: 404, what: 'No authorization has this id.' },
  VOID_WINDOW_CLOSED: { status: 409, what: 'The deposit is past the window in which it may be voided.' },
  ALREADY_VOIDED: { status: 409, what: 'The deposit was already voided.' },
  CLAIM_ALREADY_REDEEMED: { status: 409, what: 'The claim or receipt was already redeemed.' },
  // Terminals
  SIGNATURE_INVALID: { status: 401, what: 'The request signature does not verify.' },
  SIGNATURE_STALE: { status: 401, what: 'The request timestamp is outside the allowed clock skew.' },
  NONCE_REPLAYED: { status: 401, what: 'The request nonce was already used.' },
  TERMINAL_UNKNOWN: { status: 401, what: 'No enrolled terminal has this id.' },
  TERMINAL_DISABLED: { status: 403, what: 'The terminal was disabled by ops.' },
  TERMINAL_KEY_REVOKED: {
    status: 401,
    what: 'The request is signed with a terminal key ops revoked (its device was lost or stolen); it is refused for every request.',
  },
  ENROLLMENT_TOKEN_INVALID: { status: 401, what: 'The enrollment token is unknown, used or expired.' },
  SYNC_BATCH_TOO_LARGE: { status: 413, what: 'The sync batch has more deposits than allowed.' },
  RECEIPT_SIGNATURE_INVALID: { status: 400, what: 'The offline receipt signature does not verify.' },
  RECEIPT_NOT_REDEEMABLE: {
    status: 409,
    what: 'The receipt verifies but cannot move money by itself now (kiosk disabled, key retired long ago or revoked, or past the offline limits); the kiosk sync still credits it.',
  },
  // Kiosk (shown on screen; the agent raises them)
  OFFLINE_CAP_REACHED: {
    status: 503,
    what: 'The kiosk is offline and holds as much unsynced money as it may.',
  },
  DEVICE_FAULT: { status: 503, what: 'A device failed; the kiosk is out of service.' },
  SERVER_UNREACHABLE: { status: 503, what: 'The server could not be reached.' },
  // Generic
  NOT_FOUND: { status: 404, what: 'Nothing is at this address.' },
  CONFLICT: { status: 409, what: 'The request conflicts with the current state.' },
  SERVICE_UNAVAILABLE: { status: 503, what: 'The service is not ready; try again shortly.' },
  INTERNAL: { status: 500, what: 'Something failed on our side; nothing was changed twice.' },
} as const satisfies Record<string, { status: number; what: string }>;

export type ErrorCode = keyof typeof catalogue;

export const errorCodes = Object.keys(catalogue) as [ErrorCode, ...ErrorCode[]];

export const ErrorCodeSchema = z.enum(errorCodes);

export function errorStatus(code: ErrorCode): number {
  return catalogue[code].status;
}

/** An English sentence for logs and API docs; UIs show `errorMessageKey(code)` from their catalogues. */
export function errorDescription(code: ErrorCode): string {
  return catalogue[code].what;
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
