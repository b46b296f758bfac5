import type { SignedRequestParts } from '@cashin/shared';
import {
  CodedError,
  base64urlDecode,
  contentDigestHeader,
  readSignatureHeaders,
  signatureBase,
} from '@cashin/shared';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Deps } from '../deps.js';
import { consumeNonce } from './nonces.js';
import { verifyEd25519 } from './terminal-keys.js';
import { findTerminal } from './terminal-record.js';

/** Who a verified terminal request is from, and the parts its signature covered. */
export interface TerminalCaller {
  readonly terminalId: string;
  readonly storeId: string;
  readonly publicKey: string;
  readonly enabled: boolean;
  readonly parts: Omit<SignedRequestParts, 'method' | 'path'>;
  readonly signature: string;
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
    parts: read.parts,
    signature: read.signature,
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

/**
 * Step two, on the raw bytes and before any parsing or schema: the body digest matches the signed
 * digest, and the Ed25519 signature verifies over the signature base (one verify per request, so one per
 * sync batch however many deposits it carries). Answers a fresh stream of the same bytes for Fastify's
 * JSON parser. Unless the route consumes the nonce in its own transaction, the nonce is recorded here.
 */
export async function verifyTerminalBody(
  deps: Deps,
  caller: TerminalCaller,
  request: { method: string; url: string },
  payload: NodeJS.ReadableStream,
  nonceConsumedByHandler: boolean,
): Promise<Readable> {
  const body = await readBody(payload, deps.limits.system.httpBodyBytesMax);
  const digest = contentDigestHeader(createHash('sha256').update(body).digest('base64'));
  if (digest !== caller.parts.contentDigest) throw new CodedError('SIGNATURE_INVALID', { part: 'digest' });
  const base = signatureBase({ method: request.method, path: request.url, ...caller.parts });
  const signature = base64urlDecode(caller.signature);
  if (
    signature === undefined ||
    !verifyEd25519(caller.publicKey, new TextEncoder().encode(base), signature)
  ) {
    throw new CodedError('SIGNATURE_INVALID', { part: 'signature' });
  }
  if (!nonceConsumedByHandler) {
    const nowMs = deps.clock.nowMs();
    await deps.db.transaction((tx) => consumeNonce(tx, caller.terminalId, caller.parts.nonce, nowMs));
  }
  const replay = Readable.from([body]);
  (replay as Readable & { receivedEncodedLength?: number }).receivedEncodedLength = body.length;
  return replay;
}
