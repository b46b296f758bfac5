import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAdapters } from '../test-support/test-db.js';
import type { RouteSchema, World } from './security-kit.js';
import { callerFor, concreteUrl, hasBody, headersFor, openWorld, routeSchemas } from './security-kit.js';

/**
 * Every route that takes a body, found from the registered routes, is sent a body of exactly the size limit
 * (read, and answered on its merits: never 413, never 5xx) and one byte over it (413 BODY_TOO_LARGE), by
 * the caller the route is for, so the limit holds behind every role's checks, the terminal signature
 * check included. The limit is set small here so the walk stays quick; the default is tried on two routes.
 */
const smallLimitBytes = 64 * 1024;

/** A JSON object of exactly `bytes` bytes: `{"pad":"xxx...x"}`. */
function jsonOfSize(bytes: number): string {
  const frame = '{"pad":""}'.length;
  return `{"pad":"${'x'.repeat(bytes - frame)}"}`;
}

describe.each(testAdapters)('body size limits on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];

  beforeAll(async () => {
    world = await openWorld(adapter, {
      limits: { system: { httpBodyBytesMax: smallLimitBytes, syncBatchDepositsMax: 16 } },
    });
    routes = (await routeSchemas(world.t)).filter((route) => hasBody(route.method));
  });
  afterAll(async () => {
    await world.t.close();
  });

  async function sendSized(route: RouteSchema, payload: string | Readable, signedBody: string) {
    const url = concreteUrl(route, world);
    const headers = headersFor(world, callerFor(route), route.method, url, signedBody);
    return world.t.app.inject({
      method: route.method as 'POST',
      url,
      headers: { ...headers, 'content-type': 'application/json' },
      payload,
    });
  }

  it('reads a body at the limit and refuses one a byte over it, on every route with a body', async () => {
    expect(world.t.config.limits.system.httpBodyBytesMax).toBe(smallLimitBytes);
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      const label = `${route.method} ${route.url}`;
      const atLimit = jsonOfSize(smallLimitBytes);
      expect(Buffer.byteLength(atLimit)).toBe(smallLimitBytes);
      const read = await sendSized(route, atLimit, atLimit);
      expect(read.statusCode, `${label} at the limit: ${read.body.slice(0, 200)}`).toBeLessThan(500);
      expect(read.statusCode, `${label} at the limit`).not.toBe(413);
      const over = jsonOfSize(smallLimitBytes + 1);
      const refused = await sendSized(route, over, over);
      expect(refused.statusCode, `${label} over the limit`).toBe(413);
      expect(refused.json().error.code, `${label} over the limit`).toBe('BODY_TOO_LARGE');
    }
  });

  it('refuses a body over the limit that comes without a length, streamed', async () => {
    for (const route of routes.filter((r) => r.roles.includes('public') || r.roles.includes('terminal'))) {
      const over = jsonOfSize(smallLimitBytes + 1);
      const streamed = Readable.from([Buffer.from(over.slice(0, 1000)), Buffer.from(over.slice(1000))]);
      const refused = await sendSized(route, streamed, over);
      expect(refused.statusCode, `${route.method} ${route.url} streamed`).toBe(413);
      expect(refused.json().error.code).toBe('BODY_TOO_LARGE');
    }
  });
});

describe('the default body limit', () => {
  it('holds at its default size on a public route and on the sync route', async () => {
    const world = await openWorld('sqlite');
    try {
      const limit = world.t.config.limits.system.httpBodyBytesMax;
      const routes = (await routeSchemas(world.t)).filter(
        (route) => route.url === '/v1/shoppers' || route.url === '/v1/terminal/sync',
      );
      expect(routes).toHaveLength(2);
      for (const route of routes) {
        for (const [size, over] of [
          [limit, false],
          [limit + 1, true],
        ] as const) {
          const body = jsonOfSize(size);
          const url = concreteUrl(route, world);
          const response = await world.t.app.inject({
            method: 'POST',
            url,
            headers: {
              ...headersFor(world, callerFor(route), 'POST', url, body),
              'content-type': 'application/json',
            },
            payload: body,
          });
          if (over) expect(response.json().error.code).toBe('BODY_TOO_LARGE');
          else expect(response.statusCode).not.toBe(413);
        }
      }
    } finally {
      await world.t.close();
    }
  });
});
