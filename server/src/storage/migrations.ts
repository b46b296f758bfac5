import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A numbered migration file: `001_ledger.sql` has version 1. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const migrationFilePattern = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** The migrations of one adapter, in order; a gap or a duplicate number is a programmer error. */
export function readMigrations(folder: string): Migration[] {
  const migrations = readdirSync(folder)
    .map((file) => ({ file, match: migrationFilePattern.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: readFileSync(join(folder, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
  // Numbers may have gaps: ranges are reserved for engineers working in parallel (007-009 for the
  // storage work, 010 and up for the channels), and each version is applied once, in order, whenever it
  // appears. A repeated number is still a programmer error.
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous !== undefined && previous.version === migration.version)
      throw new Error(`migration ${migration.version} appears twice in ${folder}`);
  });
  return migrations;
}
