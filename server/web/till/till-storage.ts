import type { Authorization } from '@cashin/shared';
import { AuthorizationSchema, ClerkSessionSchema } from '@cashin/shared';
import type { z } from 'zod';
import { safeStorage } from '../common/i18n.js';

/**
 * What the till keeps in sessionStorage (this tab only; closing it signs the clerk out). The authorization
 * id is chosen by the till and written here before it is sent, so a retry after a lost answer, or after a
 * reload mid-commit, re-sends the same id and the server credits the deposit once.
 */
export type ClerkSession = z.output<typeof ClerkSessionSchema>;

const sessionKey = 'cashin.till.session';
const commitKey = 'cashin.till.pendingCommit';

function read<T>(key: string, schema: z.ZodType<T>): T | null {
  const raw = safeStorage(sessionStorage)?.getItem(key);
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // Damaged: treated as absent.
  }
  safeStorage(sessionStorage)?.removeItem(key);
  return null;
}

function write(key: string, value: unknown): void {
  const storage = safeStorage(sessionStorage);
  if (value === null) storage?.removeItem(key);
  else storage?.setItem(key, JSON.stringify(value));
}

export function loadClerkSession(nowMs: number): ClerkSession | null {
  const session = read(sessionKey, ClerkSessionSchema);
  return session !== null && session.expiresAtMs > nowMs ? session : null;
}

export function saveClerkSession(session: ClerkSession | null): void {
  write(sessionKey, session);
}

/** The authorization being committed: stored before the commit is sent, cleared once it is answered. */
export function loadPendingCommit(): Authorization | null {
  return read(commitKey, AuthorizationSchema);
}

export function savePendingCommit(authorization: Authorization | null): void {
  write(commitKey, authorization);
}
