import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { opsHeaders, testConfig } from '../test-support/test-app.js';
import { openTestDb } from '../test-support/test-db.js';
import type { TestDb } from '../test-support/test-db.js';
import { buildWebAppsToTemp } from './build-web.js';
import { buildAppWithWeb } from './web-server.js';

/**
 * For the Chromium tests: the real server (buildApp on a fresh SQLite file, real clock, the default message
 * sender that writes to the development inbox) with the web apps freshly built by Vite, on 127.0.0.1:0.
 */
export interface WebTestServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly webDir: string;
  /** The newest one-time code the development inbox holds for a phone, as a shopper reads an SMS. */
  otpFor(phone: string): Promise<string>;
  /** Calls the server as ops (the bearer token of the test config). */
  ops<T>(method: 'GET' | 'POST', url: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
  close(): Promise<void>;
}

const InboxSchema = z.object({
  messages: z.array(z.object({ to: z.string(), text: z.string(), createdAtMs: z.number() })),
});

export async function startWebTestServer(): Promise<WebTestServer> {
  const webDir = await buildWebAppsToTemp();
  const testDb: TestDb = await openTestDb('sqlite');
  const app = await buildAppWithWeb(
    testConfig(),
    { db: testDb.db, logger: pino({ level: process.env['TEST_LOG'] ?? 'silent' }) },
    { distDir: webDir },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    webDir,
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
    async close() {
      await app.close();
      await testDb.dispose();
      rmSync(webDir, { recursive: true, force: true });
    },
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
