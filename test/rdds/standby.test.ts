/**
 * RDDS reading from a real streaming standby (pg_basebackup of a throwaway primary): answers
 * come from the standby, replication lag is reported, and a change the standby has not replayed
 * yet is never cached — once replay resumes, the change shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { defaults } from '../../src/config.js';
import { createConnectionPool, sql, type ConnectionPool } from '../../src/db/pool.js';
import { migrate } from '../../src/db/migrate.js';
import { findPgBinaries, LocalPostgres } from '../../src/embedded/postgres.js';
import { addZone } from '../../src/admin/zones.js';
import { createRegistrar } from '../../src/admin/registrars.js';
import { startRddsApp, type RddsApp } from '../../src/rdds/app.js';
import { freePort } from '../../src/util/net.js';
import { rdap } from './helpers.js';

/** postgres and pg_basebackup refuse root: run as the postgres user, like LocalPostgres does. */
function asPostgres(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  const as = asPostgres();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, ...(as ? { uid: as.uid, gid: as.gid } : {}) });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${out}`))));
  });
}

describe('RDDS on a streaming standby', () => {
  let dir: string;
  let primary: LocalPostgres;
  let standby: LocalPostgres;
  let app: RddsApp;
  let pdb: ConnectionPool;
  let sdb: ConnectionPool;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-standby-'));
    chmodSync(dir, 0o755);
    primary = new LocalPostgres({ dir: join(dir, 'primary'), port: await freePort() });
    await primary.init();
    await primary.start();
    pdb = createConnectionPool({ connectionString: primary.url(), poolSize: 2 });
    await migrate(pdb);
    await addZone(pdb, 'example');
    await createRegistrar(pdb, { clientId: 'reg-a', name: 'Registrar A', password: 'Secret-a-123', zones: ['example'] });
    await pdb.query(sql`
      INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, email, auth_pw, created_at)
      SELECT 'C1-REG', 'owner', id, id, '{"name":"Owner","city":"Town","cc":"US"}', 'o@example.net', 'x', now() FROM registrars`);
    await pdb.query(sql`
      INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
      SELECT 'D2-REG', 'mirror.example', z.id, r.id, r.id, c.id, now(), now() + interval '1 year' FROM zones z, registrars r, contacts c`);

    // The standby: a base backup with standby.signal and primary_conninfo (-R), same password file.
    const sdir = join(dir, 'standby');
    const as = asPostgres();
    for (const d of [sdir, join(sdir, 'run')]) { mkdirSync(d, { recursive: true }); if (as) chownSync(d, as.uid, as.gid); }
    copyFileSync(join(dir, 'primary', 'password'), join(sdir, 'password'));
    if (as) chownSync(join(sdir, 'password'), as.uid, as.gid);
    await run(join(findPgBinaries().bindir, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(new URL(primary.url()).port), '-U', 'registry', '-D', join(sdir, 'pgdata'), '-R', '-X', 'stream', '-c', 'fast'], { PGPASSWORD: primary.password });
    standby = new LocalPostgres({ dir: sdir, port: await freePort() });
    await standby.start();
    sdb = createConnectionPool({ connectionString: standby.url(), poolSize: 1 });
    expect((await sdb.query(sql`SELECT pg_is_in_recovery() AS r`))[0].r).toBe(true);

    const config = defaults(dir);
    config.database.primary = primary.url();
    config.database.standbys = [standby.url()];
    config.database.poolSize = 3;
    config.rdds.whoisPort = await freePort();
    config.rdds.rdapPort = await freePort();
    config.rdds.lagPollMs = 100;
    config.rdds.rateLimitExempt = ['127.0.0.0/8'];
    const log = pino({ level: 'warn' }, pino.destination({ dest: join(dir, 'rdds.log'), sync: true }));
    app = await startRddsApp({ config, log });
    base = app.rdapBaseUrl;
  }, 120_000);

  afterAll(async () => {
    await app?.close(1000);
    await sdb?.dispose();
    await pdb?.dispose();
    await standby?.stop('immediate').catch(() => {});
    await primary?.stop('immediate').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const statuses = async () => (await rdap(`${base}domain/mirror.example`)).body!.status;
  const lag = async () => {
    const text = await app.metrics.registry.metrics();
    return { seconds: Number(/registry_rdds_replication_lag_seconds\{standby="0",kind="rdds"\} (\S+)/.exec(text)?.[1]), bytes: Number(/registry_rdds_replication_lag_bytes\{standby="0",kind="rdds"\} (\S+)/.exec(text)?.[1]) };
  };

  it('answers from the standby and reports no lag when it has caught up', async () => {
    expect(await statuses()).toEqual(['inactive']);
    const reads = await sdb.query(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'registry-rdds'`);
    expect(reads[0].n).toBeGreaterThan(0);
    await expect.poll(async () => (await lag()).bytes, { timeout: 5000, interval: 50 }).toBe(0);
    expect((await lag()).seconds).toBe(0);
  });

  it('never caches what the standby had not replayed when the change was notified', async () => {
    await sdb.query(sql`SELECT pg_wal_replay_pause()`);
    await pdb.query(sql`UPDATE domains SET statuses = '{serverHold}', updated_at = now() WHERE name = 'mirror.example'`);
    // The notice arrives from the primary at once; the standby still serves the old row.
    await expect.poll(async () => (await lag()).bytes, { timeout: 5000, interval: 50 }).toBeGreaterThan(0);
    const misses = async () => Number(/registry_cache_misses_total\{cache="rdds_domain",kind="rdds"\} (\d+)/.exec(await app.metrics.registry.metrics())?.[1] ?? 0);
    const before = await misses();
    expect(await statuses()).toEqual(['inactive']);
    expect(await statuses()).toEqual(['inactive']);
    // Each answer went back to the standby: nothing stale was cached.
    expect(await misses()).toBe(before + 2);
    expect((await lag()).bytes).toBeGreaterThan(0);
    // Seconds behind grow while replay is paused, and the answers say their data is that old.
    await expect.poll(async () => (await lag()).seconds, { timeout: 5000, interval: 50 }).toBeGreaterThan(0.2);
    const events = (await rdap(`${base}domain/mirror.example`)).body!.events as { eventAction: string; eventDate: string }[];
    const asOf = Date.parse(events.find((e) => e.eventAction === 'last update of RDAP database')!.eventDate);
    expect(Date.now() - asOf).toBeGreaterThanOrEqual(200);
    await sdb.query(sql`SELECT pg_wal_replay_resume()`);
    await expect.poll(statuses, { timeout: 5000, interval: 50 }).toEqual(['server hold', 'inactive']);
    await expect.poll(async () => (await lag()).bytes, { timeout: 5000, interval: 50 }).toBe(0);
    // Caught up: answers are cached again.
    await statuses();
    const settled = await misses();
    await statuses();
    expect(await misses()).toBe(settled);
  });
});
