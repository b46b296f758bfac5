import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Alert, Clock, Code, TerminalSummary } from '@cashin/shared';
import {
  AlertListSchema,
  KioskDepositSchema,
  TerminalListSchema,
  TerminalSummarySchema,
  createUuidV7Generator,
  opsApiPaths,
} from '@cashin/shared';
import type { Db } from '@cashin/server';
import { buildApp, loadConfig, openDb } from '@cashin/server';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { z } from 'zod';
import type { ChaosBackend } from './chaos-backend.js';

/**
 * The real server for a chaos run or a kiosk test, in process: `buildApp` on a temporary SQLite file with
 * the caller's clock (so the kiosk's signature timestamps sit inside the server's skew window whatever the
 * run does to time), reached through a `fetch` that goes over `app.inject`. No sockets and no wall clock,
 * so a run stays decided by its seed. The benches and the agent's end-to-end test start it on the real
 * clock with `listen`, so requests cross a real loopback socket; `limits` lays server limits over the
 * defaults. This module is the only way the server enters the kiosk's import graph, and only for chaos
 * runs, tests and benches: production code in terminal-app never imports it.
 */
const opsToken = 'chaos-ops-token-0123456789abcdef';
// https, as every kiosk must use off loopback (the requests never leave the process, so no certificate).
const baseUrl = 'https://chaos-server.invalid';

/** The real server backend, plus what a shopper can do on their own phone. */
export interface ServerChaosBackend extends ChaosBackend {
  /** A newly signed-up, signed-in shopper redeems an offline receipt's QR; resolves with the HTTP status. */
  redeemReceipt(receiptQr: string): Promise<number>;
  /** What the ledger moved into suspense for one transfer id (a deposit id), net of anything moved out. */
  suspenseHeldMinor(transferId: string): Promise<number>;
  /** The store every terminal of this backend belongs to. */
  readonly storeId: string;
  /** Ops creates a terminal: its id and the one-time token that enrolls it. */
  newTerminal(): Promise<{ terminalId: string; token: string }>;
  /** Ops rotates a terminal's key (a replaced kiosk): the one-time token that enrolls its new device. */
  rotateTerminalKey(terminalId: string): Promise<string>;
  /** Signs a shopper up under `name` (so the masked name a kiosk is shown is known) and returns their code. */
  signUpShopper(name: string): Promise<Code>;
  /** What the server stored for each deposit this kiosk synced, as the kiosk sent it, in sequence order. */
  kioskDeposits(terminalId: string): Promise<ServerKioskDeposit[]>;
  /** Ops disables or enables a terminal through the ops API; resolves with the terminal's summary. */
  setTerminalEnabled(terminalId: string, enabled: boolean): Promise<TerminalSummary>;
  /** Ops ask the kiosk, from the console, to send its set-aside deposits again (heard on its next heartbeat). */
  askSetAsideRetry(terminalId: string): Promise<TerminalSummary>;
  /** The ops console's view of one terminal (its last heartbeat, status, outbox and bag), from the ops API. */
  terminalSummary(terminalId: string): Promise<TerminalSummary>;
  /** What the ops console's alerts list holds open for one terminal, from the ops API. */
  openAlerts(terminalId: string): Promise<Alert[]>;
  /**
   * Makes the server's storage fail as a broken disk would (a table the sync needs is unreachable), so every
   * sync batch gets past the signature check and then answers 500; resolves with the function that mends it
   * (once, however often it is called).
   */
  breakStorage(): Promise<() => Promise<void>>;
}

/**
 * The fields of a synced kiosk deposit as the server keeps them: as the kiosk sent them, but a voucher's
 * claim code only as its hash (`sha256:` and hex), never the bearer code itself.
 */
const StoredKioskDepositSchema = KioskDepositSchema.safeExtend({
  claimCode: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .nullable(),
});

/** A kiosk deposit as the server holds it: the fields the kiosk synced and where the money went. */
export interface ServerKioskDeposit {
  readonly deposit: z.infer<typeof StoredKioskDepositSchema>;
  readonly creditedTo: string;
  readonly inReview: boolean;
  readonly reviewFlags: string | null;
}

export async function serverBackend(
  clock: Clock,
  options: { listen?: boolean; limits?: unknown; env?: Record<string, string> } = {},
): Promise<ServerChaosBackend> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaos-server-'));
  const limitsFile = path.join(dir, 'limits.json');
  if (options.limits !== undefined) writeFileSync(limitsFile, JSON.stringify(options.limits));
  const config = loadConfig({
    NODE_ENV: 'test',
    OPS_TOKEN: opsToken,
    LOG_LEVEL: 'silent',
    DATABASE_PATH: path.join(dir, 'server.sqlite'),
    // Every request comes from one address through inject; the run is not a flood.
    HTTP_REQUESTS_PER_MINUTE: '100000000',
    ...(options.limits === undefined ? {} : { LIMITS_FILE: limitsFile }),
    ...options.env,
  });
  const db: Db = await openDb(config.storage);
  // One-time codes go here instead of to a phone, so a test shopper can sign in.
  const sent: Array<{ to: string; text: string }> = [];
  const app = await buildApp(config, {
    db,
    clock,
    messageSender: {
      send: (message) => {
        sent.push(message);
        return Promise.resolve();
      },
    },
    newId: createUuidV7Generator(() => clock.nowMs()),
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  const listening = options.listen === true ? await app.listen({ host: '127.0.0.1', port: 0 }) : null;
  const ops = { authorization: `Bearer ${opsToken}` };

  const store = await app.inject({
    method: 'POST',
    url: '/v1/ops/stores',
    headers: ops,
    payload: { name: 'Chaos Store', currency: 'USD', timeZone: 'UTC' },
  });
  if (store.statusCode !== 201) throw new Error(`chaos store: ${store.body}`);
  const storeId = store.json<{ id: string }>().id;

  let phones = 0;
  /**
   * Signs a shopper up as the wallet app does: the sign-up texts a code and answers a token, and
   * verifying the code with the token opens the wallet.
   * Each from its own client address, as shoppers' phones are, since the server bounds texts per address.
   */
  const signUp = async (name?: string): Promise<{ phone: string; depositCode: Code; token: string }> => {
    phones += 1;
    const phone = `+1555${String(phones).padStart(7, '0')}`;
    const remoteAddress = `10.${(phones >> 16) & 255}.${(phones >> 8) & 255}.${phones & 255}`;
    const answer = await app.inject({
      method: 'POST',
      url: '/v1/shoppers',
      remoteAddress,
      payload: { phone, name: name ?? `Chaos Shopper ${phones}`, language: 'en', currency: 'USD' },
    });
    if (answer.statusCode !== 202) throw new Error(`chaos sign-up: ${answer.body}`);
    const { signUpToken } = answer.json<{ signUpToken: string }>();
    const otp = /(\d{6})/.exec(sent.findLast((message) => message.to === phone)?.text ?? '')?.[1];
    const session = await app.inject({
      method: 'POST',
      url: '/v1/auth/sessions',
      remoteAddress,
      payload: { phone, otp, signUpToken },
    });
    if (session.statusCode !== 201) throw new Error(`chaos sign-in: ${session.body}`);
    const token = session.json<{ token: string }>().token;
    const code = await app.inject({
      method: 'GET',
      url: '/v1/me/deposit-code',
      headers: { authorization: `Bearer ${token}` },
    });
    if (code.statusCode !== 200) throw new Error(`chaos deposit code: ${code.body}`);
    return { phone, depositCode: code.json<{ code: Code }>().code, token };
  };
  const newTerminal = async (): Promise<{ terminalId: string; token: string }> => {
    const terminal = await app.inject({
      method: 'POST',
      url: '/v1/ops/terminals',
      headers: ops,
      payload: { storeId, name: 'Chaos kiosk' },
    });
    if (terminal.statusCode !== 201) throw new Error(`chaos terminal: ${terminal.body}`);
    const { terminalId, token } = terminal.json<{ terminalId: string; token: string }>();
    return { terminalId, token };
  };
  return {
    name: listening === null ? 'real server (in process, app.inject)' : 'real server (in process, loopback)',
    baseUrl: listening ?? baseUrl,
    fetch: listening === null ? injectFetch(app) : (input, init) => fetch(input, init),
    storeId,
    newTerminal,
    async rotateTerminalKey(terminalId) {
      const rotation = await app.inject({
        method: 'POST',
        url: opsApiPaths.terminalKeyRotation(terminalId),
        headers: ops,
        payload: { oldDevice: 'replaced' },
      });
      if (rotation.statusCode !== 201) throw new Error(`chaos key rotation: ${rotation.body}`);
      return rotation.json<{ token: string }>().token;
    },
    async enrollmentToken() {
      return (await newTerminal()).token;
    },
    async newShopperCode() {
      return (await signUp()).depositCode;
    },
    async signUpShopper(name) {
      return (await signUp(name)).depositCode;
    },
    async kioskDeposits(terminalId) {
      const rows = await db.transaction((tx) =>
        tx.all<{
          fields_json: string | null;
          credited_to: string;
          in_review: number;
          review_flags: string | null;
        }>(
          `SELECT fields_json, credited_to, in_review, review_flags FROM kiosk_deposits
           WHERE terminal_id = ? AND source = 'sync' ORDER BY sequence`,
          [terminalId],
        ),
      );
      return rows.map((row) => ({
        // Parsed against the channel's own schema (a voucher's claim code as stored): a row that is not a
        // whole kiosk deposit fails here.
        deposit: StoredKioskDepositSchema.parse(JSON.parse(row.fields_json ?? 'null')),
        creditedTo: row.credited_to,
        inReview: row.in_review === 1,
        reviewFlags: row.review_flags,
      }));
    },
    async setTerminalEnabled(terminalId, enabled) {
      const answer = await app.inject({
        method: 'POST',
        url: `/v1/ops/terminals/${encodeURIComponent(terminalId)}/${enabled ? 'enable' : 'disable'}`,
        headers: ops,
      });
      if (answer.statusCode !== 200) throw new Error(`chaos terminal enabled: ${answer.body}`);
      return answer.json<TerminalSummary>();
    },
    async askSetAsideRetry(terminalId) {
      const answer = await app.inject({
        method: 'POST',
        url: opsApiPaths.terminalSetAsideRetries(terminalId),
        headers: ops,
      });
      if (answer.statusCode !== 202) throw new Error(`chaos set-aside retry: ${answer.body}`);
      return TerminalSummarySchema.parse(answer.json());
    },
    async terminalSummary(terminalId) {
      const answer = await app.inject({ method: 'GET', url: '/v1/ops/terminals', headers: ops });
      if (answer.statusCode !== 200) throw new Error(`chaos terminal list: ${answer.body}`);
      const found = TerminalListSchema.parse(answer.json()).terminals.find((t) => t.id === terminalId);
      if (found === undefined) throw new Error(`chaos terminal ${terminalId} is not in the ops list`);
      return found;
    },
    async openAlerts(terminalId) {
      const answer = await app.inject({ method: 'GET', url: '/v1/ops/alerts', headers: ops });
      if (answer.statusCode !== 200) throw new Error(`chaos alert list: ${answer.body}`);
      return AlertListSchema.parse(answer.json()).alerts.filter(
        (alert) => alert.terminalId === terminalId && alert.resolvedAtMs === null,
      );
    },
    async redeemReceipt(receiptQr) {
      const { token } = await signUp();
      const redeemed = await app.inject({
        method: 'POST',
        url: '/v1/me/receipts',
        headers: { authorization: `Bearer ${token}` },
        payload: { receipt: receiptQr },
      });
      return redeemed.statusCode;
    },
    async creditedByDeposit(terminalId) {
      // What the ledger moved for each of this kiosk's deposits: a transfer's id is the kiosk's deposit
      // id (chosen by the kiosk), so a deposit credited twice would show as a second kiosk_deposits row
      // or a second transfer, and both are summed here rather than collapsed.
      const rows = await db.transaction((tx) =>
        tx.all<{ deposit_id: string; credited_minor: number | bigint }>(
          `SELECT k.deposit_id AS deposit_id, COALESCE(SUM(t.amount_minor), 0) AS credited_minor
           FROM kiosk_deposits k LEFT JOIN transfers t ON t.id = k.deposit_id
           WHERE k.terminal_id = ? GROUP BY k.deposit_id`,
          [terminalId],
        ),
      );
      return new Map(rows.map((row) => [row.deposit_id, Number(row.credited_minor)]));
    },
    async suspenseHeldMinor(transferId) {
      const row = await db.transaction((tx) =>
        tx.get<{ held_minor: number | bigint }>(
          `SELECT COALESCE(SUM(CASE WHEN c.kind = 'suspense' THEN t.amount_minor ELSE 0 END), 0)
                - COALESCE(SUM(CASE WHEN d.kind = 'suspense' THEN t.amount_minor ELSE 0 END), 0) AS held_minor
           FROM transfers t JOIN accounts c ON c.id = t.credit_account_id
           JOIN accounts d ON d.id = t.debit_account_id
           WHERE t.id = ?`,
          [transferId],
        ),
      );
      return Number(row?.held_minor ?? 0);
    },
    async bagDebitedMinor(terminalId) {
      const row = await db.transaction((tx) =>
        tx.get<{ moved_minor: number | bigint }>(
          `SELECT COALESCE(SUM(t.amount_minor), 0) AS moved_minor
           FROM transfers t JOIN accounts a ON a.id = t.debit_account_id
           WHERE a.kind = 'kioskBag' AND a.owner_ref = ?`,
          [terminalId],
        ),
      );
      return Number(row?.moved_minor ?? 0);
    },
    async breakStorage() {
      const rename = (from: string, to: string) =>
        db.transaction((tx) => tx.run(`ALTER TABLE ${from} RENAME TO ${to}`));
      await rename('kiosk_deposits', 'kiosk_deposits_unreachable');
      let mended: Promise<void> | undefined;
      return () => (mended ??= rename('kiosk_deposits_unreachable', 'kiosk_deposits').then(() => undefined));
    },
    async close() {
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `fetch` that hands each request to `app.inject`: the whole HTTP stack runs, no socket is opened. */
function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => (headers[name] = value));
    const answer = await app.inject({
      method: request.method as 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
      url: url.pathname + url.search,
      headers,
      ...(body === undefined ? {} : { payload: body }),
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, String(one));
    }
    const empty = answer.statusCode === 204 || answer.statusCode === 304;
    return new Response(empty ? null : answer.rawPayload, {
      status: answer.statusCode,
      headers: responseHeaders,
    });
  };
}
