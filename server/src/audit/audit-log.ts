import type { AuditKind } from '@cashin/shared';
import { createHash } from 'node:crypto';
import type { Tx } from '../storage/db.js';
import { forUpdate } from '../storage/db.js';

export const auditGenesisHash = '0'.repeat(64);

export interface AuditEntry {
  readonly kind: AuditKind;
  /**
   * What the entry is about (a wallet account id, a shopper id, a claim for money in suspense, a staff
   * member, a store, a terminal); each subject has its own chain.
   */
  readonly subject: string;
  /** Facts, never secrets: codes appear masked. */
  readonly data: Record<string, string | number | boolean | null>;
}

/** The text an entry's hash covers, built from the stored columns alone. */
export function auditEntryText(chain: string, seq: number, atMs: number, kind: string, data: string): string {
  return `${chain}|${seq}|${atMs}|${kind}|${data}`;
}

/** h(n) = SHA-256(entry ‖ h(n-1)), hex. */
export function auditHash(entryText: string, previousHash: string): string {
  return createHash('sha256').update(entryText).update(previousHash).digest('hex');
}

/**
 * Appends in the caller's transaction, so the entry exists exactly when the change it records does. The
 * chain head is locked (PostgreSQL FOR UPDATE; SQLite has one writer) for the rest of the transaction.
 */
/**
 * The next link after a head (`undefined`: the chain is new), for code that writes the row itself (SQLite's
 * fast deposit path); `appendAudit` computes the same.
 */
export function nextAuditLink(
  entry: AuditEntry,
  head: { seq: number; hash: string } | undefined,
  nowMs: number,
): { seq: number; data: string; hash: string } {
  const seq = (head?.seq ?? 0) + 1;
  const data = JSON.stringify(entry.data);
  const hash = auditHash(
    auditEntryText(entry.subject, seq, nowMs, entry.kind, data),
    head?.hash ?? auditGenesisHash,
  );
  return { seq, data, hash };
}

export async function appendAudit(tx: Tx, entry: AuditEntry, nowMs: number): Promise<void> {
  const chain = entry.subject;
  const headSql = `SELECT seq, hash FROM audit_heads WHERE chain = ?${forUpdate(tx.dialect)}`;
  let head = await tx.get<{ seq: number; hash: string }>(headSql, [chain]);
  if (head === undefined) {
    await tx.run('INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, ?) ON CONFLICT DO NOTHING', [
      chain,
      auditGenesisHash,
    ]);
    head = await tx.get<{ seq: number; hash: string }>(headSql, [chain]);
    if (head === undefined) throw new Error('an audit head just ensured must exist');
  }
  const seq = head.seq + 1;
  const data = JSON.stringify(entry.data);
  const hash = auditHash(auditEntryText(chain, seq, nowMs, entry.kind, data), head.hash);
  await tx.run('INSERT INTO audit_log (chain, seq, at_ms, kind, data, hash) VALUES (?, ?, ?, ?, ?, ?)', [
    chain,
    seq,
    nowMs,
    entry.kind,
    data,
    hash,
  ]);
  await tx.run('UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?', [seq, hash, chain]);
}
