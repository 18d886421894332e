/** Each test file gets its own database cloned from the migrated template (fast, isolated). */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createConnectionPool, sql, Database } from '../../src/db/pool.js';

export interface TestDb { url: string; name: string; db: Database; drop(): Promise<void> }

export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
  await admin.query(sql`CREATE DATABASE ${sql.ident(name)} TEMPLATE ${sql.ident(inject('pgTemplate'))}`);
  await admin.dispose();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = new Database({ primary: url, poolSize: 5 });
  return {
    url, name, db,
    async drop() {
      await db.dispose();
      const a = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
      await a.query(sql`DROP DATABASE IF EXISTS ${sql.ident(name)} WITH (FORCE)`);
      await a.dispose();
    },
  };
}
