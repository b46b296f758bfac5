import type { Authorization } from '@cashin/shared';
import { AuthorizationSchema, ClerkSessionSchema } from '@cashin/shared';
import { z } from 'zod';
import { safeStorage } from '../common/i18n.js';

/**
 * What the till keeps in the browser. The clerk's session lives in sessionStorage (this tab only; closing
 * it signs the clerk out). A commit in flight lives in localStorage, under its store, until its outcome is
 * known: the clerk holds the cash by then, so a closed tab, a browser crash or a restarted PC must not
 * forget it. The authorization id is chosen by the till and written before the commit is sent, so the
 * commit is re-sent with the same id after the next sign-in at that store and the server credits it once.
 */
export type ClerkSession = z.output<typeof ClerkSessionSchema>;

const sessionKey = 'cashin.till.session';
const commitKeyPrefix = 'cashin.till.pendingCommit.';

/** What a resumed commit needs: the id to re-send and what the clerk is told about it. */
const PendingCommitSchema = AuthorizationSchema.pick({
  authorizationId: true,
  amountMinor: true,
  currency: true,
  codeMasked: true,
  maskedName: true,
}).extend({ storeId: z.string().min(1).max(64) });
export type PendingCommit = z.output<typeof PendingCommitSchema>;

function read<T>(storage: Storage, key: string, schema: z.ZodType<T>): T | null {
  const usable = safeStorage(storage);
  const raw = usable?.getItem(key);
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // Damaged: treated as absent.
  }
  usable?.removeItem(key);
  return null;
}

function write(storage: Storage, key: string, value: unknown): void {
  const usable = safeStorage(storage);
  if (value === null) usable?.removeItem(key);
  else usable?.setItem(key, JSON.stringify(value));
}

export function loadClerkSession(nowMs: number): ClerkSession | null {
  const session = read(sessionStorage, sessionKey, ClerkSessionSchema);
  return session !== null && session.expiresAtMs > nowMs ? session : null;
}

export function saveClerkSession(session: ClerkSession | null): void {
  write(sessionStorage, sessionKey, session);
}

export function pendingCommitOf(authorization: Authorization, storeId: string): PendingCommit {
  const { authorizationId, amountMinor, currency, codeMasked, maskedName } = authorization;
  return { authorizationId, amountMinor, currency, codeMasked, maskedName, storeId };
}

/** The commit of this store still waiting for its outcome, if any. */
export function loadPendingCommit(storeId: string): PendingCommit | null {
  const pending = read(localStorage, commitKeyPrefix + storeId, PendingCommitSchema);
  return pending !== null && pending.storeId === storeId ? pending : null;
}

/** Stored before the commit is sent; cleared only once the server's answer settles it. */
export function savePendingCommit(storeId: string, pending: PendingCommit | null): void {
  write(localStorage, commitKeyPrefix + storeId, pending);
}
