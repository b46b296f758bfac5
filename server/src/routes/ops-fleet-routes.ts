import {
  AlertCountSchema,
  AlertListSchema,
  AlertQuerySchema,
  AlertSchema,
  ClerkListSchema,
  ClerkSchema,
  CreateClerkRequestSchema,
  CreateStoreRequestSchema,
  CreateTerminalRequestSchema,
  EnrollmentTokenSchema,
  KeyRevocationRequestSchema,
  KeyRotationRequestSchema,
  KeyRotationSchema,
  OpsStoreSchema,
  ResetClerkPinRequestSchema,
  ResolveAlertRequestSchema,
  ServerKeyRolloverSchema,
  SetClerkEnabledRequestSchema,
  StoreListSchema,
  TerminalKeyListSchema,
  TerminalListSchema,
  TerminalSummarySchema,
  opsApiPaths,
  uuidV7Pattern,
} from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { countOpenAlerts, listAlerts, resolveAlertByHand } from '../alerts/alerts.js';
import { createClerk, listClerks, resetClerkPin, setClerkEnabled } from '../clerks/clerks.js';
import type { Deps } from '../deps.js';
import { opsCallerOf } from '../http/roles.js';
import { createStore, listStores, publicStore } from '../stores/stores.js';
import { createTerminal, rotateTerminalKey, setTerminalEnabled } from '../terminals/enrollment.js';
import type { ServerKeyList } from '../terminals/answer-signing.js';
import { revokeTerminalKey } from '../terminals/key-revocation.js';
import { cancelSetAsideRetry, requestSetAsideRetry } from '../terminals/set-aside-retry.js';
import { terminalKeyList } from '../terminals/terminal-key-status.js';
import { findTerminal, listTerminals } from '../terminals/terminal-record.js';
import { terminalSummary } from '../terminals/terminal-status.js';

export const StoreParamsSchema = z.object({ storeId: z.string().min(1).max(64) });
const TerminalParamsSchema = z.object({ terminalId: z.string().min(1).max(64) });
const AlertParamsSchema = z.object({ alertId: z.string().min(1).max(64) });
const SetAsideRetryParamsSchema = TerminalParamsSchema.extend({ requestId: z.string().regex(uuidV7Pattern) });

/**
 * The ops console's fleet: stores, clerks, terminals (enrollment, disable, key rotation and revocation)
 * and alerts.
 */
export function opsFleetRoutes(deps: Deps, serverKeys: ServerKeyList) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const ops = { roles: ['ops'] as const };
    /** The terminal as the fleet lists it, after an act on it. */
    const summaryOf = async (terminalId: string) => {
      const terminal = await deps.db.transaction((tx) => findTerminal(tx, terminalId));
      if (terminal === undefined) throw new Error(`terminal ${terminalId} vanished after an act on it`);
      return terminalSummary(terminal, deps.limits, deps.clock.nowMs());
    };

    app.post(
      opsApiPaths.stores,
      {
        config: ops,
        schema: { tags: ['ops'], body: CreateStoreRequestSchema, response: { 201: OpsStoreSchema } },
      },
      async (request, reply) =>
        reply.status(201).send(publicStore(await createStore(deps, request.body, opsCallerOf(request)))),
    );

    app.get(
      opsApiPaths.stores,
      { config: ops, schema: { tags: ['ops'], response: { 200: StoreListSchema } } },
      async () => ({
        stores: (await listStores(deps)).map((store) => ({
          ...publicStore(store),
          owedMinor: store.owedMinor,
        })),
      }),
    );

    app.post(
      '/v1/ops/stores/:storeId/clerks',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: StoreParamsSchema,
          body: CreateClerkRequestSchema,
          response: { 201: ClerkSchema },
        },
      },
      async (request, reply) => {
        const clerk = await createClerk(deps, request.params.storeId, request.body, opsCallerOf(request));
        request.log.info({ clerkId: clerk.id, storeId: clerk.storeId }, 'clerk created');
        return reply.status(201).send(clerk);
      },
    );

    app.get(
      '/v1/ops/stores/:storeId/clerks',
      {
        config: ops,
        schema: { tags: ['ops'], params: StoreParamsSchema, response: { 200: ClerkListSchema } },
      },
      async (request) => ({ clerks: await listClerks(deps, request.params.storeId) }),
    );

    const ClerkParamsSchema = StoreParamsSchema.extend({ clerkId: z.string().min(1).max(64) });

    app.put(
      '/v1/ops/stores/:storeId/clerks/:clerkId/enabled',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ClerkParamsSchema,
          body: SetClerkEnabledRequestSchema,
          response: { 200: ClerkSchema },
        },
      },
      async (request) => {
        const { storeId, clerkId } = request.params;
        const clerk = await setClerkEnabled(
          deps,
          storeId,
          clerkId,
          request.body.enabled,
          opsCallerOf(request),
        );
        request.log.info({ clerkId, storeId, enabled: request.body.enabled }, 'clerk enabled set');
        return clerk;
      },
    );

    app.put(
      '/v1/ops/stores/:storeId/clerks/:clerkId/pin',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: ClerkParamsSchema,
          body: ResetClerkPinRequestSchema,
          response: { 200: ClerkSchema },
        },
      },
      async (request) => {
        const { storeId, clerkId } = request.params;
        const clerk = await resetClerkPin(deps, storeId, clerkId, request.body.pin, opsCallerOf(request));
        request.log.info({ clerkId, storeId }, 'clerk PIN reset');
        return clerk;
      },
    );

    app.post(
      opsApiPaths.terminals,
      {
        config: ops,
        schema: {
          tags: ['ops'],
          body: CreateTerminalRequestSchema,
          response: { 201: EnrollmentTokenSchema },
        },
      },
      async (request, reply) => {
        const token = await createTerminal(deps, request.body, opsCallerOf(request));
        request.log.info({ terminalId: token.terminalId }, 'terminal created');
        return reply.status(201).send(token);
      },
    );

    app.get(
      opsApiPaths.terminals,
      { config: ops, schema: { tags: ['ops'], response: { 200: TerminalListSchema } } },
      async () => {
        const nowMs = deps.clock.nowMs();
        const terminals = await deps.db.transaction((tx) => listTerminals(tx));
        return { terminals: terminals.map((terminal) => terminalSummary(terminal, deps.limits, nowMs)) };
      },
    );

    for (const [action, enabled] of [
      ['disable', false],
      ['enable', true],
    ] as const) {
      app.post(
        `/v1/ops/terminals/:terminalId/${action}`,
        {
          config: ops,
          schema: { tags: ['ops'], params: TerminalParamsSchema, response: { 200: TerminalSummarySchema } },
        },
        async (request) => {
          await setTerminalEnabled(deps, request.params.terminalId, enabled, opsCallerOf(request));
          request.log.info({ terminalId: request.params.terminalId, enabled }, 'terminal enabled changed');
          return summaryOf(request.params.terminalId);
        },
      );
    }

    app.post(
      '/v1/ops/terminals/:terminalId/key-rotations',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: "Rotate a terminal's key: a one-time token for the new device",
          description:
            'Ops say what became of the old device. replaced: its key keeps working until the new device ' +
            'enrolls, then may sign sync batches only, for the kiosk offline window, every deposit held ' +
            'for review. lost: its key is revoked at once, before any new device enrolls, and every ' +
            'request it signs is refused with TERMINAL_KEY_REVOKED, sync batches included; a keyRevoked ' +
            'alert opens. Audited on the terminal with the choice.',
          params: TerminalParamsSchema,
          body: KeyRotationRequestSchema,
          response: { 201: KeyRotationSchema },
        },
      },
      async (request, reply) => {
        const rotation = await rotateTerminalKey(
          deps,
          request.params.terminalId,
          request.body.oldDevice,
          opsCallerOf(request),
        );
        request.log.info(
          {
            terminalId: rotation.terminalId,
            oldDevice: rotation.oldDevice,
            revokedKeyFingerprint: rotation.revokedKeyFingerprint,
          },
          'terminal key rotation started',
        );
        return reply.status(201).send(rotation);
      },
    );

    app.get(
      '/v1/ops/terminals/:terminalId/keys',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: "A terminal's keys, newest first: current, handing over, retired or revoked",
          params: TerminalParamsSchema,
          response: { 200: TerminalKeyListSchema },
        },
      },
      async (request) =>
        deps.db.transaction((tx) =>
          terminalKeyList(tx, deps.limits, request.params.terminalId, deps.clock.nowMs()),
        ),
    );

    app.post(
      '/v1/ops/terminals/:terminalId/key-revocations',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: 'Revoke one terminal key at once: its device is lost or stolen',
          description:
            'For a device learnt lost after a replaced rotation: its key, handing over or still current ' +
            "(the new device not enrolled yet; the rotation's token stays good), is refused from now on " +
            'for every request with TERMINAL_KEY_REVOKED. Audited on the terminal; a keyRevoked alert ' +
            'opens. Revoking a revoked key changes nothing.',
          params: TerminalParamsSchema,
          body: KeyRevocationRequestSchema,
          response: { 200: TerminalKeyListSchema },
        },
      },
      async (request) => {
        const { terminalId } = request.params;
        const { keyFingerprint } = request.body;
        const keys = await revokeTerminalKey(deps, terminalId, keyFingerprint, opsCallerOf(request));
        request.log.info({ terminalId, keyFingerprint }, 'terminal key revoked');
        return keys;
      },
    );

    app.post(
      '/v1/ops/terminals/:terminalId/set-aside-retries',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: 'Ask a kiosk to send its set-aside deposits again',
          description:
            "What a tech does from the kiosk's maintenance screen, from the console: the kiosk hears of " +
            'the request in its next heartbeat answer, puts the deposits it set aside back in its queue and ' +
            'syncs, and reports what came of it (lastSetAsideRetry). Each deposit is credited once at most, ' +
            'by its id. While a request waits, asking again answers it. CONFLICT when the kiosk is not ' +
            'enrolled or reports nothing set aside. Audited on the terminal.',
          params: TerminalParamsSchema,
          response: { 202: TerminalSummarySchema },
        },
      },
      async (request, reply) => {
        const { terminalId } = request.params;
        await requestSetAsideRetry(deps, terminalId, opsCallerOf(request));
        request.log.info({ terminalId }, 'set-aside deposits asked to be sent again');
        return reply.status(202).send(await summaryOf(terminalId));
      },
    );

    app.delete(
      '/v1/ops/terminals/:terminalId/set-aside-retries/:requestId',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: 'Cancel a request to send set-aside deposits again that the kiosk has not answered',
          description:
            'For a kiosk whose software cannot do it (it never reports) or one that is out of service: ' +
            'heartbeat answers stop naming the request, so a kiosk that has not run it never will. A ' +
            'deposit it already sent stays credited once. CONFLICT (setAsideRetryNotPending) when the ' +
            'request no longer waits: the kiosk reported, or it was cancelled. Audited on the terminal.',
          params: SetAsideRetryParamsSchema,
          response: { 200: TerminalSummarySchema },
        },
      },
      async (request) => {
        const { terminalId, requestId } = request.params;
        await cancelSetAsideRetry(deps, terminalId, requestId, opsCallerOf(request));
        request.log.info({ terminalId, requestId }, 'request to send set-aside deposits again cancelled');
        return summaryOf(terminalId);
      },
    );

    app.get(
      opsApiPaths.serverKeys,
      {
        config: ops,
        schema: {
          tags: ['ops'],
          summary: "Where a rollover of the server's answer-signing key stands",
          description:
            'The keys this server hands kiosks in enrollment and heartbeat answers (the signing key, then ' +
            'SERVER_TRUSTED_KEYS), and the enrolled kiosks whose last heartbeat did not list every one. ' +
            'Switch SERVER_SIGNING_KEY to a listed key only when none is behind.',
          response: { 200: ServerKeyRolloverSchema },
        },
      },
      async () => {
        const terminals = await deps.db.transaction((tx) => listTerminals(tx));
        const enrolled = terminals.filter((terminal) => terminal.publicKey !== null);
        const [signingKey, ...trustedKeys] = serverKeys;
        const holdsEvery = (held: readonly string[] | null) =>
          held !== null && serverKeys.every((key) => held.includes(key));
        return {
          signingKey,
          trustedKeys,
          enrolledTerminals: enrolled.length,
          behind: enrolled
            .filter((terminal) => !holdsEvery(terminal.serverKeys))
            .map((terminal) => ({
              id: terminal.id,
              name: terminal.name,
              lastHeartbeatAtMs: terminal.lastHeartbeatAtMs,
              serverKeys: terminal.serverKeys,
            })),
        };
      },
    );

    app.get(
      opsApiPaths.alerts,
      {
        config: ops,
        schema: { tags: ['ops'], querystring: AlertQuerySchema, response: { 200: AlertListSchema } },
      },
      async (request) => ({ alerts: await listAlerts(deps, request.query.open !== 'false') }),
    );

    app.get(
      opsApiPaths.alertCount,
      { config: ops, schema: { tags: ['ops'], response: { 200: AlertCountSchema } } },
      async () => ({ open: await countOpenAlerts(deps) }),
    );

    app.post(
      '/v1/ops/alerts/:alertId/resolution',
      {
        config: ops,
        schema: {
          tags: ['ops'],
          params: AlertParamsSchema,
          body: ResolveAlertRequestSchema,
          response: { 200: AlertSchema },
        },
      },
      async (request) => {
        const alert = await resolveAlertByHand(deps, {
          alertId: request.params.alertId,
          note: request.body.note,
          by: opsCallerOf(request),
        });
        request.log.info({ alertId: alert.id, kind: alert.kind }, 'alert resolved by hand');
        return alert;
      },
    );
  };
}
