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

interface Head extends Record<string, unknown> {
  chain: string;
  seq: number;
  hash: string;
}

/**
 * Walks every chain from its genesis in (chain, seq) order, recomputing each hash from the stored columns,
 * and reports the first link that does not hold in each chain, plus heads that disagree with their chain.
 *
 * The heads are read first and the entries page by page in later transactions (one long transaction would
 * hold SQLite's writer for the whole walk), so the server keeps writing meanwhile. An entry and its head
 * are written in one transaction, so every entry up to a head read at the start is there to be read later:
 * each chain is walked only up to that head, and what was appended since is left for the next run. A chain
 * with no head at the start, or with entries past it, is looked at again at the end: its head written by
 * then means it grew meanwhile; no head, or one still behind its entries, is a break.
 */
export async function verifyAudit(db: Db): Promise<AuditReport> {
  const heads = new Map(
    (await db.transaction((tx) => tx.all<Head>('SELECT chain, seq, hash FROM audit_heads'))).map((head) => [
      head.chain,
      head,
    ]),
  );
  const breaks: AuditBreak[] = [];
  const seen = new Set<string>();
  // Chains to look at again once the walk is done: the last seq read of each, and whether it was walked.
  const grown = new Map<string, { lastSeq: number; walk: ChainWalk | undefined }>();
  let entries = 0;
  let walk: ChainWalk | undefined;

  const finish = (current: ChainWalk): void => {
    seen.add(current.chain);
    const head = heads.get(current.chain);
    if (current.broken === undefined && head === undefined) {
      grown.set(current.chain, { lastSeq: current.expectedSeq - 1, walk: current });
      return;
    }
    if (current.broken === undefined && head !== undefined) {
      if (head.seq !== current.expectedSeq - 1 || head.hash !== current.previousHash) {
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
      if (walk === undefined || walk.chain !== row.chain) {
        if (walk !== undefined) finish(walk);
        walk = { chain: row.chain, previousHash: auditGenesisHash, expectedSeq: 1, broken: undefined };
      }
      const head = heads.get(row.chain);
      if (head !== undefined && row.seq > head.seq) {
        // Appended after the heads were read (or forged past the head): judged at the end.
        const known = grown.get(row.chain);
        grown.set(row.chain, { lastSeq: Math.max(row.seq, known?.lastSeq ?? 0), walk: undefined });
        continue;
      }
      entries += 1;
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
  if (grown.size > 0) {
    const chains = [...grown.keys()];
    const headsNow = await db.transaction(async (tx) => {
      const found = new Map<string, Head>();
      for (const chain of chains) {
        const head = await tx.get<Head>('SELECT chain, seq, hash FROM audit_heads WHERE chain = ?', [chain]);
        if (head !== undefined) found.set(chain, head);
      }
      return found;
    });
    for (const [chain, { lastSeq, walk: walked }] of grown) {
      const head = headsNow.get(chain);
      if (head === undefined) breaks.push({ chain, seq: 1, problem: 'headMissing' });
      else if (head.seq < lastSeq) breaks.push({ chain, seq: head.seq + 1, problem: 'headMismatch' });
      else if (walked !== undefined && head.seq === lastSeq && head.hash !== walked.previousHash)
        breaks.push({ chain, seq: lastSeq, problem: 'headMismatch' });
    }
  }
  // A head whose chain has no entries at all: its entries were deleted wholesale.
  for (const head of heads.values()) {
    if (!seen.has(head.chain) && head.seq !== 0)
      breaks.push({ chain: head.chain, seq: 1, problem: 'sequenceGap' });
  }
  breaks.sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : 0));
  return { ok: breaks.length === 0, chains: heads.size, entries, breaks };
}
