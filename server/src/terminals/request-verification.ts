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
import { consumeNonce } from './nonces.js';
import { terminalKeys } from './enrollment.js';
import { verifyEd25519 } from './terminal-keys.js';
import { findTerminal } from './terminal-record.js';

/** Who a verified terminal request is from, and the parts its signature covered. */
export interface TerminalCaller {
  readonly terminalId: string;
  readonly storeId: string;
  readonly publicKey: string;
  readonly enabled: boolean;
  readonly currency: CurrencyCode;
  readonly parts: Omit<SignedRequestParts, 'method' | 'path'>;
  readonly signature: string;
  /**
   * Null when the request is signed with the terminal's current key. When a route lets a retired key sign
   * (the sync batch) and it did, when that key was retired: the replaced device's deposits still arrive,
   * and are held for a person to look at (sync-batch.ts).
   */
  readonly keyRetiredAtMs: number | null;
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
  if (terminal === undefined || terminal.publicKey === null) throw new CodedError('TERMINAL_UNKNOWN');
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
    keyRetiredAtMs: null,
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
 * a key retired within the offline window. Answers a fresh stream of the same bytes for Fastify's JSON
 * parser. Unless the route consumes the nonce in its own transaction, the nonce is recorded here.
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
  let verified = caller;
  if (!verifyEd25519(caller.publicKey, base, signature)) {
    const retiredAtMs = options.retiredKeyMaySign
      ? await retiredKeyThatSigned(deps, caller, base, signature)
      : undefined;
    if (retiredAtMs === undefined) throw new CodedError('SIGNATURE_INVALID', { part: 'signature' });
    verified = { ...caller, keyRetiredAtMs: retiredAtMs };
  }
  if (!options.nonceConsumedByHandler) {
    const nowMs = deps.clock.nowMs();
    await deps.db.transaction((tx) => consumeNonce(tx, caller.terminalId, caller.parts.nonce, nowMs));
  }
  const replay = Readable.from([body]);
  (replay as Readable & { receivedEncodedLength?: number }).receivedEncodedLength = body.length;
  return { body: replay, caller: verified };
}

/** When the retired key that signed `base` was retired, if one retired within the offline window did. */
async function retiredKeyThatSigned(
  deps: Deps,
  caller: TerminalCaller,
  base: Uint8Array,
  signature: Uint8Array,
): Promise<number | undefined> {
  const windowMs = moneyLimitsFor(deps.limits, caller.currency).kioskOfflineOldestUnsyncedMs;
  const nowMs = deps.clock.nowMs();
  const keys = await deps.db.transaction((tx) => terminalKeys(tx, caller.terminalId));
  for (const key of keys) {
    if (key.retiredAtMs === null || nowMs - key.retiredAtMs > windowMs) continue;
    if (verifyEd25519(key.publicKey, base, signature)) return key.retiredAtMs;
  }
  return undefined;
}
