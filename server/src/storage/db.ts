/**
 * The one storage interface the services use. Both adapters speak the same SQL subset (`?` placeholders,
 * INTEGER/BIGINT money, TEXT ids, millisecond timestamps, ON CONFLICT, RETURNING), so every query is
 * written once and the contract suite proves the two behave alike.
 */
export type SqlValue = string | number | bigint | null;

export type Row = Record<string, unknown>;

export interface Tx {
  readonly dialect: Dialect;
  /** All rows of a query. */
  all<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row, or undefined. */
  get<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement without rows; answers how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Runs `body` inside a savepoint: a throw rolls back only what `body` wrote and is rethrown. Used for
   * linked transfer chains, where a later transfer can fail after an earlier one wrote.
   */
  savepoint<T>(body: () => Promise<T>): Promise<T>;
}

export type Dialect = 'sqlite' | 'postgres';

export interface TransactionOptions {
  /**
   * A unit that only reads and must see one moment of the database across all its statements (a
   * verification summing several tables). PostgreSQL runs it REPEATABLE READ READ ONLY, since at READ
   * COMMITTED each statement sees what committed by its own start; SQLite needs nothing, as every unit
   * runs alone inside the one writer's transaction.
   */
  readonly readOnlySnapshot?: boolean;
}

export interface Db {
  readonly dialect: Dialect;
  /**
   * Runs `body` as one atomic unit. A throw rolls the unit back and is rethrown; `Rollback` rolls back and
   * resolves with its value (an expected failure that must leave nothing behind). The promise settles only
   * after the unit is durable (COMMIT returned), so a caller never acknowledges a write that could vanish.
   * Never call `transaction` inside a body: on SQLite the inner unit would wait behind the outer one.
   */
  transaction<T>(body: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * One statement as its own transaction: a single round trip on PostgreSQL (used for its stored
   * deposit function), one queued unit on SQLite.
   */
  single<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** A cheap round trip for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Thrown inside a transaction to undo it and still answer with a value (a result code). */
export class Rollback<T> extends Error {
  override name = 'Rollback';

  constructor(readonly value: T) {
    super('transaction rolled back with a result');
  }
}

/** SELECT ... FOR UPDATE where the dialect has it; SQLite's single writer makes it unnecessary there. */
export function forUpdate(dialect: Dialect): string {
  return dialect === 'postgres' ? ' FOR UPDATE' : '';
}
