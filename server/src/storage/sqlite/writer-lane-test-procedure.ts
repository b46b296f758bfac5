import type { SqliteProcedure } from './writer-lane.js';

/** A writer-thread procedure for sqlite-db.test.ts: inserts `n`, and then throws when asked to. */
export interface TestItem {
  readonly n: number;
  readonly fail: boolean;
}

export const procedure: SqliteProcedure<TestItem, { n: number; synchronous: number }> = (statement, item) => {
  statement('INSERT INTO t (n) VALUES (?)').run(item.n);
  if (item.fail) throw new Error('refused after writing');
  const { synchronous } = statement('PRAGMA synchronous').get() as { synchronous: number };
  return { n: item.n, synchronous };
};
