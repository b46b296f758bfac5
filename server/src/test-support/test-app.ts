import type { Code, LimitsOverride } from '@cashin/shared';
import { FakeClock, createUuidV7Generator } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { pino } from 'pino';
import { buildApp, createLogger } from '../app.js';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import type { Db } from '../storage/db.js';
import type { AdapterName, TestDb } from './test-db.js';
import { openTestDb } from './test-db.js';
import type { MessageSender, OutgoingMessage } from '../shoppers/message-sender.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const testOpsToken = 'test-ops-token-0123456789abcdef';

/** Keeps what was sent so a test can read a one-time code, as a shopper reads an SMS. */
export class CapturingSender implements MessageSender {
  readonly sent: OutgoingMessage[] = [];

  send(message: OutgoingMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }

  lastOtpFor(phone: string): string {
    const message = this.sent.findLast((m) => m.to === phone);
    const otp = message === undefined ? undefined : /(\d{6})/.exec(message.text)?.[1];
    if (otp === undefined) throw new Error(`no one-time code was sent to ${phone}`);
    return otp;
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly db: Db;
  readonly clock: FakeClock;
  readonly sender: CapturingSender;
  readonly config: Config;
  close(): Promise<void>;
}

/** A test app that can also open another connection to its database, as a second server process would. */
export interface SharedDbTestApp extends TestApp {
  openAnotherDb(): Promise<Db>;
}

export function testConfig(limits?: LimitsOverride, extraEnv: Record<string, string> = {}): Config {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    OPS_TOKEN: testOpsToken,
    LOG_LEVEL: 'silent',
    ...extraEnv,
  };
  if (limits !== undefined) {
    const file = join(mkdtempSync(join(tmpdir(), 'cashin-limits-')), 'limits.json');
    writeFileSync(file, JSON.stringify(limits));
    env['LIMITS_FILE'] = file;
  }
  return loadConfig(env);
}

export async function openTestApp(
  adapter: AdapterName,
  options: {
    limits?: LimitsOverride;
    env?: Record<string, string>;
    /** Where the server's own logger (redaction included) writes, at trace level; else a silent logger. */
    logDestination?: DestinationStream;
    /** 'configured' sends messages as the env configures (an SMS provider); by default they are captured. */
    messages?: 'captured' | 'configured';
  } = {},
): Promise<SharedDbTestApp> {
  const testDb: TestDb = await openTestDb(adapter);
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 12));
  const sender = new CapturingSender();
  const config = testConfig(options.limits, options.env);
  const app = await buildApp(config, {
    db: testDb.db,
    clock,
    newId: createUuidV7Generator(() => clock.nowMs()),
    ...(options.messages === 'configured' ? {} : { messageSender: sender }),
    logger:
      options.logDestination === undefined
        ? pino({ level: process.env['TEST_LOG'] ?? 'silent' })
        : createLogger({ logLevel: 'trace' }, options.logDestination),
  });
  await app.ready();
  return {
    app,
    db: testDb.db,
    clock,
    sender,
    config,
    openAnotherDb: () => testDb.openAnother(),
    async close() {
      await app.close();
      await testDb.dispose();
    },
  };
}

export const opsHeaders = { authorization: `Bearer ${testOpsToken}` };

export interface SignedUpShopper {
  readonly shopperId: string;
  readonly phone: string;
  readonly depositCode: Code;
  readonly token: string;
  readonly headers: { authorization: string };
}

let phoneCounter = 0;

/** A unique E.164 number per call, so tests never collide on the phone's UNIQUE key. */
export function nextPhone(): string {
  phoneCounter += 1;
  return `+1555${String(process.pid % 1000).padStart(3, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** The catalogue code of an answer's error, or undefined for an answer without one. */
export function errorCodeOf(response: { json: <T>() => T }): string | undefined {
  return response.json<{ error?: { code: string } }>().error?.code;
}

/**
 * A client IP address per sign-up, as if each shopper signed up from their own phone: the server bounds
 * code messages and guesses per client address, and a test may sign up many shoppers.
 */
export function clientAddressFor(phone: string): string {
  const digits = phone.replace(/\D/g, '').slice(-6).padStart(6, '0');
  return `10.${Number(digits.slice(0, 2))}.${Number(digits.slice(2, 4))}.${Number(digits.slice(4, 6))}`;
}

/**
 * Signs a shopper up and in over HTTP, as the wallet app does: the sign-up texts a code and answers a
 * sign-up token, and verifying the code (read from the captured message) with the token opens the wallet
 * and signs in.
 */
export async function signUpAndIn(
  t: TestApp,
  input: { currency?: string; name?: string; phone?: string } = {},
): Promise<SignedUpShopper> {
  const phone = input.phone ?? nextPhone();
  const remoteAddress = clientAddressFor(phone);
  const signUp = await t.app.inject({
    method: 'POST',
    url: '/v1/shoppers',
    remoteAddress,
    payload: {
      phone,
      name: input.name ?? 'Maria Gonzalez',
      language: 'es',
      currency: input.currency ?? 'USD',
    },
  });
  if (signUp.statusCode !== 202) throw new Error(`sign-up failed: ${signUp.body}`);
  const { signUpToken } = signUp.json<{ signUpToken: string }>();
  const session = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/sessions',
    remoteAddress,
    payload: { phone, otp: t.sender.lastOtpFor(phone), signUpToken },
  });
  if (session.statusCode !== 201) throw new Error(`sign-in failed: ${session.body}`);
  const token = session.json<{ token: string }>().token;
  const headers = { authorization: `Bearer ${token}` };
  const wallet = await t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers });
  if (wallet.statusCode !== 200) throw new Error(`wallet failed: ${wallet.body}`);
  const code = await t.app.inject({ method: 'GET', url: '/v1/me/deposit-code', headers });
  if (code.statusCode !== 200) throw new Error(`deposit code failed: ${code.body}`);
  return {
    shopperId: wallet.json<{ shopper: { id: string } }>().shopper.id,
    phone,
    depositCode: code.json<{ code: Code }>().code,
    token,
    headers,
  };
}

export async function openCashAccount(t: TestApp, currency = 'USD', ownerRef = 'store-1'): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/v1/ops/cash-accounts',
    headers: opsHeaders,
    payload: { kind: 'storeDrawer', ownerRef, currency },
  });
  if (response.statusCode !== 200) throw new Error(`cash account failed: ${response.body}`);
  return response.json<{ accountId: string }>().accountId;
}

/**
 * The audit chains holding `deposit.suspense` entries for a deposit, beside the id of the claim that holds
 * its money: a deposit into suspense is recorded on its claim's own chain.
 */
export async function suspenseAuditChains(
  db: Db,
  depositId: string,
): Promise<{ chains: string[]; claimId: string | undefined }> {
  return db.transaction(async (tx) => {
    const entries = await tx.all<{ chain: string; data: string }>(
      "SELECT chain, data FROM audit_log WHERE kind = 'deposit.suspense'",
    );
    const claim = await tx.get<{ id: string }>('SELECT id FROM claims WHERE deposit_transfer_id = ?', [
      depositId,
    ]);
    const chains = entries
      .filter((entry) => (JSON.parse(entry.data) as { depositId?: string }).depositId === depositId)
      .map((entry) => entry.chain);
    return { chains, claimId: claim?.id };
  });
}
