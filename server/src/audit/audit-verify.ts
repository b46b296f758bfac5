import type { Db } from '../storage/db.js';
import { auditEntryText, auditGenesisHash, auditHash } from './audit-log.js';

export interface AuditBreak {
  readonly chain: string;
  readonly seq: number;
  readonly problem: 'hashMismatch' | 'sequenceGap' | 'headMismatch' | 'headMissing';
}

export interface AuditReport {
  readonly ok: boolean;
  readonly chains: number;
  readonly entries: number;
  /** The first broken link of each broken chain, in chain order. */
  readonly breaks: AuditBreak[];
}

/** Entries read per query while walking the log; bounds memory on a long log. */
export const auditVerifyPageEntriesMax = 5_000;

interface AuditRow extends Record<string, unknown> {
  chain: string;
  seq: number;
  at_ms: number;
  kind: string;
  data: string;
  hash: string;
}

interface ChainWalk {
  chain: string;
  previousHash: string;
  expectedSeq: number;
  broken: AuditBreak | undefined;
}

/**
 * Walks every chain from its genesis in (chain, seq) order, recomputing each hash from the stored columns,
 * and reports the first link that does not hold in each chain, plus heads that disagree with their chain.
 */
export async function verifyAudit(db: Db): Promise<AuditReport> {
  const heads = new Map(
    (
      await db.transaction((tx) =>
        tx.all<{ chain: string; seq: number; hash: string }>('SELECT chain, seq, hash FROM audit_heads'),
      )
    ).map((head) => [head.chain, head]),
  );
  const breaks: AuditBreak[] = [];
  const seen = new Set<string>();
  let entries = 0;
  let walk: ChainWalk | undefined;

  const finish = (current: ChainWalk): void => {
    seen.add(current.chain);
    const head = heads.get(current.chain);
    if (current.broken === undefined) {
      if (head === undefined) current.broken = { chain: current.chain, seq: 1, problem: 'headMissing' };
      else if (head.seq !== current.expectedSeq - 1 || head.hash !== current.previousHash) {
        current.broken = { chain: current.chain, seq: current.expectedSeq, problem: 'headMismatch' };
      }
    }
    if (current.broken !== undefined) breaks.push(current.broken);
  };

  let after: [string, number] = ['', 0];
  for (;;) {
    const rows = await db.transaction((tx) =>
      tx.all<AuditRow>(
        'SELECT chain, seq, at_ms, kind, data, hash FROM audit_log WHERE chain > ? OR (chain = ? AND seq > ?) ORDER BY chain, seq LIMIT ?',
        [after[0], after[0], after[1], auditVerifyPageEntriesMax],
      ),
    );
    for (const row of rows) {
      entries += 1;
      if (walk === undefined || walk.chain !== row.chain) {
        if (walk !== undefined) finish(walk);
        walk = { chain: row.chain, previousHash: auditGenesisHash, expectedSeq: 1, broken: undefined };
      }
      if (walk.broken !== undefined) continue;
      if (row.seq !== walk.expectedSeq) {
        walk.broken = { chain: row.chain, seq: walk.expectedSeq, problem: 'sequenceGap' };
        continue;
      }
      const hash = auditHash(
        auditEntryText(row.chain, row.seq, row.at_ms, row.kind, row.data),
        walk.previousHash,
      );
      if (hash !== row.hash) {
        walk.broken = { chain: row.chain, seq: row.seq, problem: 'hashMismatch' };
        continue;
      }
      walk.previousHash = hash;
      walk.expectedSeq += 1;
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < auditVerifyPageEntriesMax) break;
    after = [last.chain, last.seq];
  }
  if (walk !== undefined) finish(walk);
  // A head whose chain has no entries at all: its entries were deleted wholesale.
  for (const head of heads.values()) {
    if (!seen.has(head.chain) && head.seq !== 0)
      breaks.push({ chain: head.chain, seq: 1, problem: 'sequenceGap' });
  }
  breaks.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return { ok: breaks.length === 0, chains: heads.size, entries, breaks };
}
