/**
 * A throwaway two-node Patroni cluster with one etcd member on loopback free ports, built with
 * the operator script ops/bin/registry-cluster (background runner), for the HA fault tests.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { createConnectionPool, type ConnectionPool } from '../../src/db/pool.js';
import { freePort } from '../../src/util/net.js';

export const SCRIPT = fileURLToPath(new URL('../../ops/bin/registry-cluster', import.meta.url));
const LOOPBACK_ENV = fileURLToPath(new URL('../../ops/bin/loopback-cluster-env', import.meta.url));

export interface PgNode {
  name: string;
  /** This node's pgBackRest configuration (archive option): same repository, own pg1-path. */
  pgbackrestConf: string;
  pgPort: number;
  patroniPort: number;
  envFile: string;
  dataDir: string;
  /** The application role's connection string (what database.hosts lists). */
  appUrl: string;
  patroniUrl: string;
}

export interface PatroniCluster {
  nodes: [PgNode, PgNode];
  dir: string;
  /** Runs registry-cluster for a node; resolves with its stdout. */
  cli(node: PgNode, ...args: string[]): Promise<string>;
  /** The node whose Patroni answers 200 on GET /primary, if any. */
  leader(): Promise<PgNode | undefined>;
  /** True when the node's Patroni answers 200 on /sync (it is the synchronous standby). */
  isSyncStandby(node: PgNode): Promise<boolean>;
  /** The pid of the node's postmaster (first line of postmaster.pid). */
  postmasterPid(node: PgNode): number;
  other(node: PgNode): PgNode;
  /** A superuser pool on a node's registry database (for checks the application cannot make). */
  admin(node: PgNode): ConnectionPool;
  stop(): Promise<void>;
}

const PASSWORDS = { superuser: 'Ha-super-1', replication: 'Ha-repl-1', rewind: 'Ha-rewind-1', app: 'Ha-app-1' };

function run(file: string, args: string[], timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

async function status(url: string): Promise<number> {
  try {
    const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

/** The operator's pgBackRest template (ops/pgbackrest/pgbackrest.conf) pointed at one test node. */
function pgbackrestConf(dir: string, node: { dataDir: string; pgPort: number; runDir: string }): string {
  const template = readFileSync(fileURLToPath(new URL('../../ops/pgbackrest/pgbackrest.conf', import.meta.url)), 'utf8');
  const set: Record<string, string> = {
    'repo1-path': join(dir, 'repo'), 'log-path': join(dir, 'pgbackrest-log'), 'lock-path': join(dir, 'pgbackrest-lock'),
    'pg1-path': node.dataDir, 'pg1-port': String(node.pgPort), 'pg1-socket-path': node.runDir, 'repo1-retention-full': '2',
  };
  return template.replace(/^([a-z0-9-]+)=.*$/gm, (line, key: string) => (key in set ? `${key}=${set[key]}` : line));
}

export async function startPatroniCluster(dir: string, o: { sync?: boolean; archive?: boolean } = {}): Promise<PatroniCluster> {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const d of ['repo', 'pgbackrest-log', 'pgbackrest-lock']) {
    mkdirSync(join(dir, d), { recursive: true });
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:', join(dir, d)]);
  }
  const etcdClient = await freePort();
  const etcdPeer = await freePort();
  const nodes: PgNode[] = [];
  for (const n of [1, 2]) {
    const name = `pg${n}`;
    const conf = join(dir, `${name}-pgbackrest.conf`);
    // The loopback env of ops/bin/loopback-cluster-env, with this test's names and secrets.
    const text = await run(LOOPBACK_ENV, [String(n), dir, String(etcdClient), String(etcdPeer),
      'CLUSTER_NAME=registry-ha-test', `SYNC_MODE=${o.sync === false ? 'false' : 'true'}`,
      `SUPERUSER_PASSWORD=${PASSWORDS.superuser}`, `REPLICATION_PASSWORD=${PASSWORDS.replication}`, `REWIND_PASSWORD=${PASSWORDS.rewind}`,
      `APP_PASSWORD=${PASSWORDS.app}`, `ARCHIVE=${o.archive ? 'on' : 'off'}`, 'PGBACKREST_STANZA=registry', `PGBACKREST_CONFIG=${conf}`]);
    const env = Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    const pgPort = Number(env.PG_PORT);
    writeFileSync(conf, pgbackrestConf(dir, { dataDir: env.DATA_DIR!, pgPort, runDir: env.RUN_DIR! }));
    const envFile = join(dir, `${name}.env`);
    writeFileSync(envFile, text);
    nodes.push({
      name, pgPort, patroniPort: Number(env.PATRONI_PORT), envFile, dataDir: env.DATA_DIR!, pgbackrestConf: conf,
      appUrl: `postgres://registry:${PASSWORDS.app}@127.0.0.1:${pgPort}/registry`,
      patroniUrl: `http://127.0.0.1:${env.PATRONI_PORT}`,
    });
  }
  const [n1, n2] = nodes as [PgNode, PgNode];
  const admins: ConnectionPool[] = [];
  const c: PatroniCluster = {
    nodes: [n1, n2],
    dir,
    cli: (node, ...args) => run(SCRIPT, ['--env', node.envFile, ...args]),
    async leader() {
      for (const node of [n1, n2]) if ((await status(`${node.patroniUrl}/primary`)) === 200) return node;
      return undefined;
    },
    async isSyncStandby(node) { return (await status(`${node.patroniUrl}/sync`)) === 200; },
    postmasterPid(node) { return Number(readFileSync(join(node.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]); },
    other(node) { return node === n1 ? n2 : n1; },
    admin(node) {
      const p = createConnectionPool({ connectionString: `postgres://postgres:${PASSWORDS.superuser}@127.0.0.1:${node.pgPort}/registry`, poolSize: 2, onError: () => { /* the node is killed on purpose */ } });
      admins.push(p);
      return p;
    },
    async stop() {
      await Promise.all(admins.map((p) => p.dispose().catch(() => {})));
      // The standby first, so the primary is not left waiting on it while it shuts down.
      for (const node of [n2, n1]) await c.cli(node, 'stop').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await c.cli(n1, 'bootstrap');
    await c.cli(n2, 'join');
  } catch (err) {
    await c.stop();
    throw err;
  }
  return c;
}
