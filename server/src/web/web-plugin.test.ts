import path from 'node:path';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../test-support/test-app.js';
import type { TestDb } from '../test-support/test-db.js';
import { openTestDb } from '../test-support/test-db.js';
import { buildWebAppsToTemp } from './build-web.js';
import { webApps } from './vite.config.js';
import { webContentSecurityPolicy } from './web-plugin.js';
import { buildAppWithWeb } from './web-server.js';

// The serving plugin on the real app, over inject: paths, fallback, caching, compression and headers.
let app: FastifyInstance;
let testDb: TestDb;
let assetPath: string;
let webDir: string;

beforeAll(async () => {
  webDir = await buildWebAppsToTemp();
  testDb = await openTestDb('sqlite');
  app = await buildAppWithWeb(
    testConfig(),
    { db: testDb.db, logger: pino({ level: 'silent' }) },
    { distDir: webDir },
  );
  await app.ready();
  const index = await app.inject({ method: 'GET', url: '/wallet/' });
  const script = /src="(\/wallet\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
  if (script === undefined) throw new Error('the wallet index names no script');
  assetPath = script;
}, 120_000);

afterAll(async () => {
  await app?.close();
  await testDb?.dispose();
  if (webDir) rmSync(webDir, { recursive: true, force: true });
});

describe('serving the web apps', () => {
  it.each(webApps)(
    'serves /%s/ with a strict CSP that overrides the API default, and revalidates it',
    async (name) => {
      const response = await app.inject({ method: 'GET', url: `/${name}/` });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['content-security-policy']).toBe(webContentSecurityPolicy);
      // Only the wallet may open the camera (a receipt's QR code), and only the page itself.
      expect(response.headers['permissions-policy']).toBe(
        `camera=${name === 'wallet' ? '(self)' : '()'}, microphone=(), geolocation=(), payment=(), usb=()`,
      );
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body).toContain(`src="/${name}/assets/`);
      // No inline script anywhere: the CSP allows none.
      expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    },
  );

  it('redirects the bare app path to its folder', async () => {
    const response = await app.inject({ method: 'GET', url: '/wallet' });
    expect(response.statusCode).toBe(301);
    expect(response.headers['location']).toBe('/wallet/');
  });

  it('answers any app route with index.html (SPA fallback), but a missing asset with a coded 404', async () => {
    const route = await app.inject({ method: 'GET', url: '/wallet/code' });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('<div id="app">');
    const missing = await app.inject({ method: 'GET', url: '/wallet/assets/missing-abc123.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
  });

  it('serves hashed assets as immutable, gzipped when asked, and 304 on a matching ETag', async () => {
    const plain = await app.inject({ method: 'GET', url: assetPath });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const gzipped = await app.inject({
      method: 'GET',
      url: assetPath,
      headers: { 'accept-encoding': 'gzip, br' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.rawPayload.length).toBeLessThan(plain.rawPayload.length);
    const etag = String(plain.headers['etag']);
    const again = await app.inject({ method: 'GET', url: assetPath, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
  });

  it('answers 503 with a catalogue code, and keeps the API up, when the apps were never built', async () => {
    const unbuiltDb = await openTestDb('sqlite');
    const unbuilt = await buildAppWithWeb(
      testConfig(),
      { db: unbuiltDb.db, logger: pino({ level: 'silent' }) },
      { distDir: path.join(webDir, 'not-built') },
    );
    try {
      const page = await unbuilt.inject({ method: 'GET', url: '/till/' });
      expect(page.statusCode).toBe(503);
      expect(page.json<{ error: { code: string } }>().error.code).toBe('SERVICE_UNAVAILABLE');
      expect((await unbuilt.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await unbuilt.close();
      await unbuiltDb.dispose();
    }
  });

  it('leaves the API as it was', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).not.toBe(webContentSecurityPolicy);
  });
});
