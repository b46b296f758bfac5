import { CodedError } from '@cashin/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../deps.js';
import type { Metrics } from '../http/metrics.js';
import { readDevInbox } from '../shoppers/message-sender.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** 127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export function systemRoutes(deps: Deps, metrics: Metrics, devInboxEnabled: boolean) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));

    app.get('/readyz', { schema: { hide: true } }, async () => {
      try {
        await deps.db.ping();
      } catch {
        throw new CodedError('SERVICE_UNAVAILABLE');
      }
      return { ok: true };
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });

    if (!devInboxEnabled) return;
    // Development only: where the default message sender leaves one-time codes. Off unless asked for, and
    // even then only for a browser on this machine: the server listens on every interface by default, and
    // anyone else reading the inbox could sign in as any shopper.
    const fromThisMachine = async (request: FastifyRequest): Promise<void> => {
      // request.ip: a reverse proxy on this machine connects from loopback for clients anywhere.
      if (!isLoopbackAddress(request.ip)) throw new CodedError('NOT_FOUND');
    };
    app.get('/dev/inbox.json', { schema: { hide: true }, onRequest: fromThisMachine }, async () => ({
      messages: await readDevInbox(deps.db),
    }));
    app.get('/dev/inbox', { schema: { hide: true }, onRequest: fromThisMachine }, async (_request, reply) => {
      const messages = await readDevInbox(deps.db);
      const rows = messages
        .map(
          (m) =>
            `<tr><td>${escapeHtml(new Date(m.createdAtMs).toISOString())}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.text)}</td></tr>`,
        )
        .join('');
      return reply
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><title>Development inbox</title><h1>Development inbox</h1><table>${rows}</table>`,
        );
    });
  };
}
