import type { Db, Row, SqlValue, Tx } from './db.js';
import { Rollback } from './db.js';

/**
 * Thrown by a `direct` view when a unit failed: without a savepoint its writes cannot be undone alone, so
 * the caller must roll back the whole transaction (and may run it again with savepoints).
 */
export class UnitFailedWithoutSavepoint extends Error {
  override name = 'UnitFailedWithoutSavepoint';

  constructor(readonly unitError: unknown) {
    super('a unit failed inside a transaction view without savepoints', { cause: unitError });
  }
}

/**
 * A Db that runs every unit inside an already open transaction. It lets a service written against Db
 * (creditDeposit, reverseDeposit) take part in a larger unit of work: a kiosk's sync batch is one
 * transaction however many deposits it credits, and a till commit marks its authorization in the same
 * transaction that credits the money. Units must run one after the other (a transaction is one
 * connection), which is how every caller here uses it.
 *
 * - `savepoints`: each unit runs in its own savepoint; a throw rolls back only that unit and `Rollback`
 *   resolves with its value, exactly as Db.transaction promises.
 * - `direct`: units run with no savepoint (a savepoint per deposit is a large share of a sync batch's
 *   cost on SQLite); any failure throws UnitFailedWithoutSavepoint, which the caller must let roll back
 *   the whole transaction.
 */
export function txView(tx: Tx, mode: 'savepoints' | 'direct' = 'savepoints'): Db {
  return {
    dialect: tx.dialect,
    transaction: async <T>(body: (inner: Tx) => Promise<T>): Promise<T> => {
      if (mode === 'direct') {
        try {
          return await body(tx);
        } catch (error) {
          throw new UnitFailedWithoutSavepoint(error);
        }
      }
      try {
        return await tx.savepoint(() => body(tx));
      } catch (error) {
        if (error instanceof Rollback) return error.value as T;
        throw error;
      }
    },
    single: <T extends Row = Row>(sql: string, params?: readonly SqlValue[]) => tx.all<T>(sql, params),
    ping: async () => {
      await tx.get('SELECT 1 AS one');
    },
    close: () => Promise.reject(new Error('a transaction view is closed by its transaction')),
  };
}
