import {
  AuditTrailQuerySchema,
  AuditTrailSchema,
  AuditVerificationSchema,
  auditBreaksListedMax,
  auditVerificationPath,
  CashAccountRequestSchema,
  CashAccountResponseSchema,
  KycRequestSchema,
  OpsShopperQuerySchema,
  OpsShopperSchema,
  opsApiPaths,
  ShopperSchema,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditTrail } from '../audit/audit-trail.js';
import { verifyAudit } from '../audit/audit-verify.js';
import type { Deps } from '../deps.js';
import { opsCallerOf } from '../http/roles.js';
import { ensureAccount } from '../ledger/accounts.js';
import { publicShopper, setKycTier } from '../shoppers/shoppers.js';
import { shopperForOps } from '../wallets/ops-shopper.js';

export function opsRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    /** Opens (or finds) the drawer of a store or the bag of a kiosk; issue 4 calls this when it creates them. */
    app.post(
      '/v1/ops/cash-accounts',
      {
        config: { roles: ['ops'] },
        schema: {
          tags: ['ops'],
          body: CashAccountRequestSchema,
          response: { 200: CashAccountResponseSchema },
        },
      },
      async (request) => {
        const nowMs = deps.clock.nowMs();
        const accountId = await deps.db.transaction((tx) =>
          ensureAccount(tx, request.body, deps.newId, nowMs),
        );
        return { accountId };
      },
    );

    /**
     * Walks the whole hash-chained audit log now (audit/audit-verify.ts, what `npm run audit:verify` runs)
     * and answers how many entries verified, or the first broken link of each broken chain.
     */
    app.get(
      auditVerificationPath,
      {
        config: { roles: ['ops'] },
        schema: { tags: ['ops'], response: { 200: AuditVerificationSchema } },
      },
      async (request) => {
        const report = await verifyAudit(deps.db);
        request.log.info(
          { entries: report.entries, chains: report.chains, broken: report.breaks.length },
          'audit log verified',
        );
        return {
          ok: report.ok,
          chains: report.chains,
          entries: report.entries,
          brokenChains: report.breaks.length,
          breaks: report.breaks.slice(0, auditBreaksListedMax),
          checkedAtMs: deps.clock.nowMs(),
        };
      },
    );

    /** The audit trail, newest first: one subject's chain, or every entry that is not a deposit. */
    app.get(
      opsApiPaths.auditEntries,
      {
        config: { roles: ['ops'] },
        schema: { tags: ['ops'], querystring: AuditTrailQuerySchema, response: { 200: AuditTrailSchema } },
      },
      async (request) => listAuditTrail(deps, request.query),
    );

    app.put(
      '/v1/ops/shoppers/:shopperId/kyc',
      {
        config: { roles: ['ops'] },
        schema: {
          tags: ['ops'],
          params: z.object({ shopperId: z.string().max(64) }),
          body: KycRequestSchema,
          response: { 200: ShopperSchema },
        },
      },
      async (request) => {
        const shopper = await setKycTier(
          deps,
          request.params.shopperId,
          request.body.tier,
          opsCallerOf(request),
        );
        return publicShopper(shopper);
      },
    );

    app.get(
      opsApiPaths.shoppers,
      {
        config: { roles: ['ops'] },
        schema: {
          tags: ['ops'],
          description:
            'One shopper by phone number (E.164), for a support call: their wallet as they see it and ' +
            'their masked deposit code. NOT_FOUND (field phone) when no wallet has the number. Each search ' +
            "counts against the operator's code lookups per minute (RATE_LIMITED past them), and each " +
            'shopper shown is audited (shopper.viewed, with who looked).',
          querystring: OpsShopperQuerySchema,
          response: { 200: OpsShopperSchema },
        },
      },
      async (request) => shopperForOps(deps, request.query.phone, opsCallerOf(request)),
    );
  };
}
