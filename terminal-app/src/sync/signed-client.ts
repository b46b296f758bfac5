import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { Clock, ErrorCode } from '@cashin/shared';
import {
  ErrorBodySchema,
  answerSignatureBase,
  base64urlDecode,
  contentDigestHeader,
  signatureBase,
  signaturePattern,
  terminalHeaders,
} from '@cashin/shared';
import type { TerminalKey } from './terminal-key.js';
import { verifyWithRawPublicKey } from './terminal-key.js';

/**
 * Signed requests from the kiosk to the server. Every way the network can fail (refused connection,
 * time-out, a proxy's HTML error page, an answer that does not parse) is one value, `unreachable`, because
 * the kiosk's answer to all of them is the same: go on offline and try again later. A coded refusal from
 * the server is different: it says what is wrong.
 *
 * An answer not signed by the server key the kiosk pinned at enrollment is `unreachable` too, whatever it
 * says: whoever sent it is not the server, so it proves nothing was synced and nothing was refused.
 */
export type CallResult<T> =
  | { ok: true; value: T }
  | { ok: false; kind: 'unreachable'; detail: string }
  | {
      ok: false;
      kind: 'refused';
      status: number;
      code: ErrorCode;
      details: Record<string, unknown> | undefined;
    };

/**
 * Reads a server's answer: the value when it is a 2xx matching `schema`, the coded refusal when it is an
 * error body from our catalogue, and `unreachable` for anything else (a proxy's page, a truncated body).
 */
export function readAnswer<T>(status: number, text: string, schema: z.ZodType<T>): CallResult<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'unreachable', detail: `HTTP ${status} without a JSON body` };
  }
  if (status < 200 || status > 299) {
    const error = ErrorBodySchema.safeParse(json);
    if (!error.success) return { ok: false, kind: 'unreachable', detail: `HTTP ${status}` };
    return {
      ok: false,
      kind: 'refused',
      status,
      code: error.data.error.code,
      details: error.data.error.details,
    };
  }
  const value = schema.safeParse(json);
  if (!value.success)
    return { ok: false, kind: 'unreachable', detail: 'the answer did not match its schema' };
  return { ok: true, value: value.data };
}

export interface SignedClientOptions {
  baseUrl: string;
  terminalId: string;
  key: TerminalKey;
  clock: Clock;
  requestTimeoutMs: number;
  /**
   * The server keys whose signature the kiosk believes, as pinned now (agent/server-key-pins.ts): read
   * at each answer, since a rollover changes them. Null for a kiosk enrolled before the server signed its
   * answers: it believes unsigned answers until it is enrolled again.
   */
  serverKeys: (() => readonly string[]) | null;
  /** Injected so tests can put a faulty link between the kiosk and the server. */
  fetch?: typeof fetch;
  nonce?: () => string;
}

export interface SignedClient {
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<CallResult<T>>;
}

export function createSignedClient(options: SignedClientOptions): SignedClient {
  const doFetch = options.fetch ?? fetch;
  const nonce = options.nonce ?? (() => randomBytes(18).toString('base64url'));
  return {
    async post(path, body, schema, signal) {
      const json = JSON.stringify(body);
      const contentDigest = contentDigestHeader(createHash('sha256').update(json).digest('base64'));
      const parts = {
        method: 'POST',
        path,
        terminalId: options.terminalId,
        timestampMs: options.clock.nowMs(),
        nonce: nonce(),
        contentDigest,
      };
      const signature = Buffer.from(
        options.key.sign(new TextEncoder().encode(signatureBase(parts))),
      ).toString('base64url');
      let response: Response;
      let bytes: Buffer;
      try {
        response = await doFetch(new URL(path, options.baseUrl), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [terminalHeaders.terminalId]: parts.terminalId,
            [terminalHeaders.timestamp]: String(parts.timestampMs),
            [terminalHeaders.nonce]: parts.nonce,
            [terminalHeaders.contentDigest]: contentDigest,
            [terminalHeaders.signature]: signature,
          },
          body: json,
          signal: signal
            ? AbortSignal.any([signal, AbortSignal.timeout(options.requestTimeoutMs)])
            : AbortSignal.timeout(options.requestTimeoutMs),
        });
        bytes = Buffer.from(await response.arrayBuffer());
      } catch (error) {
        return {
          ok: false,
          kind: 'unreachable',
          detail: error instanceof Error ? error.message : String(error),
        };
      }
      if (
        options.serverKeys !== null &&
        !answerSignedByServer(options.serverKeys(), parts, response, bytes)
      ) {
        return { ok: false, kind: 'unreachable', detail: `HTTP ${response.status} not signed by the server` };
      }
      return readAnswer(response.status, bytes.toString('utf8'), schema);
    },
  };
}

/** Whether `response` carries a valid signature by one of the pinned server keys over its status and body. */
function answerSignedByServer(
  serverKeys: readonly string[],
  request: { path: string; terminalId: string; nonce: string },
  response: Response,
  body: Buffer,
): boolean {
  const header = response.headers.get(terminalHeaders.answerSignature);
  const signature = header !== null && signaturePattern.test(header) ? base64urlDecode(header) : undefined;
  if (signature === undefined) return false;
  const base = answerSignatureBase({
    path: request.path,
    terminalId: request.terminalId,
    nonce: request.nonce,
    status: response.status,
    contentDigest: contentDigestHeader(createHash('sha256').update(body).digest('base64')),
  });
  const signed = new TextEncoder().encode(base);
  return serverKeys.some((key) => verifyWithRawPublicKey(key, signed, signature));
}
