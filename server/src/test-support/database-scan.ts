import type { Db } from '../storage/db.js';

/** What one stored value reads as, whatever its type: text, a number, a blob, a JSON value. */
function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Every column of every table where one of `needles` appears, as "table.column" (empty when none does):
 * for a test that a secret is kept nowhere in the database, whichever table a future change writes it to.
 * Reads every row of every table, so only for a test's small database.
 */
export async function columnsHolding(db: Db, needles: readonly string[]): Promise<string[]> {
  return db.transaction(async (tx) => {
    const tables = await tx.all<{ name: string }>(
      tx.dialect === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table'"
        : `SELECT table_name AS name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    if (tables.length === 0) throw new Error('the scan found no tables to read');
    const found = new Set<string>();
    for (const { name } of tables) {
      const rows = await tx.all(`SELECT * FROM "${name.replaceAll('"', '""')}"`);
      for (const row of rows) {
        for (const [column, value] of Object.entries(row)) {
          const text = textOf(value);
          if (needles.some((needle) => text.includes(needle))) found.add(`${name}.${column}`);
        }
      }
    }
    return [...found].sort();
  });
}
