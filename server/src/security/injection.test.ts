import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { testAdapters } from '../test-support/test-db.js';
import type { RouteSchema, World } from './security-kit.js';
import {
  callerFor,
  concreteUrl,
  openWorld,
  routeSchemas,
  seedBody,
  send,
  storedVerbatim,
  stringFieldPaths,
  tableNames,
  withValueAt,
} from './security-kit.js';

/**
 * SQL injection and path traversal strings in every text field of every body schema, every path parameter
 * and every query parameter, found from the registered routes and their zod schemas. Each is refused with
 * a 4xx or taken as plain text: stored exactly as sent (or returned exactly as sent), never a 5xx, and
 * afterwards every table is still there and the ledger still balances.
 */
const attacks = [
  "' OR '1'='1",
  "'; DROP TABLE transfers; --",
  'Robert"); DELETE FROM shoppers; --',
  "1' UNION SELECT token_hash FROM shopper_sessions --",
  '../../../../etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '..\\..\\windows\\win.ini',
  '/dev/inbox.json?x=../',
  '%00\u0000',
  '$(rm -rf /); `id` ${7*7}',
];

describe.each(testAdapters)('injection strings on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];
  let tablesBefore: string[];

  beforeAll(async () => {
    world = await openWorld(adapter);
    routes = await routeSchemas(world.t);
    tablesBefore = await tableNames(world.t.db);
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('takes them in every text field of every body as plain text or refuses them, never with a 5xx', async () => {
    const storedAt: string[] = [];
    let fields = 0;
    for (const route of routes) {
      if (route.body === undefined) continue;
      for (const path of stringFieldPaths(route.body)) {
        fields += 1;
        for (const attack of attacks) {
          const label = `${route.method} ${route.url} ${path.join('.')} = ${JSON.stringify(attack)}`;
          // A fresh minute per request keeps the per-caller code throttle out of the way.
          world.t.clock.advance(60_000);
          const body = withValueAt(seedBody(route.body, world), path, attack);
          const response = await send(
            world,
            callerFor(route),
            route.method,
            concreteUrl(route, world),
            JSON.stringify(body),
          );
          expect(response.statusCode, `${label}: ${response.body}`).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expect(response.json().error.code, label).toBeTypeOf('string');
            continue;
          }
          const returned = JSON.stringify(response.json()).includes(JSON.stringify(attack).slice(1, -1));
          const kept = returned || (await storedVerbatim(world.t.db, attack));
          expect(kept, `${label} was accepted but not kept as sent`).toBe(true);
          storedAt.push(`${route.method} ${route.url} ${path.join('.')}`);
        }
      }
    }
    expect(fields).toBeGreaterThan(30);
    // The free-text fields really were reached, not all refused by something earlier in the body.
    const reached = new Set(storedAt);
    expect(reached.size, [...reached].join('\n')).toBeGreaterThanOrEqual(8);
  });

  it('refuses them in every path and query parameter, never with a 5xx', async () => {
    let tried = 0;
    for (const route of routes) {
      for (const name of [...route.params, ...route.query]) {
        for (const attack of attacks) {
          const isParam = route.params.includes(name);
          const base = concreteUrl(route, world, isParam ? { [name]: attack } : {});
          const url = isParam ? base : `${base}?${name}=${encodeURIComponent(attack)}`;
          const response = await send(world, callerFor(route), route.method, url);
          expect(response.statusCode, `${route.method} ${url}: ${response.body}`).toBeLessThan(500);
          tried += 1;
        }
      }
    }
    expect(tried).toBeGreaterThan(attacks.length * 8);
  });

  it('leaves every table in place and the ledger balanced', async () => {
    expect(await tableNames(world.t.db)).toEqual(tablesBefore);
    const report = await verifyLedger(world.t.db);
    expect(report.ok).toBe(true);
    expect(report.transfers).toBeGreaterThan(0);
  });
});
