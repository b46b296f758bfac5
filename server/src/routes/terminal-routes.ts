import {
  CodedError,
  EnrollRequestSchema,
  EnrollResponseSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  LookupRequestSchema,
  LookupResponseSchema,
  SyncRequestSchema,
  SyncResponseSchema,
  terminalApiPaths,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.js';
import { plainJsonSerializer } from '../http/plain-serializer.js';
import { terminalOf } from '../http/roles.js';
import { syncBatch } from '../sync/sync-batch.js';
import { enrollTerminal } from '../terminals/enrollment.js';
import type { ServerKeyList } from '../terminals/answer-signing.js';
import { recordHeartbeat } from '../terminals/heartbeat.js';
import { terminalLookup } from '../terminals/terminal-lookup.js';

/**
 * The kiosk's channel (terminal-api.ts): enrollment with a one-time token, then signed sync batches, code
 * lookups and heartbeats. The signature, terminal, clock skew and nonce are checked by the role hooks
 * (http/roles.ts) before any body is parsed; every answer to a signed request is signed in turn with the
 * server's key (terminals/answer-signing.ts), whose public half `serverPublicKey` enrollment hands over.
 * Enrollment and heartbeat answers name every key the kiosk is to believe (`serverKeys`: the signing key's,
 * then SERVER_TRUSTED_KEYS), which is how the key is rolled over.
 */
export function terminalRoutes(deps: Deps, keys: ServerKeyList) {
  const [serverPublicKey] = keys;
  const serverKeys = [...keys];
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.post(
      terminalApiPaths.enroll,
      {
        // The token is the credential: a kiosk has no key the server knows yet.
        config: { roles: ['public'] },
        schema: { tags: ['terminal'], body: EnrollRequestSchema, response: { 200: EnrollResponseSchema } },
      },
      async (request) => {
        const enrollment = await enrollTerminal(deps, request.body);
        request.log.info({ terminalId: enrollment.terminalId }, 'terminal enrolled');
        return { ...enrollment, serverPublicKey, serverKeys };
      },
    );

    app.post(
      terminalApiPaths.sync,
      {
        config: { roles: ['terminal'], nonceConsumedByHandler: true, retiredKeyMaySign: true },
        schema: { tags: ['terminal'], body: SyncRequestSchema, response: { 200: SyncResponseSchema } },
        serializerCompiler: plainJsonSerializer,
        // A batch over the limit gets its own code (the kiosk then splits it) rather than a schema error.
        preValidation: async (request) => {
          const deposits = (request.body as { deposits?: unknown } | undefined)?.deposits;
          if (Array.isArray(deposits) && deposits.length > deps.limits.system.syncBatchDepositsMax) {
            throw new CodedError('SYNC_BATCH_TOO_LARGE', {
              depositsMax: deps.limits.system.syncBatchDepositsMax,
            });
          }
        },
      },
      async (request) => {
        const terminal = terminalOf(request);
        const results = await syncBatch(deps, terminal, request.body.deposits);
        const counts = { created: 0, exists: 0, conflict: 0 };
        for (const result of results) counts[result.status] += 1;
        request.log.info({ terminalId: terminal.terminalId, ...counts }, 'sync batch');
        return { results, serverTimeMs: deps.clock.nowMs() };
      },
    );

    app.post(
      terminalApiPaths.lookup,
      {
        config: { roles: ['terminal'] },
        schema: { tags: ['terminal'], body: LookupRequestSchema, response: { 200: LookupResponseSchema } },
      },
      async (request) => terminalLookup(deps, terminalOf(request), request.body.code),
    );

    app.post(
      terminalApiPaths.heartbeat,
      {
        config: { roles: ['terminal'], terminalMayBeDisabled: true },
        schema: {
          tags: ['terminal'],
          body: HeartbeatRequestSchema,
          response: { 200: HeartbeatResponseSchema },
        },
      },
      async (request) => ({
        ...(await recordHeartbeat(deps, terminalOf(request), request.body)),
        serverKeys,
      }),
    );
  };
}
