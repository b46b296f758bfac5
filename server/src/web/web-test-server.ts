import type { Clock, CurrencyCode, LimitsOverride, TimerHandle } from '@cashin/shared';
import {
  ClerkSchema,
  ClerkSessionSchema,
  EnrollResponseSchema,
  EnrollmentTokenSchema,
  FakeClock,
  OpsStoreSchema,
  createUuidV7Generator,
  opsApiPaths,
  realClock,
  terminalApiPaths,
  tillApiPaths,
} from '@cashin/shared';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sweepTerminals } from '../alerts/terminal-sweep.js';
import type { Deps } from '../deps.js';
import type { Db } from '../storage/db.js';
import type { MessageSender, OutgoingMessage } from '../shoppers/message-sender.js';
import { DevInboxSender } from '../shoppers/message-sender.js';
import type { TestKiosk } from '../test-kit/terminal-kit.js';
import { newKeyPair } from '../test-kit/terminal-kit.js';
import type { TestApp } from '../test-support/test-app.js';
import { CapturingSender, opsHeaders, testConfig } from '../test-support/test-app.js';
import { openTestDb } from '../test-support/test-db.js';
import type { TestDb } from '../test-support/test-db.js';
import { buildWebAppsToTemp } from './build-web.js';
import type { WebApp } from './vite.config.js';
import { webApps } from './vite.config.js';
import { buildAppWithWeb } from './web-server.js';

/**
 * For the Chromium tests: the real server (buildApp on a fresh SQLite file, the sender that writes to the
 * development inbox) with the web apps freshly built by Vite, on 127.0.0.1:0. The clock is the real one
 * unless the test injects a FakeClock, which it then moves (a terminal going silent) without waiting.
 */
export interface WebTestServerOptions {
  /** Built and served; the others answer 503. Fewer apps build faster. */
  readonly apps?: readonly WebApp[];
  /** Written to a limits file, as an operator would (a low daily limit, a small till maximum). */
  readonly limits?: LimitsOverride;
  /** A FakeClock (time stands still until moved) or a SkippableClock (real time that can jump ahead). */
  readonly clock?: FakeClock | SkippableClock;
  /** More of the server's configuration, as its environment would set it (SERVER_TRUSTED_KEYS, say). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Real time that a test can move ahead in one jump (an authorization outliving its time to live), for
 * browser tests where the apps' own timers and polling need time to pass on its own. Timers run on real
 * time; a skip does not fire them early.
 */
export class SkippableClock implements Clock {
  private readonly real = realClock();
  private skippedMs = 0;

  nowMs(): number {
    return this.real.nowMs() + this.skippedMs;
  }

  skip(deltaMs: number): void {
    if (deltaMs < 0) throw new RangeError('time does not go backwards');
    this.skippedMs += deltaMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    return this.real.setTimeout(callback, delayMs);
  }

  clearTimeout(handle: TimerHandle): void {
    this.real.clearTimeout(handle);
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return this.real.sleep(delayMs, signal);
  }
}

export interface WebTestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly webDir: string;
  /** The server's database, for a test that must set up what no route can (a code revoked long ago). */
  readonly db: Db;
  /** The newest one-time code the development inbox holds for a phone, as a shopper reads an SMS. */
  otpFor(phone: string): Promise<string>;
  /** Calls the server as ops (the bearer token of the test config). */
  ops<T>(method: 'GET' | 'POST', url: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
  /** The same server as the test-kit helpers take it; only when a FakeClock was injected. */
  kit(): TestApp;
  /** Runs the silent-terminal sweep now, as the server's own timer does every 30 s. */
  sweepTerminals(): Promise<{ raised: number; noncesPruned: number; sessionsPruned: number }>;
  close(): Promise<void>;
}

const InboxSchema = z.object({
  messages: z.array(z.object({ to: z.string(), text: z.string(), createdAtMs: z.number() })),
});

/**
 * The server's own development-inbox sender, with a copy of each message kept for the test-kit helpers
 * (signUpAndIn reads codes from TestApp.sender). The browser still reads its codes from the inbox.
 */
class InboxAndCapturingSender extends CapturingSender {
  constructor(private readonly inbox: MessageSender) {
    super();
  }

  override async send(message: OutgoingMessage): Promise<void> {
    await super.send(message);
    await this.inbox.send(message);
  }
}

export async function startWebTestServer(options: WebTestServerOptions = {}): Promise<WebTestServer> {
  const webDir = await buildWebAppsToTemp(options.apps ?? webApps);
  const testDb: TestDb = await openTestDb('sqlite');
  const config = testConfig(options.limits, { ...options.env });
  const clock = options.clock ?? realClock();
  const newId = createUuidV7Generator(() => clock.nowMs());
  const logger = pino({ level: process.env['TEST_LOG'] ?? 'silent' });
  const sender = new InboxAndCapturingSender(
    new DevInboxSender(testDb.db, newId, () => clock.nowMs(), logger),
  );
  const app = await buildAppWithWeb(
    config,
    { db: testDb.db, clock, newId, messageSender: sender, logger },
    { distDir: webDir },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const close = async (): Promise<void> => {
    await app.close();
    await testDb.dispose();
    rmSync(webDir, { recursive: true, force: true });
  };
  // What the server's services see; the sweep takes it as the server's timer passes it.
  const deps: Deps = {
    db: testDb.db,
    clock,
    limits: config.limits,
    newId,
    messageSender: sender,
    claimCodeSecret: config.claimCodeSecret,
    logger,
  };
  return {
    url,
    app,
    webDir,
    db: testDb.db,
    async otpFor(phone) {
      const response = await fetch(`${url}/dev/inbox.json`);
      const inbox = InboxSchema.parse(await response.json());
      const message = inbox.messages.find((m) => m.to === phone);
      const otp = message === undefined ? undefined : /(\d{6})/.exec(message.text)?.[1];
      if (otp === undefined) throw new Error(`the development inbox holds no code for ${phone}`);
      return otp;
    },
    async ops(method, path, body, schema) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: { ...opsHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const json: unknown = await response.json();
      if (!response.ok)
        throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
      return schema.parse(json);
    },
    kit() {
      if (!(options.clock instanceof FakeClock))
        throw new Error('the test-kit helpers need an injected FakeClock');
      return { app, db: testDb.db, clock: options.clock, sender, config, close };
    },
    sweepTerminals: () => sweepTerminals(deps),
    close,
  };
}

/** An independent decoder (Debian zbar-tools), so nothing trusts bwip-js or Chromium to read its own output. */
export function decodeBarcode(png: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cashin-web-barcode-'));
  try {
    const file = path.join(dir, 'shot.png');
    writeFileSync(file, png);
    // zbarimg chatters about D-Bus on stderr in containers; only stdout carries the decoded text.
    return execFileSync('/usr/bin/zbarimg', ['--raw', '-q', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A kiosk ops created in the store, enrolled with its own key, as the agent does; with the server keys
 * its enrollment answer told it to believe.
 */
export async function enrollKioskOverOps(
  server: WebTestServer,
  storeId: string,
  name: string,
): Promise<TestKiosk & { serverKeys: string[] }> {
  const created = await server.ops('POST', opsApiPaths.terminals, { storeId, name }, EnrollmentTokenSchema);
  const keys = newKeyPair();
  const enrolled = await server.kit().app.inject({
    method: 'POST',
    url: terminalApiPaths.enroll,
    payload: { token: created.token, publicKey: keys.publicKey, softwareVersion: '2.3.1' },
  });
  if (enrolled.statusCode !== 200) throw new Error(`enrollment failed: ${enrolled.body}`);
  const { serverPublicKey, serverKeys } = EnrollResponseSchema.parse(enrolled.json());
  return { terminalId: created.terminalId, storeId, ...keys, sequence: 0, serverPublicKey, serverKeys };
}

/**
 * A clerk of a new store in `currency`, made by ops and signed in through the till's own route: the
 * session the till keeps, whose token the till's calls carry.
 */
export async function signInClerkOverOps(
  server: WebTestServer,
  currency: CurrencyCode = 'USD',
): Promise<z.output<typeof ClerkSessionSchema>> {
  const pin = '482916';
  const store = await server.ops(
    'POST',
    opsApiPaths.stores,
    { name: `Corner Shop ${currency}`, currency, timeZone: 'America/Mexico_City' },
    OpsStoreSchema,
  );
  const clerk = await server.ops(
    'POST',
    opsApiPaths.clerks(store.id),
    { name: 'Carla Mendez', pin },
    ClerkSchema,
  );
  const response = await fetch(`${server.url}${tillApiPaths.session}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ storeId: store.id, clerkId: clerk.id, pin }),
  });
  if (response.status !== 201) throw new Error(`clerk sign-in failed: ${await response.text()}`);
  return ClerkSessionSchema.parse(await response.json());
}
