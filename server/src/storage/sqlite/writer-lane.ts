import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A cached prepared statement of the connection a procedure runs on. */
export type StatementSource = (sql: string) => Database.Statement;

/**
 * A synchronous unit of work on plain data, run by the writer thread inside its group transaction. Its
 * module exports it as `procedure` and is loaded in that thread by URL, so it may import only what a
 * worker can load (no state shared with the main thread). A throw undoes only that item's writes, and
 * the item may run twice (the second time after the first was undone), so it must not act outside SQL.
 */
export type SqliteProcedure<I, O> = (statement: StatementSource, item: I) => O;

/** Items one writer-thread transaction may carry: the same bound as the main connection's group commit. */
export const writerLaneItemsPerBatchMax = 256;

/** Items that may wait for the writer thread; past this new work is refused, as on the main queue. */
export const writerLaneQueueItemsMax = 10_000;

/**
 * The writer thread: its own connection (WAL, synchronous=FULL, like the main one) runs each batch as
 * BEGIN IMMEDIATE, the items, COMMIT, and only then posts the results back, so nothing is answered before
 * its fsync. Items run without savepoints (a savepoint per item cost about 14 us of a deposit's ~100 us,
 * measured: its undo pages and two statements); only a batch in which one failed runs again with them.
 * TypeScript procedures load through tsx's loader, registered in the thread.
 */
const writerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const ready = (async () => {
  const { register } = await import(workerData.tsxApi);
  register();
  const db = new Database(workerData.path);
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  db.pragma('temp_store = MEMORY');
  db.pragma('wal_autocheckpoint = ' + workerData.walPages);
  const statements = new Map();
  const statement = (sql) => {
    let prepared = statements.get(sql);
    if (prepared === undefined) {
      prepared = db.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const procedures = new Map();
  return { db, statement, procedures };
})();
const describe = (error) => (error instanceof Error ? error.stack ?? error.message : String(error));
parentPort.on('message', async (message) => {
  const { db, statement, procedures } = await ready;
  if (message.kind === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  const load = async (url) => {
    let loaded = procedures.get(url);
    if (loaded === undefined) {
      loaded = (await import(url)).procedure;
      if (typeof loaded !== 'function') throw new Error(url + ' exports no procedure');
      procedures.set(url, loaded);
    }
    return loaded;
  };
  if (message.kind === 'load') {
    load(message.procedureUrl).then(
      () => parentPort.postMessage({ loaded: message.procedureUrl }),
      (error) => parentPort.postMessage({ loaded: message.procedureUrl, error: describe(error) }),
    );
    return;
  }
  try {
    const procedure = await load(message.procedureUrl);
    statement('BEGIN IMMEDIATE').run();
    let results;
    try {
      results = message.items.map((item) => ({ ok: true, value: procedure(statement, item) }));
    } catch {
      // Some item failed part way: undo the batch and run it again, each item in its own savepoint, so the
      // failing one fails alone and the others still commit.
      statement('ROLLBACK').run();
      statement('BEGIN IMMEDIATE').run();
      results = message.items.map((item) => {
        statement('SAVEPOINT item').run();
        try {
          const value = procedure(statement, item);
          statement('RELEASE item').run();
          return { ok: true, value };
        } catch (error) {
          statement('ROLLBACK TO item').run();
          statement('RELEASE item').run();
          return { ok: false, error: describe(error) };
        }
      });
    }
    statement('COMMIT').run();
    parentPort.postMessage({ batchId: message.batchId, results });
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    parentPort.postMessage({ batchId: message.batchId, error: describe(error) });
  }
});
ready.catch((error) => parentPort.postMessage({ fatal: describe(error) }));
`;

interface Pending {
  readonly procedureUrl: string;
  readonly item: unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

type ItemResult = { ok: true; value: unknown } | { ok: false; error: string };

type WriterMessage =
  | { loaded: string; error?: string }
  | { batchId: number; results: ItemResult[] }
  | { batchId: number; error: string }
  | { fatal: string };

/** A failure the writer thread reported: it crossed the thread boundary as text. */
export class WriterThreadError extends Error {
  override name = 'WriterThreadError';
}

function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  return pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
}

/**
 * The main thread's side of the writer thread. It holds the items waiting for the thread and sends them
 * as one batch when its owner (SqliteDb, which keeps the two connections from ever writing at the same
 * time) calls `dispatch`. While a batch is in the thread, the main thread keeps serving requests: that is
 * the point, since a COMMIT at synchronous=FULL waits for the disk.
 */
export class WriterLane {
  private readonly worker: Worker;
  private readonly exited: Promise<unknown>;
  private readonly waiting: Pending[] = [];
  private inFlightBatch: Pending[] | undefined;
  private nextBatchId = 1;
  private broken: Error | undefined;
  private readonly loading = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();

  constructor(
    path: string,
    options: { walPages: number; busyTimeoutMs: number },
    private readonly onBatchDone: () => void,
  ) {
    this.worker = new Worker(writerSource, {
      eval: true,
      workerData: {
        path,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        tsxApi: tsxApiUrl(),
        walPages: options.walPages,
        busyTimeoutMs: options.busyTimeoutMs,
      },
    });
    this.worker.unref();
    this.worker.on('message', (message: WriterMessage) => this.settle(message));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    void this.exited.then(() => this.fail(new WriterThreadError('the writer thread exited')));
  }

  /** False once the thread failed: callers then do the work on the main connection. */
  get usable(): boolean {
    return this.broken === undefined;
  }

  get busy(): boolean {
    return this.inFlightBatch !== undefined;
  }

  get queued(): number {
    return this.waiting.length;
  }

  get full(): boolean {
    return this.waiting.length >= writerLaneQueueItemsMax;
  }

  /** Loads a procedure module in the thread ahead of its first item (its imports take a while). */
  load(procedureUrl: string): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    return new Promise<void>((resolve, reject) => {
      this.loading.set(procedureUrl, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ kind: 'load', procedureUrl });
    });
  }

  submit<I, O>(procedureUrl: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ procedureUrl, item, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Sends the waiting items of the first one's procedure, up to the batch bound. */
  dispatch(): void {
    if (this.inFlightBatch !== undefined || this.waiting.length === 0 || this.broken !== undefined) return;
    const procedureUrl = this.waiting[0]!.procedureUrl;
    const batch: Pending[] = [];
    for (let index = 0; index < this.waiting.length && batch.length < writerLaneItemsPerBatchMax;) {
      if (this.waiting[index]!.procedureUrl === procedureUrl) batch.push(...this.waiting.splice(index, 1));
      else index += 1;
    }
    this.inFlightBatch = batch;
    // Referenced while a batch is out, so a script awaiting a write does not see the process exit under it.
    this.worker.ref();
    this.worker.postMessage({
      batchId: this.nextBatchId++,
      procedureUrl,
      items: batch.map((pending) => pending.item),
    });
  }

  private settle(message: WriterMessage): void {
    if ('loaded' in message) {
      const waiter = this.loading.get(message.loaded);
      this.loading.delete(message.loaded);
      if (this.loading.size === 0 && this.inFlightBatch === undefined) this.worker.unref();
      if (message.error === undefined) waiter?.resolve();
      else waiter?.reject(new WriterThreadError(message.error));
      return;
    }
    if ('fatal' in message) {
      this.fail(new WriterThreadError(message.fatal));
      return;
    }
    const batch = this.inFlightBatch;
    if (batch === undefined) return;
    this.inFlightBatch = undefined;
    if (this.loading.size === 0) this.worker.unref();
    if ('error' in message) {
      for (const pending of batch) pending.reject(new WriterThreadError(message.error));
    } else {
      batch.forEach((pending, index) => {
        const result = message.results[index];
        if (result === undefined) pending.reject(new WriterThreadError('the writer thread lost an item'));
        else if (result.ok) pending.resolve(result.value);
        else pending.reject(new WriterThreadError(result.error));
      });
    }
    this.onBatchDone();
  }

  private fail(error: Error): void {
    if (this.broken !== undefined) return;
    this.broken = error;
    for (const pending of [...(this.inFlightBatch ?? []), ...this.waiting.splice(0)]) pending.reject(error);
    for (const waiter of this.loading.values()) waiter.reject(error);
    this.loading.clear();
    this.inFlightBatch = undefined;
    this.onBatchDone();
  }

  async stop(): Promise<void> {
    if (this.broken === undefined) {
      this.broken = new WriterThreadError('the writer thread was stopped');
      this.worker.ref();
      this.worker.postMessage({ kind: 'stop' });
    }
    await this.exited;
  }
}
