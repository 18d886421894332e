/**
 * One throwaway PostgreSQL cluster for the whole test run (initdb/pg_ctl, as the postgres user
 * when we are root), with a migrated template database that each test file clones.
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { LocalPostgres } from '../src/embedded/postgres.js';
import { createConnectionPool, sql } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { freePort } from '../src/util/net.js';

declare module 'vitest' {
  export interface ProvidedContext { pgAdminUrl: string; pgTemplate: string }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'registry-test-pg-'));
  chmodSync(dir, 0o755);
  const pg = new LocalPostgres({ dir, port: await freePort(), database: 'registry_template' });
  await pg.init();
  await pg.start();
  const template = createConnectionPool({ connectionString: pg.url('registry_template'), poolSize: 1 });
  await migrate(template);
  await template.query(sql`SELECT 1`);
  await template.dispose();
  project.provide('pgAdminUrl', pg.url('postgres'));
  project.provide('pgTemplate', 'registry_template');
  return async () => {
    await pg.stop('immediate').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
}
