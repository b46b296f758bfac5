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
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration ${index + 1} is missing in ${folder}`);
  });
  return migrations;
}
