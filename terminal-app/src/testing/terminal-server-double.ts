import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorCode, HeartbeatRequest, KioskDeposit, SyncResult } from '@cashin/shared';
import {
  CodedError,
  EnrollRequestSchema,
  HeartbeatRequestSchema,
  LookupRequestSchema,
  SyncRequestSchema,
  contentDigestHeader,
  readSignatureHeaders,
  signatureBase,
  terminalApiPaths,
} from '@cashin/shared';
import { verifyWithRawPublicKey } from '../sync/terminal-key.js';

/**
 * TEST DOUBLE of the server's terminal channel (issue 4), for testing the kiosk's sync engine before the
 * real channel exists. It does what the contract says the server does, for real: verifies each request's
 * Ed25519 signature and body digest, refuses replayed nonces, answers created / exists / conflict by
 * deposit id, enrolls a terminal once per token, answers lookups for the codes it was given, records
 * heartbeats, and can be told to misbehave (fail, or commit and then lose its answer).
 */
export interface DoubleShopper {
  maskedName: string;
  remainingMinor: number;
  balanceMinor: number;
}

export interface TerminalServerDouble {
  baseUrl: string;
  deposits: Map<string, KioskDeposit>;
  heartbeats: HeartbeatRequest[];
  /** Codes the lookup knows; any other code is CODE_UNKNOWN. */
  shoppers: Map<string, DoubleShopper>;
  requests: number;
  /** Ops disables the terminal: heartbeats answer `disabled`. */
  disabled: boolean;
  /** The next N signed requests fail with this behaviour (losing an answer applies to sync only). */
  misbehave(count: number, how: 'http500' | 'loseAnswerAfterCommit' | 'refuse', code?: ErrorCode): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * Starts the double. With `publicKey` the terminal is enrolled already; without it, `enrollmentToken`
 * enrolls it once.
 */
export async function startTerminalServerDouble(
  terminalId: string,
  publicKey: string | null,
  enrollmentToken = 'enrollment-token-for-the-double',
): Promise<TerminalServerDouble> {
  const deposits = new Map<string, KioskDeposit>();
  const heartbeats: HeartbeatRequest[] = [];
  const shoppers = new Map<string, DoubleShopper>();
  let registeredKey = publicKey;
  let tokenUsed = false;
  const nonces = new Set<string>();
  let faults: { count: number; how: 'http500' | 'loseAnswerAfterCommit' | 'refuse'; code: ErrorCode } = {
    count: 0,
    how: 'http500',
    code: 'INTERNAL',
  };
  const state = { requests: 0, disabled: false };

  const server = createServer((request, response) => {
    void (async () => {
      state.requests += 1;
      const body = await readBody(request);
      const send = (status: number, value: unknown): void => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      const refuse = (code: ErrorCode): void =>
        send(new CodedError(code).status, new CodedError(code).toBody());
      if (request.url === terminalApiPaths.enroll) {
        const enroll = EnrollRequestSchema.safeParse(JSON.parse(body));
        if (!enroll.success) return refuse('VALIDATION_FAILED');
        if (tokenUsed || enroll.data.token !== enrollmentToken) return refuse('ENROLLMENT_TOKEN_INVALID');
        tokenUsed = true;
        registeredKey = enroll.data.publicKey;
        return send(200, { terminalId, storeId: 'store-1', currency: 'USD', serverTimeMs: Date.now() });
      }
      const terminalKey = registeredKey;
      if (terminalKey === null) return refuse('TERMINAL_UNKNOWN');
      const headers = readSignatureHeaders(request.headers);
      if (!headers.ok || headers.parts.terminalId !== terminalId) return refuse('SIGNATURE_INVALID');
      const digest = contentDigestHeader(createHash('sha256').update(body).digest('base64'));
      if (digest !== headers.parts.contentDigest) return refuse('SIGNATURE_INVALID');
      const base = signatureBase({ method: request.method ?? '', path: request.url ?? '', ...headers.parts });
      const signed = verifyWithRawPublicKey(
        terminalKey,
        new TextEncoder().encode(base),
        Buffer.from(headers.signature, 'base64url'),
      );
      if (!signed) return refuse('SIGNATURE_INVALID');
      if (nonces.has(headers.parts.nonce)) return refuse('NONCE_REPLAYED');
      nonces.add(headers.parts.nonce);
      // A misbehaving server fails every signed request, as a real outage would.
      const fault = faults.count > 0 ? faults : undefined;
      if (fault) faults = { ...faults, count: faults.count - 1 };
      if (fault?.how === 'http500') return send(500, { error: 'boom' });
      if (fault?.how === 'refuse') return refuse(fault.code);
      if (request.url === terminalApiPaths.heartbeat) {
        const beat = HeartbeatRequestSchema.safeParse(JSON.parse(body));
        if (!beat.success) return refuse('VALIDATION_FAILED');
        heartbeats.push(beat.data);
        return send(200, { serverTimeMs: Date.now(), disabled: state.disabled });
      }
      if (request.url === terminalApiPaths.lookup) {
        const lookup = LookupRequestSchema.safeParse(JSON.parse(body));
        if (!lookup.success) return refuse('CODE_MALFORMED');
        const shopper = shoppers.get(lookup.data.code);
        if (!shopper) return refuse('CODE_UNKNOWN');
        return send(200, { ...shopper, currency: 'USD', slipAmountMinor: null });
      }
      if (request.url !== terminalApiPaths.sync) return refuse('NOT_FOUND');

      const parsed = SyncRequestSchema.safeParse(JSON.parse(body));
      if (!parsed.success) return refuse('VALIDATION_FAILED');
      const results: SyncResult[] = parsed.data.deposits.map((deposit) => {
        const stored = deposits.get(deposit.depositId);
        if (!stored) {
          deposits.set(deposit.depositId, deposit);
          return { depositId: deposit.depositId, status: 'created', creditedTo: 'wallet', inReview: false };
        }
        if (JSON.stringify(stored) === JSON.stringify(deposit))
          return { depositId: deposit.depositId, status: 'exists' };
        return { depositId: deposit.depositId, status: 'conflict', stored: { ...stored } };
      });
      // The batch is committed above; losing the answer now is the fault a retry must survive.
      if (fault?.how === 'loseAnswerAfterCommit') return response.destroy();
      send(200, { results, serverTimeMs: Date.now() });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    deposits,
    heartbeats,
    shoppers,
    get disabled() {
      return state.disabled;
    },
    set disabled(value: boolean) {
      state.disabled = value;
    },
    get requests() {
      return state.requests;
    },
    misbehave(count, how, code = 'INTERNAL') {
      faults = { count, how, code };
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
