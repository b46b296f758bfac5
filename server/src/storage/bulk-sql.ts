import type { Row, SqlValue, Tx } from './db.js';

/**
 * Set-based statements in the SQL both adapters speak, for work that handles many rows at once (a kiosk's
 * sync batch). One statement for many rows is one round trip on PostgreSQL and one VM run on SQLite,
 * instead of one per row.
 *
 * Statement texts are kept to a few shapes, because both adapters prepare and cache every distinct text
 * (PostgreSQL once per connection): an IN list is padded up to the next power of two by repeating its last
 * value (a repeated value changes nothing), and rows to insert are cut into chunks whose sizes are powers
 * of two. So a batch of any size uses at most about ten texts per statement.
 */

/** Values in one IN list; a longer list is split. Far below either database's bound on parameters. */
export const inListValuesMax = 512;

/** Rows in one multi-row INSERT or CASE update; more are split. Keeps each statement's parameters modest. */
export const bulkRowsPerStatementMax = 64;

function nextPowerOfTwo(count: number): number {
  let size = 1;
  while (size < count) size *= 2;
  return size;
}

function placeholders(count: number): string {
  return Array.from({ length: count }, () => '?').join(', ');
}

/** Chunk sizes for `count` rows: as many full chunks as fit, then the rest as descending powers of two. */
function chunkSizes(count: number, max: number): number[] {
  const sizes: number[] = [];
  let left = count;
  while (left >= max) {
    sizes.push(max);
    left -= max;
  }
  for (let size = max / 2; size >= 1; size /= 2) {
    if (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/**
 * Rows of a query with one IN list, run once per chunk of `values`; `sql` receives the placeholder list
 * (`?, ?, ...`) to put inside `IN (...)`, and `before` / `after` are the parameters around it. Chunks run in
 * the order of `values`, so sorted values with `ORDER BY ... FOR UPDATE` lock rows in one global order.
 */
export async function selectIn<T extends Row>(
  tx: Tx,
  sql: (inList: string) => string,
  values: readonly SqlValue[],
  before: readonly SqlValue[] = [],
  after: readonly SqlValue[] = [],
): Promise<T[]> {
  const rows: T[] = [];
  for (let start = 0; start < values.length; start += inListValuesMax) {
    const chunk = values.slice(start, start + inListValuesMax);
    const size = nextPowerOfTwo(chunk.length);
    const last = chunk[chunk.length - 1] ?? null;
    while (chunk.length < size) chunk.push(last);
    rows.push(...(await tx.all<T>(sql(placeholders(size)), [...before, ...chunk, ...after])));
  }
  return rows;
}

/**
 * Statement texts already built, by their shape. A multi-row text is long (64 rows of a 16-column table is
 * about 4 KB); built afresh for every chunk, it was joined, then hashed and compared in full by the
 * adapter's statement cache, and insertRows showed as about 5% of a sync batch's CPU in a profile. A kept
 * text is hashed once. Bounded by the shapes the code writes: a few tables, about ten chunk sizes each.
 */
const insertTexts = new Map<string, string>();

function insertText(table: string, columns: readonly string[], size: number, suffix: string): string {
  const shape = `${table}|${columns.join(',')}|${size}|${suffix}`;
  let text = insertTexts.get(shape);
  if (text === undefined) {
    const rowPlaceholders = `(${placeholders(columns.length)})`;
    const values = Array.from({ length: size }, () => rowPlaceholders).join(', ');
    text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values}${suffix}`;
    insertTexts.set(shape, text);
  }
  return text;
}

/** Inserts `rows` (each one value per column, in order) with multi-row VALUES; `suffix` follows each. */
export async function insertRows(
  tx: Tx,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlValue[])[],
  suffix = '',
): Promise<void> {
  let start = 0;
  for (const size of chunkSizes(rows.length, bulkRowsPerStatementMax)) {
    const values: SqlValue[] = [];
    for (let index = start; index < start + size; index += 1) {
      const row = rows[index]!;
      if (row.length !== columns.length) throw new Error(`a row for ${table} has the wrong width`);
      for (const value of row) values.push(value);
    }
    start += size;
    await tx.run(insertText(table, columns, size, suffix), values);
  }
}

/**
 * Adds an amount to one integer column of many rows, keyed by id: `SET column = column + CASE id ...`.
 * Answers how many rows changed (the caller checks every id was there).
 */
export async function addToColumn(
  tx: Tx,
  table: string,
  column: string,
  amounts: readonly { readonly id: string; readonly amount: number }[],
): Promise<number> {
  let changed = 0;
  let start = 0;
  for (const size of chunkSizes(amounts.length, bulkRowsPerStatementMax)) {
    const chunk = amounts.slice(start, start + size);
    start += size;
    const cases = Array.from({ length: size }, () => 'WHEN ? THEN CAST(? AS BIGINT)').join(' ');
    changed += await tx.run(
      `UPDATE ${table} SET ${column} = ${column} + CASE id ${cases} END WHERE id IN (${placeholders(size)})`,
      [...chunk.flatMap((entry) => [entry.id, entry.amount]), ...chunk.map((entry) => entry.id)],
    );
  }
  return changed;
}
