import {
  CollectionListSchema,
  CollectionRequestSchema,
  CollectionSchema,
  SettlementQuerySchema,
  SettlementSchema,
  SuspenseListSchema,
  opsApiPaths,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listCollections, recordCollection } from '../collections/collections.js';
import type { Deps } from '../deps.js';
import { plainJsonSerializer } from '../http/plain-serializer.js';
import { opsCallerOf } from '../http/roles.js';
import { settlementCsv, settlementFor } from '../settlements/settlement.js';
import { listSuspense } from '../suspense/suspense-queue.js';

/** The ops console's money: cash collections, settlement reports (JSON and CSV), the suspense queue. */
export function opsMoneyRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const ops = { roles: ['ops'] as const };

    app.post(
      opsApiPaths.collections,
      {
        config: ops,
        schema: { tags: ['ops'], body: CollectionRequestSchema, response: { 201: CollectionSchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async (request, reply) => {
        const collection = await recordCollection(deps, request.body, opsCallerOf(request));
        request.log.info(
          {
            collectionId: collection.collectionId,
            terminalId: collection.terminalId,
            overShortMinor: collection.overShortMinor,
          },
          'collection recorded',
        );
        return reply.status(201).send(collection);
      },
    );

    app.get(
      opsApiPaths.collections,
      {
        config: ops,
        schema: { tags: ['ops'], response: { 200: CollectionListSchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async () => ({ collections: await listCollections(deps) }),
    );

    app.get(
      opsApiPaths.settlements,
      {
        config: ops,
        schema: { tags: ['ops'], querystring: SettlementQuerySchema, response: { 200: SettlementSchema } },
      },
      async (request) => settlementFor(deps, request.query.storeId, request.query.date),
    );

    app.get(
      opsApiPaths.settlementsCsv,
      {
        config: ops,
        schema: { tags: ['ops'], querystring: SettlementQuerySchema, response: { 200: z.string() } },
        serializerCompiler: () => (data) => String(data),
      },
      async (request, reply) => {
        const settlement = await settlementFor(deps, request.query.storeId, request.query.date);
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="settlement-${settlement.storeId}-${settlement.date}.csv"`,
          )
          .send(settlementCsv(settlement));
      },
    );

    app.get(
      opsApiPaths.suspense,
      { config: ops, schema: { tags: ['ops'], response: { 200: SuspenseListSchema } } },
      async () => ({ entries: await listSuspense(deps) }),
    );
  };
}
