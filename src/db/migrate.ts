/** The migration runner: applies db/migrations/NNNN-name.sql in order, each once, recorded in schema_migrations. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type ConnectionPool } from './pool.js';

export interface Migration { version: number; name: string; file: string; path: string; checksum: string }

/** Where the migrations live, relative to this file both in src/ (tests) and dist/src/ (runtime). */
export function migrationsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, '../../db/migrations'), join(here, '../../../db/migrations')];
  for (const dir of candidates) {
    try { readdirSync(dir); return dir; } catch { /* try the next */ }
  }
  throw new Error(`db/migrations not found near ${here}`);
}

export function loadMigrations(dir = migrationsDir()): Migration[] {
  const files = readdirSync(dir).filter((f) => /^\d{4}-[a-z0-9-]+\.sql$/.test(f)).sort();
  return files.map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    return {
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      file,
      path: join(dir, file),
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
}

// Any fixed number works; it only has to be the same in every process that migrates.
const MIGRATION_LOCK = 0x52454731; // 'REG1'

export interface MigrateResult { applied: string[]; current: number }

/**
 * Applies pending migrations. Two nodes may run this at once: a transaction-level advisory lock
 * serialises them, and the second finds nothing left to do. Refuses to run against a database
 * whose schema is newer than this code, or whose applied migrations were edited since.
 */
export async function migrate(db: ConnectionPool, migrations = loadMigrations()): Promise<MigrateResult> {
  await db.query(sql`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      checksum    text NOT NULL,
      applied_at  timestamptz NOT NULL DEFAULT now()
    )`);
  const applied: string[] = [];
  await db.tx(async (tx) => {
    await tx.query(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const rows: { version: number; checksum: string; name: string }[] =
      await tx.query(sql`SELECT version, checksum, name FROM schema_migrations ORDER BY version`);
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of rows) {
      const m = known.get(row.version);
      if (!m) {
        throw new Error(`database has migration ${row.version}-${row.name}, which this code does not know: ` +
          'the database is newer than this release; refusing to start');
      }
      if (m.checksum !== row.checksum) {
        throw new Error(`migration ${m.file} was edited after it was applied (checksum differs)`);
      }
    }
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.query(sql.file(m.path));
      await tx.query(sql`INSERT INTO schema_migrations (version, name, checksum)
                         VALUES (${m.version}, ${m.name}, ${m.checksum})`);
      applied.push(m.file);
    }
  });
  const [last] = await db.query(sql`SELECT coalesce(max(version), 0) AS v FROM schema_migrations`);
  return { applied, current: Number(last.v) };
}
