import { CodedError, serviceTokenActor, terminalHeaders } from '@cashin/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { authenticateClerk, clerkTokenPrefix } from '../clerks/clerks.js';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { secretsEqual } from '../secrets/hash.js';
import { authenticateShopper } from '../shoppers/otp.js';
import { authenticateStaff, staffTokenPrefix } from '../staff/staff.js';
import type { TerminalCaller } from '../terminals/request-verification.js';
import { identifyTerminal, verifyTerminalBody } from '../terminals/request-verification.js';

/**
 * Who may call a route. Every route declares its roles in `config.roles`; a route without a declaration
 * stops the server at start-up. Shoppers, clerks and ops carry bearer tokens; a terminal signs each
 * request (terminal/request-signature.ts) and is identified by its signature headers.
 */
export const roles = ['public', 'shopper', 'clerk', 'terminal', 'ops'] as const;
export type Role = (typeof roles)[number];

export type Principal =
  | { role: 'shopper'; shopperId: string }
  /** `caller` is the staff id ("O00001") of a signed-in person, or "ops-token" for the service token. */
  | { role: 'ops'; caller: string }
  | { role: 'clerk'; clerkId: string; storeId: string; shiftStartedAtMs: number }
  | ({ role: 'terminal' } & TerminalCaller);

/** A /v1 route as registered, with the roles it declared: what the role walk test iterates over. */
export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly roles: readonly Role[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
    /** A disabled terminal may still call this route (the heartbeat, which tells it it is disabled). */
    terminalMayBeDisabled?: boolean;
    /** The handler records the request nonce in its own transaction (the sync batch); see nonces.ts. */
    nonceConsumedByHandler?: boolean;
    /** A recently retired terminal key may sign this route (the sync batch); see request-verification.ts. */
    retiredKeyMaySign?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    declaredRoutes: DeclaredRoute[];
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,512})$/.exec(header);
  return match?.[1];
}

export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new Error('a role-checked route ran without a principal');
  return request.principal;
}

export function shopperIdOf(request: FastifyRequest): string {
  const principal = principalOf(request);
  if (principal.role !== 'shopper') throw new CodedError('FORBIDDEN');
  return principal.shopperId;
}

/** The terminal behind a verified signed request; anything else reaching a terminal-only handler is a bug. */
export function terminalOf(request: FastifyRequest): TerminalCaller {
  const principal = principalOf(request);
  if (principal.role !== 'terminal') throw new CodedError('FORBIDDEN');
  return principal;
}

/** Who in operations made this request: a staff id, or "ops-token" for the service token. */
export function opsCallerOf(request: FastifyRequest): string {
  const principal = principalOf(request);
  if (principal.role !== 'ops') throw new CodedError('FORBIDDEN');
  return principal.caller;
}

export function clerkOf(request: FastifyRequest): {
  clerkId: string;
  storeId: string;
  shiftStartedAtMs: number;
} {
  const principal = principalOf(request);
  if (principal.role !== 'clerk') throw new CodedError('FORBIDDEN');
  return principal;
}

/** One key per caller, for the limits counted per caller (code lookups against enumeration). */
export function callerKey(principal: Principal): string {
  switch (principal.role) {
    case 'ops':
      return `ops:${principal.caller}`;
    case 'shopper':
      return `shopper:${principal.shopperId}`;
    case 'clerk':
      return `clerk:${principal.clerkId}`;
    case 'terminal':
      return `terminal:${principal.terminalId}`;
  }
}

function signsAsTerminal(request: FastifyRequest): boolean {
  return (
    request.headers[terminalHeaders.signature] !== undefined ||
    request.headers[terminalHeaders.terminalId] !== undefined
  );
}

export function installRoles(app: FastifyInstance, config: Config, deps: Deps): void {
  app.decorateRequest('principal', null);
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/v1')) return;
    if (route.config?.roles === undefined || route.config.roles.length === 0) {
      throw new Error(`route ${route.method.toString()} ${route.url} declares no roles`);
    }
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') declared.push({ method, url: route.url, roles: route.config.roles });
    }
  });
  // onRequest: callers are identified before their body is even parsed, so a stranger learns nothing from
  // validation errors and costs us no parsing.
  app.addHook('onRequest', async (request) => {
    const allowed = request.routeOptions.config.roles;
    if (allowed === undefined || allowed.includes('public')) return;
    if (signsAsTerminal(request)) {
      // A caller presenting itself as a terminal where terminals may not go learns no more than that.
      if (!allowed.includes('terminal')) throw new CodedError('FORBIDDEN');
      const caller = await identifyTerminal(
        deps,
        request.headers,
        request.routeOptions.config.terminalMayBeDisabled === true,
      );
      request.principal = { role: 'terminal', ...caller };
      return;
    }
    const token = bearerToken(request);
    if (token === undefined) throw new CodedError('UNAUTHENTICATED');
    let principal: Principal;
    if (config.opsToken !== undefined && secretsEqual(token, config.opsToken)) {
      principal = { role: 'ops', caller: serviceTokenActor };
    } else if (token.startsWith(staffTokenPrefix)) {
      principal = { role: 'ops', caller: await authenticateStaff(deps, token) };
    } else if (token.startsWith(clerkTokenPrefix)) {
      principal = { role: 'clerk', ...(await authenticateClerk(deps, token)) };
    } else {
      principal = { role: 'shopper', shopperId: await authenticateShopper(deps, token) };
    }
    if (!allowed.includes(principal.role)) throw new CodedError('FORBIDDEN');
    request.principal = principal;
    // Whatever an operator does is logged under their name: every later line of this request says who.
    // request.log is already this request's own child logger, so it takes the binding in place; a child
    // of it cost about 6 us per request (measured), several per cent of the deposit route's CPU.
    if (principal.role === 'ops') (request.log as Logger).setBindings({ opsCaller: principal.caller });
  });
  // A terminal's signature covers the raw body: it is checked on the bytes, before JSON parsing and before
  // the route's schema, so a forged request costs one digest and one verify and is parsed never.
  app.addHook('preParsing', async (request, _reply, payload) => {
    const principal = request.principal;
    if (principal?.role !== 'terminal') return payload;
    const verified = await verifyTerminalBody(
      deps,
      principal,
      { method: request.method, url: request.url },
      payload,
      {
        nonceConsumedByHandler: request.routeOptions.config.nonceConsumedByHandler === true,
        retiredKeyMaySign: request.routeOptions.config.retiredKeyMaySign === true,
      },
    );
    request.principal = { role: 'terminal', ...verified.caller };
    return verified.body;
  });
}
