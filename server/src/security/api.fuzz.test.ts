import { ErrorCodeSchema, generateCode } from '@cashin/shared';
import { fuzzParameters } from '@cashin/shared/testing/fuzz';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.js';
import { testAdapters } from '../test-support/test-db.js';
import type { FieldPath, RouteSchema, World } from './security-kit.js';
import {
  callerFor,
  concreteUrl,
  openWorld,
  routeSchemas,
  seedBody,
  send,
  withValueAt,
} from './security-kit.js';

/**
 * Every registered route, called by the caller it is for, with bodies generated from its zod schema (the
 * schema's own shape with one field changed to anything, dropped, or joined by a stranger), with plain
 * junk, and with junk in its path parameters. On each database, the real app through `inject`: none answers with
 * a 5xx, every refusal carries a code from the catalogue, and the ledger balances afterwards.
 */

/** Every path into a value: objects by key, arrays by index. */
function leafPaths(value: unknown, at: FieldPath = []): FieldPath[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((item, index) => leafPaths(item, [...at, index]))];
  if (value !== null && typeof value === 'object') {
    return [at, ...Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...at, key]))];
  }
  return [at];
}

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ maxLength: 300 }),
  fc.constantFrom(
    -1,
    0,
    0.5,
    2 ** 53,
    -(2 ** 63),
    1e308,
    '',
    ' ',
    '\u202e',
    '9'.repeat(40),
    generateCode('deposit'),
    generateCode('claim'),
    generateCode('slip'),
    '__proto__',
    [],
    {},
    null,
    true,
  ),
);

type Mutation =
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'drop'; pick: number }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'raw'; text: string }
  | { kind: 'param'; value: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: anyValue }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      key: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'prototype')),
      value: anyValue,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      text: fc.oneof(
        fc.json(),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('', '{', '[1,2', '{"a":1}}', 'null'),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('param' as const), value: fc.string({ maxLength: 80 }) }),
  },
);

describe.each(testAdapters)('every API body under fuzz on %s', (adapter) => {
  let world: World;
  let routes: RouteSchema[];

  beforeAll(async () => {
    world = await openWorld(adapter);
    // Signing out would end the shopper's session for every route after it; it is fuzzed last.
    const signOut = (route: RouteSchema) => (route.method === 'DELETE' ? 1 : 0);
    routes = (await routeSchemas(world.t)).sort((a, b) => signOut(a) - signOut(b));
  });
  afterAll(async () => {
    await world.t.close();
  });

  it('answers every generated request on every route without a 5xx and with a catalogued code', async () => {
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(mutation, async (change) => {
          // A fresh minute per request keeps the per-caller code throttle from answering for the route.
          world.t.clock.advance(60_000);
          const seed = route.body === undefined ? {} : seedBody(route.body, world);
          const paths = leafPaths(seed);
          let url = concreteUrl(route, world);
          let payload: string | undefined = route.body === undefined ? undefined : JSON.stringify(seed);
          switch (change.kind) {
            case 'replace':
              payload = JSON.stringify(
                withValueAt(seed, paths[change.pick % paths.length] ?? [], change.value),
              );
              break;
            case 'drop':
              payload = JSON.stringify(
                withValueAt(seed, paths[change.pick % paths.length] ?? [], undefined) ?? null,
              );
              break;
            case 'extra':
              payload = JSON.stringify({ ...(seed as object), [change.key]: change.value });
              break;
            case 'raw':
              payload = change.text;
              break;
            case 'param': {
              const name = route.params[0];
              if (name !== undefined) url = concreteUrl(route, world, { [name]: change.value });
              else url = `${url}?${encodeURIComponent(change.value)}=${encodeURIComponent(change.value)}`;
            }
          }
          const response = await send(world, callerFor(route), route.method, url, payload);
          const label = `${route.method} ${url} ${payload ?? ''}`.slice(0, 400);
          expect(response.statusCode, `${label} -> ${response.body.slice(0, 300)}`).toBeLessThan(500);
          if (response.statusCode >= 400) {
            expect(
              ErrorCodeSchema.safeParse(response.json().error?.code).success,
              `${label} -> ${response.body}`,
            ).toBe(true);
          }
        }),
        fuzzParameters(25),
      );
    }
    expect((await verifyLedger(world.t.db)).ok).toBe(true);
  });
});
