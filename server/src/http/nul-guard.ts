import { CodedError } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';

/** How deep a body may nest before the walk stops looking (every wire schema is far shallower). */
const walkDepthMax = 32;

/**
 * Plain loops rather than Object.entries: every request body passes here, and a sync batch of 500
 * deposits has thousands of values; building an entries array per object was about 5% of a re-sent
 * batch's CPU in a profile.
 */
function holdsNul(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth >= walkDepthMax || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsNul(item, depth + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (key.includes('\u0000') || holdsNul(record[key], depth + 1)) return true;
  }
  return false;
}

/**
 * Refuses a NUL character anywhere in a request's path parameters, query or JSON body, before any schema
 * or handler sees it. PostgreSQL text cannot hold one (the insert fails, and the caller would get a 500),
 * SQLite would keep it and C-string tooling downstream would cut at it: no text we take needs one, so it
 * is refused at the edge, alike on both storage adapters, with VALIDATION_FAILED.
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (holdsNul(request.params, 0) || holdsNul(request.query, 0) || holdsNul(request.body, 0)) {
      throw new CodedError('VALIDATION_FAILED', { reason: 'nulCharacter' });
    }
  });
}
