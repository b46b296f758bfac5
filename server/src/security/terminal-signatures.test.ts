import { createUuidV7Generator, terminalApiPaths, terminalHeaders } from '@cashin/shared';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { kioskDeposit, newKeyPair, signedHeaders } from '../test-kit/terminal-kit.js';
import type { SignOverrides } from '../test-kit/terminal-kit.js';
import { testAdapters } from '../test-support/test-db.js';
import type { RouteSchema, World } from './security-kit.js';
import { openWorld, routeSchemas, seedBody } from './security-kit.js';

/**
 * Every route a terminal may call, found from the registered routes, is tried with forged, tampered,
 * stale, early, replayed and misdirected signatures; each is refused with its code before anything runs,
 * and the genuine request next to it is let in. A replay is refused by a second server process too.
 */
describe.each(testAdapters)('terminal signatures on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];

  beforeAll(async () => {
    world = await openWorld(adapter);
    routes = (await routeSchemas(world.t)).filter((route) => route.roles.includes('terminal'));
  });
  afterAll(async () => {
    await world.t.close();
  });

  /** A body the route accepts: a real deposit for the sync batch, else one built from its schema. */
  function genuineBody(route: RouteSchema): string {
    if (route.url === terminalApiPaths.sync) {
      return JSON.stringify({
        deposits: [
          kioskDeposit(world.kiosk, world.newId, world.t.clock.nowMs(), { code: world.shopper.depositCode }),
        ],
      });
    }
    return JSON.stringify(seedBody(route.body ?? {}, world));
  }

  function post(
    route: RouteSchema,
    body: string,
    overrides: SignOverrides = {},
    extra: Record<string, string> = {},
  ) {
    return world.t.app.inject({
      method: route.method as 'POST',
      url: route.url,
      headers: {
        ...signedHeaders(world.kiosk, world.t.clock.nowMs(), route.url, body, {
          method: route.method,
          ...overrides,
        }),
        ...extra,
      },
      payload: body,
    });
  }

  const codeOf = (response: { statusCode: number; json: <T>() => T }) =>
    response.statusCode < 400 ? 'ok' : response.json<{ error: { code: string } }>().error.code;

  it('finds the terminal routes from the registered routes', () => {
    expect(routes.map((r) => r.url)).toEqual(
      expect.arrayContaining(Object.values(terminalApiPaths).slice(1)),
    );
  });

  it('refuses forged, tampered, stale, early, misdirected and replayed requests on every terminal route', async () => {
    const skewMs = world.t.config.limits.system.signatureSkewMs;
    const nowMs = () => world.t.clock.nowMs();
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const other = routes.find((r) => r.url !== route.url)?.url ?? '/v1/terminal/elsewhere';
      const cases: [string, () => Promise<{ statusCode: number; json: <T>() => T }>, string][] = [
        ['genuine', () => post(route, genuineBody(route)), 'ok'],
        [
          'signed by another key',
          () => post(route, genuineBody(route), { privateKey: newKeyPair().privateKey }),
          'SIGNATURE_INVALID',
        ],
        [
          'body changed after signing',
          () => post(route, genuineBody(route), { signedBody: genuineBody(route) + ' ' }),
          'SIGNATURE_INVALID',
        ],
        [
          'signed for another path',
          () =>
            world.t.app.inject({
              method: 'POST',
              url: route.url,
              headers: signedHeaders(world.kiosk, nowMs(), other, '{}'),
              payload: '{}',
            }),
          'SIGNATURE_INVALID',
        ],
        [
          'signed for another method',
          () => post(route, genuineBody(route), { method: 'PUT' }),
          'SIGNATURE_INVALID',
        ],
        [
          'signed for another terminal',
          () => post(route, genuineBody(route), { terminalId: 'K99999' }),
          'TERMINAL_UNKNOWN',
        ],
        [
          'a timestamp older than the skew',
          () => post(route, genuineBody(route), { timestampMs: nowMs() - skewMs - 1 }),
          'SIGNATURE_STALE',
        ],
        [
          'a timestamp later than the skew',
          () => post(route, genuineBody(route), { timestampMs: nowMs() + skewMs + 1 }),
          'SIGNATURE_STALE',
        ],
        [
          'a timestamp at the edge of the skew',
          () => post(route, genuineBody(route), { timestampMs: nowMs() - skewMs }),
          'ok',
        ],
        [
          'no signature',
          () => post(route, genuineBody(route), {}, { [terminalHeaders.signature]: '' }),
          'SIGNATURE_INVALID',
        ],
        [
          'a signature of junk',
          () => post(route, genuineBody(route), {}, { [terminalHeaders.signature]: 'A'.repeat(86) }),
          'SIGNATURE_INVALID',
        ],
      ];
      for (const [name, request, expected] of cases) {
        const response = await request();
        expect(codeOf(response), `${label}: ${name}: ${response.statusCode}`).toBe(expected);
      }

      // The same signed request sent twice: the second is a replay, whatever the route.
      const body = genuineBody(route);
      const headers = signedHeaders(world.kiosk, nowMs(), route.url, body, { method: route.method });
      const first = await world.t.app.inject({ method: 'POST', url: route.url, headers, payload: body });
      expect(codeOf(first), `${label}: first`).toBe('ok');
      const again = await world.t.app.inject({ method: 'POST', url: route.url, headers, payload: body });
      expect(codeOf(again), `${label}: replayed`).toBe('NONCE_REPLAYED');
      // A used nonce with a fresh signature over a different body is a replay too.
      const nonce = headers[terminalHeaders.nonce];
      expect(codeOf(await post(route, genuineBody(route), { nonce })), `${label}: nonce reused`).toBe(
        'NONCE_REPLAYED',
      );
    }
  });

  it('a replayed sync batch credits nothing twice, and a second server process refuses the replay too', async () => {
    const route = routes.find((r) => r.url === terminalApiPaths.sync);
    if (route === undefined) throw new Error('no sync route');
    const code = world.shopper.depositCode;
    const balance = async () =>
      (
        await world.t.app.inject({ method: 'GET', url: '/v1/me/wallet', headers: world.shopper.headers })
      ).json<{
        balanceMinor: number;
      }>().balanceMinor;
    const before = await balance();
    const body = JSON.stringify({
      deposits: [kioskDeposit(world.kiosk, world.newId, world.t.clock.nowMs(), { code, coins: 4 })],
    });
    const headers = signedHeaders(world.kiosk, world.t.clock.nowMs(), route.url, body);
    expect(
      (await world.t.app.inject({ method: 'POST', url: route.url, headers, payload: body })).statusCode,
    ).toBe(200);
    const secondDb = await world.t.openAnotherDb();
    const second = await buildApp(world.t.config, {
      db: secondDb,
      clock: world.t.clock,
      newId: createUuidV7Generator(() => world.t.clock.nowMs()),
      messageSender: world.t.sender,
      logger: pino({ level: 'silent' }),
    });
    try {
      const replayed = await second.inject({ method: 'POST', url: route.url, headers, payload: body });
      expect(replayed.json().error.code).toBe('NONCE_REPLAYED');
      const heartbeat = routes.find((r) => r.url === terminalApiPaths.heartbeat);
      if (heartbeat !== undefined) {
        const beat = JSON.stringify(seedBody(heartbeat.body ?? {}, world));
        const beatHeaders = signedHeaders(world.kiosk, world.t.clock.nowMs(), heartbeat.url, beat);
        expect(
          (
            await world.t.app.inject({
              method: 'POST',
              url: heartbeat.url,
              headers: beatHeaders,
              payload: beat,
            })
          ).statusCode,
        ).toBe(200);
        const beatAgain = await second.inject({
          method: 'POST',
          url: heartbeat.url,
          headers: beatHeaders,
          payload: beat,
        });
        expect(beatAgain.json().error.code).toBe('NONCE_REPLAYED');
      }
    } finally {
      await second.close();
      await secondDb.close();
    }
    expect(await balance()).toBe(before + 100);
  });
});
