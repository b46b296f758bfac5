import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../http/roles.js';
import { newKeyPair, signedHeaders } from '../test-kit/terminal-kit.js';
import { testAdapters } from '../test-support/test-db.js';
import type { Caller, RouteSchema, World } from './security-kit.js';
import { callers, concreteUrl, hasBody, openWorld, routeSchemas, send } from './security-kit.js';

/** Codes that mean "the role hook turned this caller away". */
const turnedAway = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'SIGNATURE_INVALID', 'TERMINAL_UNKNOWN']);

/**
 * The routes anyone may call without credentials. A new public route fails this test until it is added
 * here, on purpose: making a route public is a decision someone must make in review, not a default.
 */
const publicRoutes = [
  'POST /v1/shoppers',
  'POST /v1/auth/otp',
  'POST /v1/auth/sessions',
  'GET /v1/barcodes/:symbology/:code.:format',
  'POST /v1/terminal/enroll',
  'POST /v1/till/session',
  'POST /v1/ops/session',
];

describe.each(testAdapters)('every /v1 route against every role on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];

  beforeAll(async () => {
    world = await openWorld(adapter);
    // Signing out ends the shopper's session, so that route goes last (the clerk's signs in again).
    const signOut = (route: { method: string; url: string }) =>
      route.method === 'DELETE' && route.url.startsWith('/v1/auth/sessions') ? 1 : 0;
    routes = (await routeSchemas(world.t)).sort((a, b) => signOut(a) - signOut(b));
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('has no public route but the ones decided on', () => {
    const declaredPublic = routes
      .filter((r) => r.roles.includes('public'))
      .map((r) => `${r.method} ${r.url}`);
    expect(declaredPublic.sort()).toEqual([...publicRoutes].sort());
    // A route is public or has roles, never both: "public" next to a role would let everyone in.
    for (const route of routes) {
      if (route.roles.includes('public'))
        expect(route.roles, `${route.method} ${route.url}`).toEqual(['public']);
    }
  });

  it('keeps family wallets, locations and receipts to shoppers and the audit check and suspense claims to ops', () => {
    const declared = (method: string, url: string) =>
      routes.find((route) => route.method === method && route.url === url)?.roles;
    expect(declared('POST', '/v1/me/children')).toEqual(['shopper']);
    expect(declared('GET', '/v1/me/children')).toEqual(['shopper']);
    expect(declared('GET', '/v1/me/children/:childId')).toEqual(['shopper']);
    expect(declared('PUT', '/v1/me/children/:childId/caps')).toEqual(['shopper']);
    expect(declared('GET', '/v1/locations')).toEqual(['shopper']);
    expect(declared('GET', '/v1/ops/audit/verification')).toEqual(['ops']);
    // Taking money back from a wallet into suspense is for ops alone, as crediting it is.
    expect(declared('POST', '/v1/ops/suspense/:claimId/assignment')).toEqual(['ops']);
    expect(declared('POST', '/v1/ops/suspense/:claimId/assignment-undo')).toEqual(['ops']);
    expect(declared('POST', '/v1/me/receipts')).toEqual(['shopper']);
  });

  it('lets in exactly the roles each route declares, and turns away bad tokens and forged signatures', async () => {
    const guarded = routes.filter((route) => !route.roles.includes('public'));
    expect(guarded.length).toBeGreaterThan(25);
    const checked: string[] = [];
    for (const route of guarded) {
      const url = concreteUrl(route, world);
      for (const caller of callers) {
        const response = await send(world, caller, route.method, url);
        const code =
          response.statusCode >= 400 ? response.json<{ error: { code: string } }>().error.code : 'ok';
        const label = `${route.method} ${route.url} as ${caller}`;
        if (caller !== 'none' && route.roles.includes(caller as Role)) {
          expect(turnedAway.has(code), `${label} was turned away (got ${code})`).toBe(false);
        } else {
          expect(code, label).toBe(caller === 'none' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
        checked.push(label);
        // The clerk signed out: signed in again, so the routes after this one still meet a clerk.
        if (route.method === 'DELETE' && route.url === '/v1/till/session' && caller === 'clerk') {
          const session = await world.t.app.inject({
            method: 'POST',
            url: '/v1/till/session',
            payload: { storeId: world.storeId, clerkId: world.clerk.clerkId, pin: world.clerk.pin },
          });
          world.clerk.headers.authorization = `Bearer ${session.json<{ token: string }>().token}`;
        }
      }
      // A bearer token nobody issued, and a request signed by a key no terminal enrolled.
      const body = hasBody(route.method) ? '{}' : '';
      const strangers: [Caller, Record<string, string>, string][] = [
        ['none', { authorization: 'Bearer not-a-token-anyone-issued' }, 'UNAUTHENTICATED'],
        ['none', { authorization: 'Bearer clk_not-a-clerk-token' }, 'UNAUTHENTICATED'],
        [
          'terminal',
          signedHeaders(world.kiosk, world.t.clock.nowMs(), url, body, {
            method: route.method,
            privateKey: newKeyPair().privateKey,
          }),
          route.roles.includes('terminal') ? 'SIGNATURE_INVALID' : 'FORBIDDEN',
        ],
      ];
      for (const [, headers, expected] of strangers) {
        const response = await world.t.app.inject({
          method: route.method as 'GET',
          url,
          headers: hasBody(route.method) ? { 'content-type': 'application/json', ...headers } : headers,
          ...(hasBody(route.method) ? { payload: body } : {}),
        });
        expect(response.json<{ error: { code: string } }>().error.code, `${route.method} ${route.url}`).toBe(
          expected,
        );
      }
    }
    expect(checked.length).toBe(guarded.length * callers.length);
  });
});
