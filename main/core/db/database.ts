import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ErrorCode, HookboxError } from '../errors.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/migration.ts';

export type { Database } from 'better-sqlite3';

export interface OpenDatabaseOptions {
  /** Readers (e.g. `hookbox events` while serve runs) open read-only and never migrate. */
  readonly?: boolean;
  migrations?: readonly Migration[];
}

/**
 * Opens the SQLite file in WAL mode with synchronous=FULL (the hub's WriteBatcher switches its
 * connection to NORMAL and syncs the WAL itself, off the event loop): a commit is fsynced before it
 * returns, which is what lets the API acknowledge an event only once it is on disk.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database {
  const migrations = options.migrations ?? MIGRATIONS;
  let db: Database;
  try {
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    db = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new HookboxError(ErrorCode.DatabaseUnavailable, `cannot open database ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    if (options.readonly) assertNotFromTheFuture(db, file, migrations);
    else migrate(db, file, migrations);
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

function assertNotFromTheFuture(db: Database, file: string, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(migrations);
  if (current > latest) {
    throw new HookboxError(
      ErrorCode.DatabaseTooNew,
      `database ${file} has schema version ${current}, newer than this Hookbox understands (${latest}); upgrade Hookbox or use another --data-dir`,
    );
  }
  return current;
}

/**
 * Applies the pending migrations in one transaction; a failure leaves the file untouched.
 * Foreign keys are off while they run (SQLite's rule for rebuilding a table: dropping the old one
 * must not cascade), and every reference is checked before the transaction commits.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): void {
  const current = assertNotFromTheFuture(db, file, migrations);
  const pending = migrations.filter((m) => m.version > current);
  if (pending.length === 0) return;
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      for (const migration of pending) {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      }
      const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
      if (broken.length > 0) {
        throw new HookboxError(
          ErrorCode.DatabaseUnavailable,
          `migrating ${file} would leave ${broken.length} rows of ${broken[0]!.table} pointing at missing ${broken[0]!.parent} rows; nothing was changed`,
        );
      }
    })();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
