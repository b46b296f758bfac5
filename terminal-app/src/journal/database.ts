import Database from 'better-sqlite3';
import path from 'node:path';
import type { Migration } from './migrations.js';
import { migrations as journalMigrations } from './migrations.js';

export type JournalDatabase = Database.Database;

/** Where the agent keeps its journal in its data folder. */
export function journalPathIn(dataDir: string): string {
  return path.join(dataDir, 'journal.sqlite');
}

/**
 * Opens the journal's SQLite file the way the money needs it: WAL so readers (maintenance screens) never
 * block the writer, and synchronous=FULL so a commit that returned is on disk even after power loss (with
 * NORMAL, WAL commits may roll back on power loss; see performance-and-reliability.md section 4). Foreign
 * keys on, so an event cannot name a deposit that was never opened. Then it applies pending migrations.
 */
export function openJournalDatabase(
  path: string,
  migrations: readonly Migration[] = journalMigrations,
): JournalDatabase {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: JournalDatabase, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const known = migrations.at(-1)?.version ?? 0;
  // A journal written by newer software may hold rows this version misreads: refuse rather than guess.
  if (current > known) throw new Error(`journal schema ${current} is newer than this agent knows (${known})`);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
