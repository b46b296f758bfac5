import { ReceiptRedeemRequestSchema, ReceiptRedeemResponseSchema } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Deps } from '../deps.js';
import { shopperIdOf } from '../http/roles.js';
import { redeemReceipt } from '../receipts/redeem-receipt.js';

/** A shopper redeems a kiosk's signed offline receipt (receipts/redeem-receipt.ts). */
export function receiptRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/v1/me/receipts',
      {
        config: { roles: ['shopper'] },
        schema: {
          tags: ['claims'],
          body: ReceiptRedeemRequestSchema,
          response: { 201: ReceiptRedeemResponseSchema },
        },
      },
      async (request, reply) => {
        const redeemed = await redeemReceipt(deps, shopperIdOf(request), request.body.receipt);
        request.log.info(
          { depositId: redeemed.depositId, creditedTo: redeemed.creditedTo, ownWallet: redeemed.ownWallet },
          'receipt redeemed',
        );
        return reply.status(201).send(redeemed);
      },
    );
  };
}
