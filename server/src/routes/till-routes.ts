import {
  AuthorizationSchema,
  AuthorizeRequestSchema,
  ClerkSessionSchema,
  ClerkSignInRequestSchema,
  CodeLookupRequestSchema,
  CodeLookupResponseSchema,
  ShiftSummarySchema,
  VoidRequestSchema,
  maskCode,
  tillApiPaths,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { endClerkSession, signInClerk } from '../clerks/clerks.js';
import type { Deps } from '../deps.js';
import { plainJsonSerializer } from '../http/plain-serializer.js';
import { bearerToken, clerkOf } from '../http/roles.js';
import { publicStore, requireStore } from '../stores/stores.js';
import {
  authorizeDeposit,
  commitDeposit,
  lookUpForTill,
  shiftSummary,
  voidDeposit,
} from '../till/authorizations.js';

const AuthorizationParamsSchema = z.object({ authorizationId: z.string().min(1).max(64) });

/** The clerk's till (till-api.ts): sign in, authorize -> commit -> void, and the shift summary. */
export function tillRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const clerkOnly = { roles: ['clerk'] as const };

    app.post(
      tillApiPaths.session,
      {
        // The PIN is the credential; throttled and locked in the database (clerks/clerks.ts).
        config: { roles: ['public'] },
        schema: { tags: ['till'], body: ClerkSignInRequestSchema, response: { 201: ClerkSessionSchema } },
      },
      async (request, reply) => {
        const session = await signInClerk(deps, request.body);
        request.log.info({ clerkId: session.clerk.id, storeId: session.store.id }, 'clerk signed in');
        return reply.status(201).send({ ...session, store: publicStore(session.store) });
      },
    );

    app.delete(
      tillApiPaths.session,
      { config: clerkOnly, schema: { tags: ['till'] } },
      async (request, reply) => {
        const token = bearerToken(request);
        if (token !== undefined) await endClerkSession(deps, token);
        request.log.info({ clerkId: clerkOf(request).clerkId }, 'clerk signed out');
        return reply.status(204).send();
      },
    );

    app.post(
      tillApiPaths.lookups,
      {
        config: clerkOnly,
        schema: {
          tags: ['till'],
          description:
            "A scanned code before the amount: masked name, allowance and a payment slip's amount. Moves " +
            "nothing; counts against the clerk's code lookups per minute, as authorizing does.",
          body: CodeLookupRequestSchema,
          response: { 200: CodeLookupResponseSchema },
        },
      },
      async (request) => lookUpForTill(deps, clerkOf(request), request.body.code),
    );

    app.post(
      tillApiPaths.authorizations,
      {
        config: clerkOnly,
        schema: { tags: ['till'], body: AuthorizeRequestSchema, response: { 201: AuthorizationSchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async (request, reply) => {
        const clerk = clerkOf(request);
        const authorization = await authorizeDeposit(deps, clerk, request.body);
        request.log.info(
          {
            authorizationId: authorization.authorizationId,
            code: maskCode(request.body.code),
            clerkId: clerk.clerkId,
          },
          'till authorized',
        );
        return reply.status(201).send(authorization);
      },
    );

    app.post(
      '/v1/till/authorizations/:authorizationId/commit',
      {
        config: clerkOnly,
        schema: { tags: ['till'], params: AuthorizationParamsSchema, response: { 200: AuthorizationSchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async (request) => {
        const authorization = await commitDeposit(deps, clerkOf(request), request.params.authorizationId);
        request.log.info({ authorizationId: authorization.authorizationId }, 'till committed');
        return authorization;
      },
    );

    app.post(
      '/v1/till/authorizations/:authorizationId/void',
      {
        config: clerkOnly,
        schema: {
          tags: ['till'],
          params: AuthorizationParamsSchema,
          body: VoidRequestSchema,
          response: { 200: AuthorizationSchema },
        },
        serializerCompiler: plainJsonSerializer,
      },
      async (request) => {
        const authorization = await voidDeposit(
          deps,
          clerkOf(request),
          request.params.authorizationId,
          request.body.reason,
        );
        request.log.info({ authorizationId: authorization.authorizationId }, 'till voided');
        return authorization;
      },
    );

    app.get(
      tillApiPaths.shift,
      {
        config: clerkOnly,
        schema: { tags: ['till'], response: { 200: ShiftSummarySchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async (request) => {
        const clerk = clerkOf(request);
        const summary = await shiftSummary(deps, clerk);
        const store = await deps.db.transaction((tx) => requireStore(tx, clerk.storeId));
        return {
          clerk: { id: clerk.clerkId, name: summary.clerkName },
          store: publicStore(store),
          sinceMs: summary.sinceMs,
          deposits: summary.deposits,
          voids: summary.voids,
          otherVoids: summary.otherVoids,
          cashToHandOverMinor: summary.cashToHandOverMinor,
          recent: summary.recent,
        };
      },
    );
  };
}
