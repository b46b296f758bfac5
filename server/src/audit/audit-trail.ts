import type { z } from 'zod';
import type { AuditTrailSchema } from '@cashin/shared';
import { AuditEntryDataSchema, AuditKindSchema, CodedError, auditEntriesPageDefault } from '@cashin/shared';
import type { Deps } from '../deps.js';

type AuditTrail = z.output<typeof AuditTrailSchema>;

interface TrailRow extends Record<string, unknown> {
  chain: string;
  seq: number | string;
  at_ms: number | string;
  kind: string;
  data: string;
}

/**
 * The kinds the trail of everything leaves out: the term of the partial index audit_log_trail (migration
 * 100), repeated word for word so both databases use the index.
 */
const notDeposit = "kind NOT IN ('deposit.credited', 'deposit.suspense')";

interface Cursor {
  readonly atMs: number;
  readonly seq: number;
  readonly chain: string;
}

function cursorOf(row: { chain: string; seq: number; atMs: number }): string {
  return `${row.atMs}.${row.seq}.${row.chain}`;
}

/** A cursor this server made (`atMs.seq.chain`); the query schema has checked its shape. */
function parseCursor(text: string): Cursor {
  const [atMs, seq, ...chain] = text.split('.');
  const parsed = { atMs: Number(atMs), seq: Number(seq), chain: chain.join('.') };
  if (!Number.isSafeInteger(parsed.atMs) || !Number.isSafeInteger(parsed.seq) || parsed.chain === '')
    throw new CodedError('VALIDATION_FAILED', { field: 'before' });
  return parsed;
}

/**
 * One page of the audit trail, newest first. With a subject: that chain, every kind, by sequence. Without:
 * every chain's entries that are not deposits (the acts of staff, terminals and shoppers), by time, then
 * chain and sequence, so a page boundary never skips or repeats an entry. `before` is the `next` of the
 * page before. The stored data is parsed, so a row that does not hold what the log writes is an error.
 */
export async function listAuditTrail(
  deps: Pick<Deps, 'db'>,
  query: { subject?: string | undefined; before?: string | undefined; limit?: number | undefined },
): Promise<AuditTrail> {
  const limit = query.limit ?? auditEntriesPageDefault;
  const before = query.before === undefined ? undefined : parseCursor(query.before);
  const rows = await deps.db.transaction((tx) => {
    if (query.subject !== undefined) {
      if (before !== undefined && before.chain !== query.subject)
        throw new CodedError('VALIDATION_FAILED', { field: 'before' });
      return tx.all<TrailRow>(
        `SELECT chain, seq, at_ms, kind, data FROM audit_log
          WHERE chain = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
        [query.subject, before?.seq ?? Number.MAX_SAFE_INTEGER, limit + 1],
      );
    }
    return before === undefined
      ? tx.all<TrailRow>(
          `SELECT chain, seq, at_ms, kind, data FROM audit_log WHERE ${notDeposit}
            ORDER BY at_ms DESC, chain DESC, seq DESC LIMIT ?`,
          [limit + 1],
        )
      : tx.all<TrailRow>(
          `SELECT chain, seq, at_ms, kind, data FROM audit_log
            WHERE ${notDeposit}
              AND (at_ms, chain, seq) < (?, ?, ?)
            ORDER BY at_ms DESC, chain DESC, seq DESC LIMIT ?`,
          [before.atMs, before.chain, before.seq, limit + 1],
        );
  });
  const entries = rows.slice(0, limit).map((row) => ({
    subject: row.chain,
    seq: Number(row.seq),
    atMs: Number(row.at_ms),
    kind: AuditKindSchema.parse(row.kind),
    data: AuditEntryDataSchema.parse(JSON.parse(row.data)),
  }));
  const last = entries.at(-1);
  return {
    entries,
    next: rows.length > limit && last !== undefined ? cursorOf({ ...last, chain: last.subject }) : null,
  };
}
