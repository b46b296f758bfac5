import { z } from 'zod';
import { safeStorage } from '../common/i18n.js';

/**
 * The shopper's session, kept on the phone so they stay signed in between visits until it expires. The
 * token is the only secret the wallet holds; the strict Content-Security-Policy keeps other scripts out.
 */
const StoredSessionSchema = z.object({
  token: z.string().min(1),
  expiresAtMs: z.number().int(),
  phone: z.string(),
});
export type StoredSession = z.infer<typeof StoredSessionSchema>;

const sessionKey = 'cashin.wallet.session';

export function loadSession(nowMs: number): StoredSession | null {
  const raw = safeStorage(localStorage)?.getItem(sessionKey);
  if (!raw) return null;
  try {
    const parsed = StoredSessionSchema.safeParse(JSON.parse(raw));
    if (parsed.success && parsed.data.expiresAtMs > nowMs) return parsed.data;
  } catch {
    // A damaged entry is treated as no session: the shopper signs in again.
  }
  safeStorage(localStorage)?.removeItem(sessionKey);
  return null;
}

export function saveSession(session: StoredSession | null): void {
  const storage = safeStorage(localStorage);
  if (session === null) storage?.removeItem(sessionKey);
  else storage?.setItem(sessionKey, JSON.stringify(session));
}

/** "+1 (555) 123-4567" -> "+15551234567": people type numbers with spaces, dashes and brackets. */
export function normalizePhone(typed: string): string {
  return typed.replace(/[\s\-().]/g, '');
}
