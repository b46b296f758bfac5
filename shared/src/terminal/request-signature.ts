/**
 * How a kiosk signs its requests to the server, after RFC 9421 (HTTP Message Signatures) cut down to what
 * one Ed25519 key per terminal needs. Both sides build the same signature base from the request; the
 * terminal signs it, the server verifies it. Hashing and signing are Node's (node:crypto) on both sides:
 * this module only defines the bytes, so the two can never drift apart.
 *
 * Signature base (UTF-8, lines joined by "\n", no trailing newline):
 *
 *   cashin-sig-1
 *   <METHOD>                 upper case: POST
 *   <path>                   the request target as sent, with any query: /v1/terminal/sync
 *   <terminalId>
 *   <timestampMs>            decimal milliseconds since the epoch, from the terminal's clock
 *   <nonce>                  base64url, 16 to 64 characters, never reused by the terminal
 *   <contentDigest>          sha-256=:<base64 of SHA-256(body)>: as RFC 9530 writes it (empty body too)
 *
 * The server refuses a timestamp outside the skew window (SIGNATURE_STALE), a nonce it has seen within the
 * retention window (NONCE_REPLAYED), a digest that does not match the body, or a signature that does not
 * verify (SIGNATURE_INVALID).
 */
export const signatureVersion = 'cashin-sig-1';

export const terminalHeaders = {
  terminalId: 'x-cashin-terminal',
  timestamp: 'x-cashin-timestamp',
  nonce: 'x-cashin-nonce',
  contentDigest: 'content-digest',
  signature: 'x-cashin-signature',
  /** The server's signature over its answer (answerSignatureBase), by the key the kiosk pinned at enrollment. */
  answerSignature: 'x-cashin-answer-signature',
} as const;

/** Terminal ids are chosen by the server at enrollment: short, so receipts can print them (deposit-reference). */
export const terminalIdPattern = /^[A-Za-z0-9._:-]{1,12}$/;
export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;
export const contentDigestPattern = /^sha-256=:[A-Za-z0-9+/]{43}=:$/;
/** An Ed25519 signature is 64 bytes: 86 characters of unpadded base64url. */
export const signaturePattern = /^[A-Za-z0-9_-]{86}$/;

export interface SignedRequestParts {
  method: string;
  path: string;
  terminalId: string;
  timestampMs: number;
  nonce: string;
  contentDigest: string;
}

export function signatureBase(parts: SignedRequestParts): string {
  if (!terminalIdPattern.test(parts.terminalId))
    throw new Error('terminal id has characters a signature cannot carry');
  if (!Number.isSafeInteger(parts.timestampMs) || parts.timestampMs < 0)
    throw new Error('timestamp must be whole ms');
  if (parts.path.includes('\n') || parts.method.includes('\n'))
    throw new Error('a request line cannot hold a newline');
  return [
    signatureVersion,
    parts.method.toUpperCase(),
    parts.path,
    parts.terminalId,
    String(parts.timestampMs),
    parts.nonce,
    parts.contentDigest,
  ].join('\n');
}

/** RFC 9530's form of a SHA-256 digest, from the raw 32 digest bytes in base64. */
export function contentDigestHeader(sha256Base64: string): string {
  return `sha-256=:${sha256Base64}:`;
}

export type SignatureHeaderCheck =
  | { ok: true; parts: Omit<SignedRequestParts, 'method' | 'path'>; signature: string }
  | { ok: false; missing: string[]; malformed: string[] };

/** Reads and checks the shape of the signature headers; verification is the server's next step. */
export function readSignatureHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): SignatureHeaderCheck {
  const missing: string[] = [];
  const malformed: string[] = [];
  const read = (name: string, pattern: RegExp): string => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? undefined : raw;
    if (value === undefined) missing.push(name);
    else if (!pattern.test(value)) malformed.push(name);
    return value ?? '';
  };
  const terminalId = read(terminalHeaders.terminalId, terminalIdPattern);
  const timestamp = read(terminalHeaders.timestamp, /^\d{1,16}$/);
  const nonce = read(terminalHeaders.nonce, noncePattern);
  const contentDigest = read(terminalHeaders.contentDigest, contentDigestPattern);
  const signature = read(terminalHeaders.signature, signaturePattern);
  if (missing.length > 0 || malformed.length > 0) return { ok: false, missing, malformed };
  return { ok: true, parts: { terminalId, timestampMs: Number(timestamp), nonce, contentDigest }, signature };
}

/**
 * The server's answer to a signed request is signed too, by the server key whose public half the kiosk
 * received and pinned at enrollment, so a machine between the kiosk and the server (a store network's
 * TLS-inspecting proxy, say) cannot tell the kiosk a deposit was synced when it was not. The answer is bound
 * to its request by the request's nonce, which the kiosk never reuses, so an old answer cannot be replayed
 * for a new request.
 *
 * Answer signature base (UTF-8, lines joined by "\n", no trailing newline):
 *
 *   cashin-answer-1
 *   <path>                   the request target as the kiosk sent it
 *   <terminalId>             from the request
 *   <nonce>                  from the request
 *   <status>                 the answer's HTTP status, decimal
 *   <contentDigest>          sha-256=:<base64 of SHA-256(answer body)>: (empty body too)
 */
export const answerSignatureVersion = 'cashin-answer-1';

export interface SignedAnswerParts {
  path: string;
  terminalId: string;
  nonce: string;
  status: number;
  contentDigest: string;
}

export function answerSignatureBase(parts: SignedAnswerParts): string {
  if (!terminalIdPattern.test(parts.terminalId))
    throw new Error('terminal id has characters a signature cannot carry');
  if (!noncePattern.test(parts.nonce)) throw new Error('nonce has characters a signature cannot carry');
  if (!Number.isInteger(parts.status) || parts.status < 100 || parts.status > 599)
    throw new Error('status must be an HTTP status');
  if (parts.path.includes('\n')) throw new Error('a request line cannot hold a newline');
  return [
    answerSignatureVersion,
    parts.path,
    parts.terminalId,
    parts.nonce,
    String(parts.status),
    parts.contentDigest,
  ].join('\n');
}
