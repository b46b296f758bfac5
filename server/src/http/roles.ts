import { CodedError } from '@cashin/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { secretsEqual } from '../secrets/hash.js';
import { authenticateShopper } from '../shoppers/otp.js';

/**
 * Who may call a route. Every route declares its roles in `config.roles`; a route without a declaration
 * stops the server at start-up. Issue 4 adds 'clerk' and 'terminal' here and in `identify`.
 */
export const roles = ['public', 'shopper', 'ops'] as const;
export type Role = (typeof roles)[number];

export type Principal = { role: 'shopper'; shopperId: string } | { role: 'ops'; caller: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
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

export function installRoles(app: FastifyInstance, config: Config, deps: Deps): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    if (
      route.url.startsWith('/v1') &&
      (route.config?.roles === undefined || route.config.roles.length === 0)
    ) {
      throw new Error(`route ${route.method.toString()} ${route.url} declares no roles`);
    }
  });
  // onRequest: callers are identified before their body is even parsed, so a stranger learns nothing from
  // validation errors and costs us no parsing.
  app.addHook('onRequest', async (request) => {
    const allowed = request.routeOptions.config.roles;
    if (allowed === undefined || allowed.includes('public')) return;
    const token = bearerToken(request);
    if (token === undefined) throw new CodedError('UNAUTHENTICATED');
    let principal: Principal;
    if (config.opsToken !== undefined && secretsEqual(token, config.opsToken)) {
      principal = { role: 'ops', caller: 'ops-token' };
    } else {
      principal = { role: 'shopper', shopperId: await authenticateShopper(deps, token) };
    }
    if (!allowed.includes(principal.role)) throw new CodedError('FORBIDDEN');
    request.principal = principal;
  });
}
