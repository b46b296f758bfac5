import type { Tx } from '../storage/db.js';

/** The kinds of short id, each with its own counter row (migrations 010 and 060) and its letter. */
export const shortIdPrefixes = { store: 'S', clerk: 'C', terminal: 'K', opsStaff: 'O' } as const;
export type ShortIdKind = keyof typeof shortIdPrefixes;

/** Digits an id is padded to; past 99,999 of a kind the number simply grows (a terminal id takes 12). */
export const shortIdDigitsMin = 5;

/**
 * The next short id of a kind ("K00042"). Terminal ids are printed on every receipt reference
 * (`K00042-1187`), so they must be short; stores and clerks are typed at a till. The counter row is bumped
 * with one UPDATE ... RETURNING, which every server process serialises on, so no two ever get the same id.
 */
export async function nextShortId(tx: Tx, kind: ShortIdKind): Promise<string> {
  const row = await tx.get<{ value: number }>(
    'UPDATE id_counters SET value = value + 1 WHERE name = ? RETURNING value',
    [kind],
  );
  if (row === undefined) throw new Error(`id counter ${kind} is missing`);
  return `${shortIdPrefixes[kind]}${String(row.value).padStart(shortIdDigitsMin, '0')}`;
}
