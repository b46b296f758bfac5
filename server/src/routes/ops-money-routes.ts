import {
  AssignClaimRequestSchema,
  BankDepositListSchema,
  BankDepositRequestSchema,
  BankDepositSchema,
  CashPositionSchema,
  CashReportFiledSchema,
  ClaimAssignmentSchema,
  ClaimAssignmentUndoSchema,
  ClearReviewRequestSchema,
  CollectionListSchema,
  CollectionQuerySchema,
  CollectionRequestSchema,
  CollectionSchema,
  FileCashReportRequestSchema,
  ReviewItemSchema,
  ReviewCountSchema,
  ReviewListSchema,
  SettlementQuerySchema,
  SettlementSchema,
  StoreRemittanceListSchema,
  StoreRemittanceRequestSchema,
  StoreRemittanceSchema,
  SuspenseListSchema,
  SuspenseQuerySchema,
  UndoClaimAssignmentRequestSchema,
  opsApiPaths,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assignClaim } from '../claims/redeem-claim.js';
import { undoClaimAssignment } from '../claims/undo-claim-assignment.js';
import { listBankDeposits, recordBankDeposit } from '../collections/bank-deposits.js';
import { cashPosition, cashPositionCsv } from '../collections/cash-position.js';
import { listCollections, recordCollection } from '../collections/collections.js';
import type { Deps } from '../deps.js';
import { plainJsonSerializer } from '../http/plain-serializer.js';
import { opsCallerOf } from '../http/roles.js';
import { clearReview, countReviews, fileCashReport, listReviews } from '../reviews/reviews.js';
import { settlementCsv, settlementFor } from '../settlements/settlement.js';
import { listRemittances, recordRemittance } from '../stores/remittances.js';
import { listSuspense } from '../suspense/suspense-queue.js';
import { StoreParamsSchema } from './ops-fleet-routes.js';

const ReviewParamsSchema = z.object({ depositId: z.string().min(1).max(64) });
const ClaimParamsSchema = z.object({ claimId: z.string().min(1).max(64) });

/**
 * The ops console's money: cash collections, settlement reports (JSON and CSV), the suspense queue, and
 * the review queue (holds to clear, cash reports to record).
 */
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
        schema: {
          tags: ['ops'],
          querystring: CollectionQuerySchema,
          response: { 200: CollectionListSchema },
        },
        serializerCompiler: plainJsonSerializer,
      },
      async (request) => ({
        collections: await listCollections(deps, { inTransit: request.query.inTransit === 'true' }),
      }),
    );

    app.post(
      opsApiPaths.bankDeposits,
      {
        config: ops,
        schema: {
          tags: ['ops'],
          body: BankDepositRequestSchema,
          response: { 201: BankDepositSchema },
        },
        serializerCompiler: plainJsonSerializer,
      },
      async (request, reply) => {
        const deposit = await recordBankDeposit(deps, request.body, opsCallerOf(request));
        request.log.info(
          {
            bankDepositId: deposit.bankDepositId,
            collections: deposit.collectionIds.length,
            differenceMinor: deposit.differenceMinor,
          },
          'bank deposit recorded',
        );
        return reply.status(201).send(deposit);
      },
    );

    app.get(
      opsApiPaths.bankDeposits,
      {
        config: ops,
        schema: { tags: ['ops'], response: { 200: BankDepositListSchema } },
        serializerCompiler: plainJsonSerializer,
      },
      async () => ({ bankDeposits: await listBankDeposits(deps) }),
    );

    app.post(
      '/v1/ops/stores/:storeId/remittances',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: StoreParamsSchema,
          body: StoreRemittanceRequestSchema,
          response: { 201: StoreRemittanceSchema },
        },
      },
      async (request, reply) => {
        const remittance = await recordRemittance(
          deps,
          request.params.storeId,
          request.body,
          opsCallerOf(request),
        );
        request.log.info(
          { remittanceId: remittance.remittanceId, storeId: remittance.storeId },
          'store remittance recorded',
        );
        return reply.status(201).send(remittance);
      },
    );

    app.get(
      '/v1/ops/stores/:storeId/remittances',
      {
        config: ops,
        schema: { tags: ['ops'], params: StoreParamsSchema, response: { 200: StoreRemittanceListSchema } },
      },
      async (request) => listRemittances(deps, request.params.storeId),
    );

    app.get(
      opsApiPaths.cashPosition,
      { config: ops, schema: { tags: ['ops'], response: { 200: CashPositionSchema } } },
      async () => cashPosition(deps),
    );

    app.get(
      opsApiPaths.cashPositionCsv,
      {
        config: ops,
        schema: { tags: ['ops'], response: { 200: z.string() } },
        serializerCompiler: () => (data) => String(data),
      },
      async (_request, reply) => {
        const position = await cashPosition(deps);
        const stamp = new Date(position.asOfMs).toISOString().slice(0, 19).replaceAll(':', '-');
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="cash-position-${stamp}Z.csv"`)
          .send(cashPositionCsv(position));
      },
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
      {
        config: ops,
        schema: { tags: ['ops'], querystring: SuspenseQuerySchema, response: { 200: SuspenseListSchema } },
      },
      async (request) => listSuspense(deps, request.query),
    );

    app.post(
      '/v1/ops/suspense/:claimId/assignment',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ClaimParamsSchema,
          body: AssignClaimRequestSchema,
          response: { 200: ClaimAssignmentSchema, 201: ClaimAssignmentSchema },
        },
      },
      async (request, reply) => {
        const assignment = await assignClaim(deps, {
          claimId: request.params.claimId,
          ...request.body,
          by: opsCallerOf(request),
        });
        request.log.info(
          { claimId: assignment.claimId, transferId: assignment.transferId, result: assignment.result },
          'suspense claim assigned',
        );
        return reply.status(assignment.result === 'created' ? 201 : 200).send(assignment);
      },
    );

    app.post(
      '/v1/ops/suspense/:claimId/assignment-undo',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ClaimParamsSchema,
          body: UndoClaimAssignmentRequestSchema,
          response: { 200: ClaimAssignmentUndoSchema, 201: ClaimAssignmentUndoSchema },
        },
      },
      async (request, reply) => {
        const undo = await undoClaimAssignment(deps, {
          claimId: request.params.claimId,
          ...request.body,
          by: opsCallerOf(request),
        });
        request.log.info(
          {
            claimId: undo.claimId,
            undoId: undo.undoId,
            assignmentId: undo.assignmentId,
            result: undo.result,
          },
          'suspense claim assignment undone',
        );
        return reply.status(undo.result === 'created' ? 201 : 200).send(undo);
      },
    );

    app.get(
      opsApiPaths.reviews,
      { config: ops, schema: { tags: ['ops'], response: { 200: ReviewListSchema } } },
      async () => ({ deposits: await listReviews(deps) }),
    );

    app.get(
      opsApiPaths.reviewCount,
      { config: ops, schema: { tags: ['ops'], response: { 200: ReviewCountSchema } } },
      async () => ({ waiting: await countReviews(deps) }),
    );

    app.post(
      '/v1/ops/reviews/:depositId/clearance',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ReviewParamsSchema,
          body: ClearReviewRequestSchema,
          response: { 200: ReviewItemSchema },
        },
      },
      async (request) => {
        const item = await clearReview(deps, {
          depositId: request.params.depositId,
          note: request.body.note,
          by: opsCallerOf(request),
        });
        request.log.info({ depositId: item.depositId }, 'deposit review cleared');
        return item;
      },
    );

    app.post(
      '/v1/ops/reviews/:depositId/cash-report',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ReviewParamsSchema,
          body: FileCashReportRequestSchema,
          response: { 200: CashReportFiledSchema },
        },
      },
      async (request) => {
        const filed = await fileCashReport(deps, {
          depositId: request.params.depositId,
          reference: request.body.reference,
          by: opsCallerOf(request),
        });
        request.log.info({ depositIds: filed.depositIds.length }, 'cash report recorded');
        return filed;
      },
    );
  };
}
