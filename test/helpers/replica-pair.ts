/**
 * A primary and a streaming standby of plain PostgreSQL (pg_basebackup -R, no Patroni), migrated,
 * for tests of the connection layer: promote, stop and restart nodes by hand to play failovers.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPostgres, findPgBinaries } from '../../src/embedded/postgres.js';
import { createConnectionPool, sql, type ConnectionPool } from '../../src/db/pool.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from '../../src/util/net.js';

export interface ReplicaPair {
  primary: LocalPostgres;
  standby: LocalPostgres;
  /** Connection strings of the registry database on each node. */
  urls: [string, string];
  ports: [number, number];
  /** `pg_ctl promote` on the standby, waiting until it accepts writes. */
  promoteStandby(): Promise<void>;
  /** A superuser pool on one node (0 = first primary, 1 = standby). */
  admin(node: 0 | 1): ConnectionPool;
  close(): Promise<void>;
}

function asPostgres(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const as = asPostgres();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C', ...env }, ...(as ?? {}) });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${out}`))));
  });
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-pair-'));
  chmodSync(dir, 0o755);
  const ports: [number, number] = [await freePort(), await freePort()];
  const primary = new LocalPostgres({ dir: join(dir, 'a'), port: ports[0] });
  await primary.init();
  await primary.start();
  const m = createConnectionPool({ connectionString: primary.url(), poolSize: 1 });
  await migrate(m);
  await m.dispose();

  // The standby: a base backup of the primary with primary_conninfo written by -R.
  const standbyDir = join(dir, 'b');
  mkdirSync(join(standbyDir, 'pgdata'), { recursive: true, mode: 0o700 });
  copyFileSync(join(dir, 'a', 'password'), join(standbyDir, 'password'));
  const as = asPostgres();
  if (as) for (const p of [standbyDir, join(standbyDir, 'pgdata'), join(standbyDir, 'password')]) chownSync(p, as.uid, as.gid);
  chmodSync(join(standbyDir, 'pgdata'), 0o700);
  const bin = findPgBinaries().bindir;
  await run(join(bin, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(ports[0]), '-U', primary.user, '-D', join(standbyDir, 'pgdata'), '-R', '-X', 'stream', '-c', 'fast'],
    { PGPASSWORD: primary.password });
  const standby = new LocalPostgres({ dir: standbyDir, port: ports[1] });
  mkdirSync(standby.socketDir, { recursive: true, mode: 0o700 });
  if (as) chownSync(standby.socketDir, as.uid, as.gid);
  await standby.start();
  const urls: [string, string] = [primary.url(), standby.url()];
  const admins: ConnectionPool[] = [];
  const pair: ReplicaPair = {
    primary, standby, urls, ports,
    async promoteStandby() {
      await run(join(bin, 'pg_ctl'), ['-D', standby.pgdata, '-w', 'promote']);
    },
    admin(node) {
      const p = createConnectionPool({ connectionString: urls[node], poolSize: 2 });
      admins.push(p);
      return p;
    },
    async close() {
      await Promise.all(admins.map((p) => p.dispose().catch(() => {})));
      await standby.stop('immediate').catch(() => {});
      await primary.stop('immediate').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  // Wait until the standby has replayed the migrations.
  const s = pair.admin(1);
  for (let i = 0; i < 100; i++) {
    const [r] = await s.query(sql`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'domains'`);
    if (r.n === 1) break;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  return pair;
}
