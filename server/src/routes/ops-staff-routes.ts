import {
  CreateStaffRequestSchema,
  SetStaffEnabledRequestSchema,
  StaffListSchema,
  StaffSchema,
  StaffSessionSchema,
  StaffSignInRequestSchema,
  opsApiPaths,
  serviceTokenActor,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { bearerToken, opsCallerOf } from '../http/roles.js';
import { createStaff, endStaffSession, listStaff, setStaffEnabled, signInStaff } from '../staff/staff.js';

const StaffParamsSchema = z.object({ staffId: z.string().min(1).max(64) });

/** Ops staff: sign in and out of the console, and the accounts of the people in operations. */
export function opsStaffRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const ops = { roles: ['ops'] as const };

    app.post(
      opsApiPaths.session,
      {
        // The password is the credential; throttled and locked in the database (staff/staff.ts).
        config: { roles: ['public'] },
        schema: { tags: ['ops'], body: StaffSignInRequestSchema, response: { 201: StaffSessionSchema } },
      },
      async (request, reply) => {
        const session = await signInStaff(deps, request.body);
        request.log.info({ staffId: session.staff.id }, 'ops staff signed in');
        return reply.status(201).send(session);
      },
    );

    app.delete(opsApiPaths.session, { config: ops, schema: { tags: ['ops'] } }, async (request, reply) => {
      const token = bearerToken(request);
      // The service token is not a session: there is nothing to end.
      if (token !== undefined && opsCallerOf(request) !== serviceTokenActor)
        await endStaffSession(deps, token);
      return reply.status(204).send();
    });

    app.post(
      opsApiPaths.staff,
      {
        config: ops,
        schema: { tags: ['ops'], body: CreateStaffRequestSchema, response: { 201: StaffSchema } },
      },
      async (request, reply) => {
        const staff = await createStaff(deps, request.body, opsCallerOf(request));
        request.log.info({ staffId: staff.id }, 'ops staff created');
        return reply.status(201).send(staff);
      },
    );

    app.get(
      opsApiPaths.staff,
      { config: ops, schema: { tags: ['ops'], response: { 200: StaffListSchema } } },
      async () => ({ staff: await listStaff(deps) }),
    );

    app.put(
      '/v1/ops/staff/:staffId/enabled',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: StaffParamsSchema,
          body: SetStaffEnabledRequestSchema,
          response: { 200: StaffSchema },
        },
      },
      async (request) => {
        const staff = await setStaffEnabled(
          deps,
          request.params.staffId,
          request.body.enabled,
          opsCallerOf(request),
        );
        request.log.info({ staffId: staff.id, enabled: staff.disabledAtMs === null }, 'ops staff changed');
        return staff;
      },
    );
  };
}
