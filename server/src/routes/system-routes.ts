import { CodedError } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../deps.js';
import type { Metrics } from '../http/metrics.js';
import { readDevInbox } from '../shoppers/message-sender.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
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
    // Development only: where the default message sender leaves one-time codes. Off in production.
    app.get('/dev/inbox.json', { schema: { hide: true } }, async () => ({
      messages: await readDevInbox(deps.db),
    }));
    app.get('/dev/inbox', { schema: { hide: true } }, async (_request, reply) => {
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
