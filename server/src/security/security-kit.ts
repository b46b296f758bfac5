import { createUuidV7Generator, generateCode, tillApiPaths } from '@cashin/shared';
import { Writable } from 'node:stream';
import type { Role } from '../http/roles.js';
import type { TestClerk, TestKiosk } from '../test-kit/terminal-kit.js';
import {
  createTestStore,
  enrollTestKiosk,
  newKeyPair,
  signInTestClerk,
  signedHeaders,
} from '../test-kit/terminal-kit.js';
import type { SharedDbTestApp, SignedUpShopper, TestApp } from '../test-support/test-app.js';
import {
  nextPhone,
  openCashAccount,
  openTestApp,
  opsHeaders,
  signUpAndIn,
} from '../test-support/test-app.js';
import type { AdapterName } from '../test-support/test-db.js';
import type { Db } from '../storage/db.js';

/**
 * What the security tests share: one app with a caller of every role, the registered routes joined with
 * the schemas they declared (read from the OpenAPI document, which fastify-type-provider-zod derives from
 * each route's zod schemas), bodies built from those schemas, and a look into every table. Nothing here is
 * a hand list of routes: a route added anywhere is walked by every test that uses `routeSchemas`.
 */

export const callers = ['none', 'shopper', 'clerk', 'terminal', 'ops'] as const;
export type Caller = (typeof callers)[number];

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  default?: unknown;
};

export interface RouteSchema {
  readonly method: string;
  /** As Fastify registered it: `/v1/ops/stores/:storeId/clerks`. */
  readonly url: string;
  readonly roles: readonly Role[];
  readonly body: JsonSchema | undefined;
  readonly params: readonly string[];
  readonly query: readonly string[];
}

export interface World {
  readonly t: SharedDbTestApp;
  readonly storeId: string;
  readonly clerk: TestClerk;
  readonly kiosk: TestKiosk;
  readonly shopper: SignedUpShopper;
  readonly drawer: string;
  /** A deposit an ops caller made, so routes that name a deposit have a real one. */
  readonly depositId: string;
  /** An authorization the clerk made, so till routes that name one have a real one. */
  readonly authorizationId: string;
  readonly newId: () => string;
}

export async function openWorld(
  adapter: AdapterName,
  options: Parameters<typeof openTestApp>[1] = {},
): Promise<World> {
  const t = await openTestApp(adapter, options);
  const newId = createUuidV7Generator(() => t.clock.nowMs());
  const storeId = await createTestStore(t);
  const clerk = await signInTestClerk(t, storeId);
  const kiosk = await enrollTestKiosk(t, storeId);
  const shopper = await signUpAndIn(t);
  const drawer = await openCashAccount(t);
  const depositId = newId();
  const deposit = await t.app.inject({
    method: 'POST',
    url: '/v1/deposits',
    headers: opsHeaders,
    payload: {
      id: depositId,
      code: shopper.depositCode,
      amountMinor: 1_000,
      currency: 'USD',
      sourceAccountId: drawer,
    },
  });
  if (deposit.statusCode >= 300) throw new Error(`deposit failed: ${deposit.body}`);
  const authorizationId = newId();
  const authorization = await t.app.inject({
    method: 'POST',
    url: tillApiPaths.authorizations,
    headers: clerk.headers,
    payload: { authorizationId, code: shopper.depositCode, amountMinor: 1_000, currency: 'USD' },
  });
  if (authorization.statusCode >= 300) throw new Error(`authorization failed: ${authorization.body}`);
  return { t, storeId, clerk, kiosk, shopper, drawer, depositId, authorizationId, newId };
}

/** Every registered /v1 route with its roles and the schemas it declared. */
export async function routeSchemas(t: TestApp): Promise<RouteSchema[]> {
  const document = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json<{
    paths: Record<
      string,
      Record<
        string,
        {
          requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
          parameters?: { name: string; in: string }[];
        }
      >
    >;
  }>();
  return t.app.declaredRoutes.map((route) => {
    const openApiPath = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const operation = document.paths[openApiPath]?.[route.method.toLowerCase()];
    if (operation === undefined)
      throw new Error(`${route.method} ${route.url} is not in the OpenAPI document`);
    const parameters = operation.parameters ?? [];
    return {
      ...route,
      body: operation.requestBody?.content['application/json'].schema,
      params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
      query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
    };
  });
}

/** Real values for the path parameters the routes use, so a request reaches the handler's own checks. */
export function paramValues(world: World): Record<string, string> {
  return {
    storeId: world.storeId,
    terminalId: world.kiosk.terminalId,
    shopperId: world.shopper.shopperId,
    authorizationId: world.authorizationId,
    symbology: 'qr',
    code: world.shopper.depositCode,
    format: 'png',
  };
}

/** The route's URL with its parameters filled in (`values` first, then the world's real ones, then "x"). */
export function concreteUrl(
  route: { url: string },
  world: World,
  values: Record<string, string> = {},
): string {
  const known = { ...paramValues(world), ...values };
  return route.url.replace(/:([A-Za-z]+)/g, (_whole, name: string) => encodeURIComponent(known[name] ?? 'x'));
}

/** A caller's headers for one request; a terminal signs exactly this method, path and body. */
export function headersFor(
  world: World,
  caller: Caller,
  method: string,
  url: string,
  body: string,
): Record<string, string> {
  switch (caller) {
    case 'none':
      return {};
    case 'shopper':
      return world.shopper.headers;
    case 'clerk':
      return world.clerk.headers;
    case 'ops':
      return opsHeaders;
    case 'terminal':
      return signedHeaders(world.kiosk, world.t.clock.nowMs(), url, body, { method });
  }
}

/** The route's first role that names a caller (a public route is called by nobody in particular). */
export function callerFor(route: { roles: readonly Role[] }): Caller {
  const role = route.roles[0] ?? 'public';
  return role === 'public' ? 'none' : role;
}

export function hasBody(method: string): boolean {
  return method !== 'GET' && method !== 'DELETE';
}

/** Sends one request as `caller`, JSON body or none. */
export async function send(world: World, caller: Caller, method: string, url: string, body?: string) {
  const payload = body ?? (hasBody(method) ? '{}' : '');
  const headers = headersFor(world, caller, method, url, payload);
  return world.t.app.inject({
    method: method as 'GET',
    url,
    headers: hasBody(method) ? { 'content-type': 'application/json', ...headers } : headers,
    ...(hasBody(method) ? { payload } : {}),
  });
}

/** Values for fields whose valid form a schema cannot say (a Damm check digit, a real store's id). */
function knownField(world: World, name: string): unknown {
  const values: Record<string, () => unknown> = {
    code: () => world.shopper.depositCode,
    claimCode: () => generateCode('claim'),
    storeId: () => world.storeId,
    clerkId: () => world.clerk.clerkId,
    terminalId: () => world.kiosk.terminalId,
    pin: () => world.clerk.pin,
    phone: () => nextPhone(),
    otp: () => '123456',
    currency: () => 'USD',
    timeZone: () => 'America/New_York',
    sourceAccountId: () => world.drawer,
    depositId: () => world.depositId,
    publicKey: () => newKeyPair().publicKey,
    serverKeys: () => [newKeyPair().publicKey],
    token: () => 'enrollment-token-that-is-unknown',
    softwareVersion: () => '1.0.0',
    receipt: () => 'not a receipt',
    ttlMs: () => 2 * 60 * 60 * 1000,
    amountMinor: () => 1_000,
  };
  return values[name]?.();
}

const uuidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-7';

/**
 * A body that fits `schema` as closely as a schema can say: every property (optional ones too, so free
 * text fields are exercised), enums at their first value, ids fresh, and known fields real.
 */
export function seedBody(schema: JsonSchema, world: World, name = ''): unknown {
  const known = knownField(world, name);
  if (known !== undefined) return known;
  if (schema.enum !== undefined) return schema.enum[0];
  if (schema.anyOf !== undefined) return seedBody(schema.anyOf[0] ?? {}, world, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, value]) => [key, seedBody(value, world, key)]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () =>
        seedBody(schema.items ?? {}, world),
      );
    case 'integer':
    case 'number':
      return Math.max(1, typeof schema.minimum === 'number' ? schema.minimum + 1 : 1);
    case 'boolean':
      return false;
    case 'string':
      if (schema.pattern?.startsWith(uuidPattern) === true) return world.newId();
      return 'Ana'.padEnd(schema.minLength ?? 1, 'a');
    default:
      return null;
  }
}

export type FieldPath = readonly (string | number)[];

/** Paths to every free-form string field of a body schema (not enums: those have no text to inject). */
export function stringFieldPaths(schema: JsonSchema, at: FieldPath = []): FieldPath[] {
  if (schema.anyOf !== undefined) return schema.anyOf.flatMap((s) => stringFieldPaths(s, at));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'object') {
    return Object.entries(schema.properties ?? {}).flatMap(([key, value]) =>
      stringFieldPaths(value, [...at, key]),
    );
  }
  if (type === 'array') return stringFieldPaths(schema.items ?? {}, [...at, 0]);
  if (type === 'string' && schema.enum === undefined) return [at];
  return [];
}

/** A copy of `body` with the value at `path` replaced (`undefined` removes the field). */
export function withValueAt(body: unknown, path: FieldPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(body)) {
    const copy = [...(body as unknown[])];
    copy[head as number] = withValueAt(copy[head as number], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  if (rest.length === 0 && value === undefined) delete copy[head];
  else copy[head] = withValueAt(copy[head], rest, value);
  return copy;
}

/** Every table and its row count: after an attack, the same tables must all still be there. */
export async function tableNames(db: Db): Promise<string[]> {
  const sql =
    db.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name';
  return (await db.single<{ name: string }>(sql)).map((row) => row.name);
}

async function textColumns(db: Db, table: string): Promise<string[]> {
  if (db.dialect === 'sqlite') {
    const columns = await db.single<{ name: string; type: string }>(
      `SELECT name, type FROM pragma_table_info('${table}')`,
    );
    return columns.filter((c) => c.type.toUpperCase() === 'TEXT').map((c) => c.name);
  }
  const columns = await db.single<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ? AND data_type IN ('text', 'character varying')`,
    [table],
  );
  return columns.map((c) => c.name);
}

/** Whether some text column of some table holds exactly `text`: stored verbatim, not escaped or cut. */
export async function storedVerbatim(db: Db, text: string): Promise<boolean> {
  for (const table of await tableNames(db)) {
    for (const column of await textColumns(db, table)) {
      const rows = await db.single(`SELECT 1 AS found FROM ${table} WHERE ${column} = ? LIMIT 1`, [text]);
      if (rows.length > 0) return true;
    }
  }
  return false;
}

/** A pino destination that keeps every line, for a test to read the whole log of a run. */
export function logCapture(): { destination: Writable; text(): string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { destination, text: () => chunks.join('') };
}
