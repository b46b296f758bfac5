import { tillApiPaths } from '@cashin/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClerk } from '../test-kit/terminal-kit.js';
import { createTestStore, signInTestClerk } from '../test-kit/terminal-kit.js';
import { testAdapters } from '../test-support/test-db.js';
import type { RouteSchema, World } from './security-kit.js';
import { concreteUrl, hasBody, openWorld, paramValues, routeSchemas, seedBody } from './security-kit.js';

/**
 * A clerk's session belongs to one store. Every clerk route, found from the registered routes, is called
 * by a clerk of another store with the first store's ids wherever the route takes one (a path parameter or
 * a body field naming a store, a terminal or an authorization): none acts on the other store, and the first
 * store's authorization is untouched afterwards.
 */
const foreignIdNames = ['authorizationId', 'storeId', 'terminalId', 'clerkId'];

const isSignOut = (route: RouteSchema) => route.method === 'DELETE' && route.url === tillApiPaths.session;

describe.each(testAdapters)('a clerk at another store on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];
  let stranger: TestClerk;

  beforeAll(async () => {
    world = await openWorld(adapter);
    // Signing out ends only the caller's own session (and would end the stranger's walk): it is walked
    // last, after every route that could reach the first store.
    routes = (await routeSchemas(world.t))
      .filter((route) => route.roles.includes('clerk'))
      .sort((a, b) => Number(isSignOut(a)) - Number(isSignOut(b)));
    stranger = await signInTestClerk(world.t, await createTestStore(world.t));
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('can reach nothing of the first store through any clerk route', async () => {
    expect(routes.length).toBeGreaterThanOrEqual(4);
    let foreignTried = 0;
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      // The world's ids are all the first store's: its authorization, its store, its kiosk, its clerk.
      const url = concreteUrl(route, world);
      const foreignIds: Record<string, string> = { ...paramValues(world), clerkId: world.clerk.clerkId };
      const seeded =
        route.body === undefined ? undefined : (seedBody(route.body, world) as Record<string, unknown>);
      const body =
        seeded === undefined
          ? undefined
          : Object.fromEntries(
              Object.entries(seeded).map(([key, value]) => [
                key,
                foreignIdNames.includes(key) ? (foreignIds[key] ?? value) : value,
              ]),
            );
      const takesForeignId =
        route.params.some((name) => foreignIdNames.includes(name)) ||
        Object.keys(route.body?.properties ?? {}).some((name) => foreignIdNames.includes(name));
      const response = await world.t.app.inject({
        method: route.method as 'GET',
        url,
        headers: hasBody(route.method)
          ? { ...stranger.headers, 'content-type': 'application/json' }
          : stranger.headers,
        ...(hasBody(route.method) ? { payload: JSON.stringify(body ?? {}) } : {}),
      });
      expect(response.statusCode, `${label}: ${response.body}`).toBeLessThan(500);
      if (takesForeignId) {
        foreignTried += 1;
        // Refused outright, or (for an id the till chose) as the other store's id with other fields.
        expect(['FORBIDDEN', 'IDEMPOTENCY_CONFLICT'], label).toContain(response.json().error?.code);
      } else if (response.statusCode < 300) {
        // A route about "my store" answers about the stranger's own store only.
        expect(response.body, label).not.toContain(world.authorizationId);
        expect(response.body, label).not.toContain(`"id":"${world.storeId}"`);
      }
    }
    expect(foreignTried).toBeGreaterThanOrEqual(2);
    // The first store's authorization is still its own to commit.
    const commit = await world.t.app.inject({
      method: 'POST',
      url: tillApiPaths.commit(world.authorizationId),
      headers: world.clerk.headers,
    });
    expect(commit.statusCode).toBe(200);
  });

  it('signing in at another store with one’s own clerk id and PIN fails like a wrong PIN', async () => {
    const response = await world.t.app.inject({
      method: 'POST',
      url: tillApiPaths.session,
      payload: { storeId: world.storeId, clerkId: stranger.clerkId, pin: stranger.pin },
    });
    expect(response.json().error.code).toBe('PIN_INVALID');
  });
});
