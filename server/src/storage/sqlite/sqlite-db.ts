import Database from 'better-sqlite3';
import { CodedError } from '@cashin/shared';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../../secrets/hash.js';
import type { Db, Row, SqlValue, Tx } from '../db.js';
import { Rollback } from '../db.js';
import { readMigrations } from '../migrations.js';
import type { SqliteProcedure } from './writer-lane.js';
import { WriterLane } from './writer-lane.js';

/**
 * How many queued units one group commit may carry. Bounds how long one COMMIT holds every waiter; it is
 * above any realistic number of in-flight requests per process, so under load every waiting deposit
 * shares the next fsync (measured: the fsync is the largest single cost of a deposit at FULL).
 */
export const groupCommitUnitsMax = 256;

/**
 * Units that may wait for a group commit. Past this the server is overloaded: new work is refused at once
 * (SERVICE_UNAVAILABLE) rather than queued into latencies no client waits for.
 */
export const groupCommitQueueUnitsMax = 10_000;

/**
 * The longest a group waits for more units before it commits. Well under one fsync on this class of disk
 * (about 1-3 ms measured), so waiting never costs more than the commit it saves.
 */
export const groupCommitGatherMsMax = 1;

const migrationsFolder = join(import.meta.dirname, 'migrations');

/** How long a connection waits for another process's write lock before the unit fails. */
export const busyTimeoutMs = 5_000;

/**
 * WAL pages past which the serving connection checkpoints itself. Normally the background checkpointer
 * keeps the WAL far below this; the bound only caps the WAL if that thread falls behind or has died.
 */
export const walPagesBeforeInlineCheckpointMax = 10_000;

/** How often the background checkpointer looks for WAL frames to copy back when it found none last time. */
export const checkpointIdleIntervalMs = 50;

/**
 * The background checkpointer: its own connection in a worker thread copies committed WAL frames back into
 * the database file (PASSIVE: it never blocks the writer) and, at synchronous=FULL, fsyncs the file before
 * the WAL may be reused. Done inline, a checkpoint ran inside some deposit group's COMMIT every few groups
 * (about 1,000 pages each) and blocked the event loop for it; measured in process at 128 deposits in flight,
 * moving it off the loop raised deposits/s by about a third. Durability is unchanged: every COMMIT still
 * fsyncs the WAL before any result is released.
 */
const checkpointerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
let timer;
const run = () => {
  let copied = 0;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    copied = row ? row.checkpointed : 0;
  } catch {
    copied = 0;
  }
  timer = setTimeout(run, copied > 0 ? 0 : workerData.idleMs);
};
timer = setTimeout(run, workerData.idleMs);
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  process.exit(0);
});
`;

interface Checkpointer {
  readonly worker: Worker;
  readonly exited: Promise<unknown>;
}

function startCheckpointer(path: string): Checkpointer {
  const worker = new Worker(checkpointerSource, {
    eval: true,
    workerData: {
      path,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      idleMs: checkpointIdleIntervalMs,
    },
  });
  // A checkpointer that fails leaves the inline bound as the fallback; it must not take the server down.
  worker.on('error', () => undefined);
  worker.unref();
  return { worker, exited: new Promise((resolve) => worker.once('exit', resolve)) };
}

interface QueuedUnit {
  readonly body: (tx: Tx) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type Settle = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * SQLite through better-sqlite3, WAL, synchronous=FULL, with group commit: units of work that arrive
 * while one COMMIT is being written queue up and are flushed together in the next transaction, each in its
 * own SAVEPOINT so one unit's failure rolls back only that unit. Every unit, reads included, runs through
 * the queue: the connection is single, and a read running beside an open group would see writes that are
 * not yet committed. Results are released only after COMMIT returns, so nothing is acknowledged early.
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly queue: QueuedUnit[] = [];
  private flushing = false;
  private flushScheduled = false;
  private gatherStartMs = 0;
  private gatherQueueLength = -1;
  private closed = false;
  private savepointDepth = 0;
  private readonly statements = new Map<string, Database.Statement>();

  /** The file, for the writer thread; undefined for an in-memory database, which no thread can share. */
  private path: string | undefined;
  /**
   * Started by `startWriter` (the server does at start-up), never implicitly: a thread compiles its
   * imports for a while, which a short-lived database (a test's, a command's) would pay for nothing.
   */
  private writerLane: WriterLane | undefined;
  private writerLaneDispatchScheduled = false;

  private constructor(
    private readonly db: Database.Database,
    private checkpointer: Checkpointer | undefined = undefined,
  ) {}

  static open(path: string): SqliteDb {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Every unit of a group commit runs in a savepoint, and SQLite keeps a savepoint's undo pages in a
    // temporary journal that spills to a temp file past 64 KiB: with the default temp_store each group
    // wrote (and read back) a file it never needed after the COMMIT. Measured per deposit at 100 units per
    // group: the three inserts took 29/29/19 us with the file and 9-14/14-20/6-8 us in memory. The
    // sub-journal only undoes a failed unit; durability is the WAL's, which this does not touch.
    db.pragma('temp_store = MEMORY');
    // A second process on the same file waits for the lock rather than failing at once.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // SQLite has no SHA-256, which PostgreSQL has as sha256(): a migration that must hash what it rewrites
    // (170 hashes the voucher claim codes it takes out of kiosk_deposits) calls this one instead.
    db.function('sha256_hex', { deterministic: true }, (text: unknown) =>
      typeof text === 'string' ? sha256Hex(text) : null,
    );
    const store = new SqliteDb(db);
    store.migrate();
    if (path !== ':memory:') {
      db.pragma(`wal_autocheckpoint = ${walPagesBeforeInlineCheckpointMax}`);
      store.checkpointer = startCheckpointer(path);
      store.path = path;
    }
    return store;
  }

  /**
   * Runs `procedure` (exported as `procedure` by the module at `procedureUrl`) on `item` in the writer
   * thread, group-committed with the items that wait beside it; settles after its COMMIT returned.
   * Answers undefined when no writer thread was started (or the database is in memory) or it has failed:
   * the caller then does the work in a unit of `transaction`. The two connections never write at once:
   * a writer batch starts only while no group of the main connection is open, and the other way round.
   */
  runInWriter<I, O>(
    procedureUrl: string,
    // The procedure itself, only so the item and result types follow it; the thread loads it by URL.
    _procedure: SqliteProcedure<I, O>,
    item: I,
  ): Promise<O> | undefined {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    const lane = this.writerLane;
    if (lane === undefined || !lane.usable) return undefined;
    if (lane.full) return Promise.reject(new CodedError('SERVICE_UNAVAILABLE'));
    const result = lane.submit<I, O>(procedureUrl, item);
    this.scheduleWriterDispatch();
    return result;
  }

  /**
   * Starts the writer thread and loads a procedure module in it, so the first requests do not wait for
   * the thread's start-up. Nothing to do for an in-memory database.
   */
  async startWriter(procedureUrl: string): Promise<void> {
    await this.startedWriterLane()?.load(procedureUrl);
  }

  private startedWriterLane(): WriterLane | undefined {
    if (this.writerLane === undefined && this.path !== undefined && !this.closed) {
      this.writerLane = new WriterLane(
        this.path,
        { walPages: walPagesBeforeInlineCheckpointMax, busyTimeoutMs },
        () => this.afterWriterBatch(),
      );
    }
    return this.writerLane;
  }

  /** In the check phase, so every item read in this turn of the event loop joins the batch. */
  private scheduleWriterDispatch(): void {
    if (this.writerLaneDispatchScheduled) return;
    this.writerLaneDispatchScheduled = true;
    setImmediate(() => {
      this.writerLaneDispatchScheduled = false;
      this.dispatchWriter();
    });
  }

  private dispatchWriter(): void {
    const lane = this.writerLane;
    if (lane === undefined || this.flushing || lane.busy || lane.queued === 0) return;
    lane.dispatch();
  }

  /** The writer thread committed (or failed): the main connection's waiting group goes next, if any. */
  private afterWriterBatch(): void {
    if (this.queue.length > 0 && !this.flushing) {
      if (!this.flushScheduled) void this.flush();
      return;
    }
    this.dispatchWriter();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)',
    );
    const applied = new Set(
      this.db
        .prepare('SELECT version FROM schema_migrations')
        .all()
        .map((row) => (row as { version: number }).version),
    );
    for (const migration of readMigrations(migrationsFolder)) {
      if (applied.has(migration.version)) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, Date.now());
      })();
    }
  }

  /**
   * A cached prepared statement for code that runs synchronously inside a unit of `transaction` (the
   * common deposit), skipping a promise per statement. Only valid while that unit's body runs.
   */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private readonly tx: Tx = {
    dialect: 'sqlite',
    all: <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(this.statement(sql).all(...params) as T[]),
    get: <T extends Row>(sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(this.statement(sql).get(...params) as T | undefined),
    run: (sql: string, params: readonly SqlValue[] = []) =>
      Promise.resolve(this.statement(sql).run(...params).changes),
    savepoint: async <T>(body: () => Promise<T>): Promise<T> => {
      const name = `sp${this.savepointDepth++}`;
      this.db.exec(`SAVEPOINT ${name}`);
      try {
        const value = await body();
        this.db.exec(`RELEASE ${name}`);
        return value;
      } catch (error) {
        this.db.exec(`ROLLBACK TO ${name}`);
        this.db.exec(`RELEASE ${name}`);
        throw error;
      } finally {
        this.savepointDepth -= 1;
      }
    },
  };

  transaction<T>(body: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    if (this.queue.length >= groupCommitQueueUnitsMax)
      return Promise.reject(new CodedError('SERVICE_UNAVAILABLE'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ body, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  /**
   * The flush starts in the check phase (setImmediate), after the event loop has handled the requests that
   * arrived meanwhile; starting it at once would commit the first request alone. While units keep
   * arriving turn after turn (a cohort of clients whose answers just went out is coming back), it waits
   * one more turn, up to groupCommitGatherMsMax, so the cohort shares one fsync instead of splitting
   * into many small commits each paying a whole fsync. An idle server flushes a lone unit after two turns.
   */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    this.gatherStartMs = performance.now();
    this.gatherQueueLength = -1;
    setImmediate(this.gatherTick);
  }

  private readonly gatherTick = (): void => {
    const grew = this.queue.length > this.gatherQueueLength;
    this.gatherQueueLength = this.queue.length;
    const waitedMs = performance.now() - this.gatherStartMs;
    if (grew && this.queue.length < groupCommitUnitsMax && waitedMs < groupCommitGatherMsMax) {
      setImmediate(this.gatherTick);
      return;
    }
    this.flushScheduled = false;
    // The writer thread holds the write lock: its batch's end starts this group (afterWriterBatch).
    if (this.writerLane?.busy === true) return;
    void this.flush();
  };

  private async flush(): Promise<void> {
    this.flushing = true;
    const units = this.queue.splice(0, groupCommitUnitsMax);
    try {
      const settled: Settle[] = [];
      try {
        this.db.exec('BEGIN IMMEDIATE');
        for (const unit of units) settled.push(await this.runUnit(unit));
        this.db.exec('COMMIT');
      } catch (error) {
        // BEGIN or COMMIT failed (busy beyond the timeout, disk full, I/O error): nothing here is durable.
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        for (const unit of units) unit.reject(error);
        return;
      }
      units.forEach((unit, index) => {
        const outcome = settled[index]!;
        if (outcome.ok) unit.resolve(outcome.value);
        else unit.reject(outcome.error);
      });
    } finally {
      this.flushing = false;
      // When both connections have work waiting they take turns: the writer thread's batch goes next.
      const lane = this.writerLane;
      if (lane !== undefined && lane.queued > 0) this.dispatchWriter();
      else if (this.queue.length > 0) this.scheduleFlush();
    }
  }

  private async runUnit(unit: QueuedUnit): Promise<Settle> {
    // Prepared once and cached: exec() would compile these four statements again for every deposit.
    this.statement('SAVEPOINT unit').run();
    try {
      const value = await unit.body(this.tx);
      this.statement('RELEASE unit').run();
      return { ok: true, value };
    } catch (error) {
      this.statement('ROLLBACK TO unit').run();
      this.statement('RELEASE unit').run();
      if (error instanceof Rollback) return { ok: true, value: error.value };
      return { ok: false, error };
    }
  }

  single<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.transaction((tx) => tx.all<T>(sql, params));
  }

  ping(): Promise<void> {
    return this.transaction(async (tx) => {
      await tx.get('SELECT 1 AS one');
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const lane = this.writerLane;
    while (
      this.flushing ||
      this.flushScheduled ||
      this.queue.length > 0 ||
      (lane !== undefined && lane.usable && (lane.busy || lane.queued > 0))
    )
      await new Promise((resolve) => setImmediate(resolve));
    this.writerLane = undefined;
    await lane?.stop();
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    if (checkpointer !== undefined) {
      // Unreferenced while it works in the background; referenced now so the process waits for its exit.
      checkpointer.worker.ref();
      checkpointer.worker.postMessage('stop');
      await checkpointer.exited;
    }
    this.db.close();
  }

  /** For the raw-insert benchmark baseline and tests that inspect the file. */
  get raw(): Database.Database {
    return this.db;
  }
}
