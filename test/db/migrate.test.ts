import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMigrations, migrate, migrationsDir } from '../../src/db/migrate.js';
import { sql } from '../../src/db/pool.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('migration runner', () => {
  let t: TestDb;
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => { await t.drop(); });

  it('records every migration once and is idempotent', async () => {
    const again = await migrate(t.db.primary);
    expect(again.applied).toEqual([]);
    expect(again.current).toBe(loadMigrations().at(-1)!.version);
    const rows = await t.db.primary.query(sql`SELECT version FROM schema_migrations ORDER BY version`);
    expect(rows.map((r: { version: number }) => r.version)).toEqual(loadMigrations().map((m) => m.version));
  });

  it('tolerates two nodes migrating at once', async () => {
    const [a, b] = await Promise.all([migrate(t.db.primary), migrate(t.db.primary)]);
    expect([...a.applied, ...b.applied]).toEqual([]);
  });

  it('refuses a database newer than the code', async () => {
    await t.db.primary.query(sql`INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')`);
    await expect(migrate(t.db.primary)).rejects.toThrow(/newer than this release/);
    await t.db.primary.query(sql`DELETE FROM schema_migrations WHERE version = 9999`);
  });

  it('refuses an applied migration that was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mig-'));
    for (const f of readdirSync(migrationsDir())) copyFileSync(join(migrationsDir(), f), join(dir, f));
    const first = readdirSync(dir).sort()[0]!;
    writeFileSync(join(dir, first), '-- edited\n', { flag: 'a' });
    await expect(migrate(t.db.primary, loadMigrations(dir))).rejects.toThrow(/edited/);
  });
});
