import {
  AddChildRequestSchema,
  ChildListSchema,
  ChildSummarySchema,
  ChildWalletSchema,
  DepositLocationListSchema,
  WalletCapsSchema,
  familyApiPaths,
  locationsApiPath,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { addChild, childWallet, listChildren, setChildCaps } from '../family/family.js';
import { shopperIdOf } from '../http/roles.js';
import { depositLocations } from '../locations/deposit-locations.js';
import { findShopper } from '../shoppers/shoppers.js';
import { depositCodeBody } from './shopper-routes.js';

const ChildParamsSchema = z.object({ childId: z.string().min(1).max(64) });

/** A parent's child wallets (family/family.ts), and where a shopper can pay cash in. */
export function familyRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const shopper = { roles: ['shopper'] as const };

    app.post(
      familyApiPaths.children,
      {
        config: shopper,
        schema: { tags: ['family'], body: AddChildRequestSchema, response: { 201: ChildWalletSchema } },
      },
      async (request, reply) => {
        const added = await addChild(deps, shopperIdOf(request), request.body.name);
        request.log.info({ childId: added.child.id }, 'child wallet added');
        return reply.status(201).send(await childWalletBody(deps, shopperIdOf(request), added.child.id));
      },
    );

    app.get(
      familyApiPaths.children,
      { config: shopper, schema: { tags: ['family'], response: { 200: ChildListSchema } } },
      async (request) => ({ children: await listChildren(deps, shopperIdOf(request)) }),
    );

    app.get(
      '/v1/me/children/:childId',
      {
        config: shopper,
        schema: { tags: ['family'], params: ChildParamsSchema, response: { 200: ChildWalletSchema } },
      },
      async (request) => childWalletBody(deps, shopperIdOf(request), request.params.childId),
    );

    app.put(
      '/v1/me/children/:childId/caps',
      {
        config: shopper,
        schema: {
          tags: ['family'],
          params: ChildParamsSchema,
          body: WalletCapsSchema,
          response: { 200: ChildSummarySchema },
        },
      },
      async (request) => {
        const child = await setChildCaps(deps, shopperIdOf(request), request.params.childId, request.body);
        request.log.info({ childId: child.id }, 'child caps set');
        return child;
      },
    );

    app.get(
      locationsApiPath,
      { config: shopper, schema: { tags: ['locations'], response: { 200: DepositLocationListSchema } } },
      async (request) => {
        const me = await deps.db.transaction((tx) => findShopper(tx, shopperIdOf(request)));
        if (me === undefined) throw new Error('an authenticated shopper vanished');
        return { locations: await depositLocations(deps, me.currency) };
      },
    );
  };
}

async function childWalletBody(deps: Deps, parentId: string, childId: string) {
  const { child, view, depositCode } = await childWallet(deps, parentId, childId);
  return {
    child,
    allowance: view.allowance,
    depositCode: depositCodeBody(depositCode),
    history: view.history,
  };
}
