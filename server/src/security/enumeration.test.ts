import { generateCode } from '@cashin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInTestClerk } from '../test-kit/terminal-kit.js';
import { testAdapters } from '../test-support/test-db.js';
import type { RouteSchema, World } from './security-kit.js';
import { callerFor, concreteUrl, openWorld, routeSchemas, seedBody, send } from './security-kit.js';

/**
 * Guessing codes: every route that takes a code in its body answers a right code differently from a wrong
 * one, so each caller gets codeLookupsPerMinuteMax tries a minute, right or wrong, and then RATE_LIMITED.
 * The routes are found by their schemas (a `code` or `claimCode` field); the only ones exempt say why.
 */
const exempt: Record<string, string> = {
  // Ops credit cash they hold; the ops token is the operator's own, not a guesser's.
  'POST /v1/deposits': 'ops credits cash already taken',
  // A kiosk syncs cash it took: an unknown code goes to suspense and is answered `created` all the same.
  'POST /v1/terminal/sync': 'answers the same for right and wrong codes',
};

function codeField(route: RouteSchema): 'code' | 'claimCode' | undefined {
  const properties = route.body?.properties ?? {};
  if ('claimCode' in properties) return 'claimCode';
  if ('code' in properties) return 'code';
  return undefined;
}

describe.each(testAdapters)('code enumeration on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];

  beforeAll(async () => {
    world = await openWorld(adapter);
    routes = (await routeSchemas(world.t)).filter((route) => codeField(route) !== undefined);
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('finds the code-taking routes from their schemas', () => {
    const found = routes.map((route) => `${route.method} ${route.url}`);
    expect(found).toEqual(expect.arrayContaining(['POST /v1/codes/lookups', 'POST /v1/terminal/lookup']));
    expect(found).toEqual(expect.arrayContaining(['POST /v1/till/authorizations', 'POST /v1/me/claims']));
  });

  it('throttles every caller of every code-taking route, right code or wrong, per minute', async () => {
    const max = world.t.config.limits.system.codeLookupsPerMinuteMax;
    const checked: string[] = [];
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      if (exempt[label] !== undefined) continue;
      // A fresh minute for each route, so one route's count does not spill into the next.
      world.t.clock.advance(60_000);
      const field = codeField(route) ?? 'code';
      const caller = callerFor(route);
      const url = concreteUrl(route, world);
      const tryCode = async (code: string) => {
        const body = { ...(seedBody(route.body ?? {}, world) as Record<string, unknown>), [field]: code };
        return send(world, caller, route.method, url, JSON.stringify(body));
      };
      const wrong = () => generateCode(field === 'claimCode' ? 'claim' : 'deposit');
      for (let n = 0; n < max; n += 1) {
        const response = await tryCode(wrong());
        expect(response.statusCode, `${label} try ${n}: ${response.body}`).toBeLessThan(500);
        expect(response.json().error?.code, `${label} try ${n}`).not.toBe('RATE_LIMITED');
      }
      // Over the limit even the right code is refused, and nothing says whether a code exists.
      const right = field === 'claimCode' ? wrong() : world.shopper.depositCode;
      expect((await tryCode(right)).json().error?.code, label).toBe('RATE_LIMITED');
      expect((await tryCode(wrong())).json().error?.code, label).toBe('RATE_LIMITED');
      world.t.clock.advance(60_000);
      expect((await tryCode(wrong())).json().error?.code, `${label} a minute later`).not.toBe('RATE_LIMITED');
      checked.push(label);
    }
    const exemptFound = routes.filter((r) => exempt[`${r.method} ${r.url}`] !== undefined).length;
    expect(checked.length).toBe(routes.length - exemptFound);
    expect(checked.length).toBeGreaterThanOrEqual(4);
  });

  it('counts per caller: one clerk out of tries leaves another clerk of the same store theirs', async () => {
    world.t.clock.advance(60_000);
    const max = world.t.config.limits.system.codeLookupsPerMinuteMax;
    const other = await signInTestClerk(world.t, world.storeId);
    const authorize = (headers: Record<string, string>, code: string) =>
      world.t.app.inject({
        method: 'POST',
        url: '/v1/till/authorizations',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify({
          authorizationId: world.newId(),
          code,
          amountMinor: 1_000,
          currency: 'USD',
        }),
      });
    for (let n = 0; n < max; n += 1) await authorize(world.clerk.headers, generateCode('deposit'));
    expect((await authorize(world.clerk.headers, world.shopper.depositCode)).json().error.code).toBe(
      'RATE_LIMITED',
    );
    expect((await authorize(other.headers, world.shopper.depositCode)).statusCode).toBe(201);
  });
});
