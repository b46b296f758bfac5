import type { CurrencyCode, SignedRequestParts } from '@cashin/shared';
import {
  CodedError,
  base64urlDecode,
  contentDigestHeader,
  moneyLimitsFor,
  readSignatureHeaders,
  signatureBase,
} from '@cashin/shared';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Deps } from '../deps.js';
import type { Tx } from '../storage/db.js';
import type { StoredTerminalKey } from './key-records.js';
import { findTerminalKey, keysBesideCurrent } from './key-records.js';
import { noteRevokedKeyUse } from './key-revocation.js';
import { consumeNonce } from './nonces.js';
import { verifyEd25519 } from './terminal-keys.js';
import type { TerminalRecord } from './terminal-record.js';
import { findTerminal } from './terminal-record.js';

/** Who a verified terminal request is from, and the parts its signature covered. */
export interface TerminalCaller {
  readonly terminalId: string;
  readonly storeId: string;
  /**
   * The terminal's current key when it was identified: null when ops revoked its last key and no device
   * has enrolled since (a request can then only be a revoked key's, or a forgery).
   */
  readonly publicKey: string | null;
  readonly enabled: boolean;
  readonly currency: CurrencyCode;
  readonly parts: Omit<SignedRequestParts, 'method' | 'path'>;
  readonly signature: string;
  /**
   * The key the signature verified with (null until verifyTerminalBody has run): the current key, or, where
   * a route lets a retired key sign (the sync batch), a replaced device's key, whose deposits still arrive
   * and are held for a person to look at (sync-batch.ts). Handlers that change state ask what it is now,
   * under the terminal's lock (signingKeyNow).
   */
  readonly signedWith: string | null;
}

/**
 * Step one, before the body is read: the headers are well formed, the terminal exists, has enrolled, is
 * enabled (unless the route lets a disabled terminal in, as the heartbeat does so it can be told), and its
 * clock is within the skew window.
 */
export async function identifyTerminal(
  deps: Deps,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  allowDisabled: boolean,
): Promise<TerminalCaller> {
  const read = readSignatureHeaders(headers);
  if (!read.ok)
    throw new CodedError('SIGNATURE_INVALID', { missing: read.missing, malformed: read.malformed });
  const terminal = await deps.db.transaction((tx) => findTerminal(tx, read.parts.terminalId));
  // A terminal whose key ops revoked (and none enrolled since) is still known: its lost device's requests
  // go on to the signature, which tells them apart from a stranger's (TERMINAL_KEY_REVOKED).
  if (terminal === undefined || terminal.enrolledAtMs === null) throw new CodedError('TERMINAL_UNKNOWN');
  if (!terminal.enabled && !allowDisabled) throw new CodedError('TERMINAL_DISABLED');
  const skewMs = Math.abs(deps.clock.nowMs() - read.parts.timestampMs);
  if (skewMs > deps.limits.system.signatureSkewMs) throw new CodedError('SIGNATURE_STALE');
  return {
    terminalId: terminal.id,
    storeId: terminal.storeId,
    publicKey: terminal.publicKey,
    enabled: terminal.enabled,
    currency: terminal.currency,
    parts: read.parts,
    signature: read.signature,
    signedWith: null,
  };
}

/** Reads a request body to its end, refusing more than `bytesMax` (the app's body limit). */
async function readBody(payload: NodeJS.ReadableStream, bytesMax: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of payload) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk);
    length += buffer.length;
    if (length > bytesMax) throw new CodedError('BODY_TOO_LARGE');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** How a route lets a terminal's request in, past the checks every terminal request passes. */
export interface TerminalBodyOptions {
  /** The handler records the request nonce in its own transaction (the sync batch); see nonces.ts. */
  readonly nonceConsumedByHandler: boolean;
  /**
   * A key retired by a newer enrollment may sign this route for the kiosk offline window after its
   * retirement (kioskOfflineOldestUnsyncedMs, the longest a kiosk keeps money unsynced): a replaced device
   * brought back up can still hand over the deposits it took, which exist nowhere else. Only the sync batch.
   * A key ops revoked (its device lost or stolen) signs no route, this one included.
   */
  readonly retiredKeyMaySign: boolean;
}

/** What step two found: the body to parse, and the caller as verified (which key signed). */
export interface VerifiedTerminalBody {
  readonly body: Readable;
  readonly caller: TerminalCaller;
}

/**
 * Step two, on the raw bytes and before any parsing or schema: the body digest matches the signed
 * digest, and the Ed25519 signature verifies over the signature base (one verify per request, so one per
 * sync batch however many deposits it carries) with the current key, or, where the route allows it, with
 * a key retired within the offline window. A signature by a key ops revoked is refused with its own code,
 * TERMINAL_KEY_REVOKED, on every route, and counted on the terminal's keyRevoked alert; any other
 * signature is SIGNATURE_INVALID. The keys are read from the database on every request, so a revocation
 * holds in every server process from its commit. Answers a fresh stream of the same bytes for Fastify's
 * JSON parser. Unless the route consumes the nonce in its own transaction, the nonce is recorded here.
 */
export async function verifyTerminalBody(
  deps: Deps,
  caller: TerminalCaller,
  request: { method: string; url: string },
  payload: NodeJS.ReadableStream,
  options: TerminalBodyOptions,
): Promise<VerifiedTerminalBody> {
  const body = await readBody(payload, deps.limits.system.httpBodyBytesMax);
  const digest = contentDigestHeader(createHash('sha256').update(body).digest('base64'));
  if (digest !== caller.parts.contentDigest) throw new CodedError('SIGNATURE_INVALID', { part: 'digest' });
  const base = new TextEncoder().encode(
    signatureBase({ method: request.method, path: request.url, ...caller.parts }),
  );
  const signature = base64urlDecode(caller.signature);
  if (signature === undefined) throw new CodedError('SIGNATURE_INVALID', { part: 'signature' });
  let signedWith = caller.publicKey;
  if (signedWith === null || !verifyEd25519(signedWith, base, signature)) {
    const key = await otherKeyThatSigned(deps, caller, base, signature, options.retiredKeyMaySign);
    if (key !== undefined && key.revokedAtMs !== null) {
      await noteRevokedKeyUse(deps, caller.terminalId, key.publicKey);
      throw new CodedError('TERMINAL_KEY_REVOKED');
    }
    if (key === undefined) throw new CodedError('SIGNATURE_INVALID', { part: 'signature' });
    signedWith = key.publicKey;
  }
  const verified: TerminalCaller = { ...caller, signedWith };
  if (!options.nonceConsumedByHandler) {
    const nowMs = deps.clock.nowMs();
    await deps.db.transaction((tx) => consumeNonce(tx, caller.terminalId, caller.parts.nonce, nowMs));
  }
  const replay = Readable.from([body]);
  (replay as Readable & { receivedEncodedLength?: number }).receivedEncodedLength = body.length;
  return { body: replay, caller: verified };
}

/**
 * The key other than the current one that signed `base`, if one that still means something did: a key
 * ops revoked (at any time since), or, where the route lets one sign, a key retired within the offline
 * window.
 */
async function otherKeyThatSigned(
  deps: Deps,
  caller: TerminalCaller,
  base: Uint8Array,
  signature: Uint8Array,
  retiredKeyMaySign: boolean,
): Promise<StoredTerminalKey | undefined> {
  const windowMs = moneyLimitsFor(deps.limits, caller.currency).kioskOfflineOldestUnsyncedMs;
  const nowMs = deps.clock.nowMs();
  const keys = await deps.db.transaction((tx) => keysBesideCurrent(tx, caller.terminalId, nowMs - windowMs));
  return keys.find(
    (key) => (key.revokedAtMs !== null || retiredKeyMaySign) && verifyEd25519(key.publicKey, base, signature),
  );
}

/**
 * Under the terminal's row lock, in the handler's transaction: the key that signed a verified request, as
 * it stands now. Verification read the keys in a transaction of its own, and a rotation's enrollment or a
 * revocation (which take the same lock) may have committed since; a handler that changes state asks
 * again here, where neither can slip between the check and the change. Answers when the key was retired
 * (null: it is the current key); a key ops revoked meanwhile is refused with TERMINAL_KEY_REVOKED.
 */
export async function signingKeyNow(
  tx: Tx,
  terminal: TerminalRecord,
  caller: TerminalCaller,
): Promise<{ retiredAtMs: number | null }> {
  if (caller.signedWith === null) throw new Error('a terminal handler ran before its signature was verified');
  if (caller.signedWith === terminal.publicKey) return { retiredAtMs: null };
  const key = await findTerminalKey(tx, terminal.id, caller.signedWith);
  if (key === undefined)
    throw new Error('a verified request was signed with a key the terminal never enrolled');
  if (key.revokedAtMs !== null) throw new CodedError('TERMINAL_KEY_REVOKED');
  // Not the current key and not revoked: a newer enrollment retired it.
  if (key.retiredAtMs === null) throw new Error('a terminal has two current keys');
  return { retiredAtMs: key.retiredAtMs };
}
