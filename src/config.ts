/** Configuration: defaults, then one JSON file, then REGISTRY_* environment variables, then command-line flags. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export type ClientCertMode = 'none' | 'any' | 'ca';

export interface RegistryConfig {
  /** embedded: a local Postgres cluster under dataDir; production: an external primary (and standbys). */
  mode: 'embedded' | 'production';
  dataDir: string;
  database: {
    /** Connection string of the primary; derived from the embedded cluster when empty. */
    primary: string;
    standbys: string[];
    poolSize: number;
    /** Port of the embedded cluster. */
    embeddedPort: number;
    /** Every node of a replicated cluster (instead of primary/standbys): the primary is discovered and followed. */
    hosts: string[];
    /** Patroni REST base URLs of the same nodes, in the same order (optional; else pg_is_in_recovery()). */
    patroniUrls: string[];
    /** How long a command waits for a new primary during a failover before it fails with 2400. */
    primaryWaitSeconds: number;
    /** How often each node's role is re-checked (hosts only). */
    probeIntervalMs: number;
    connectTimeoutMs: number;
    /** Standbys further behind than this do not serve reads that may be stale. */
    maxReadLagSeconds: number;
  };
  epp: {
    host: string;
    port: number;
    /** Number of EPP front-end processes sharing the port. */
    processes: number;
    maxFrameBytes: number;
    idleTimeoutSeconds: number;
    clientCertMode: ClientCertMode;
    tlsCertFile: string;
    tlsKeyFile: string;
    caCertFile: string;
    caKeyFile: string;
    /** Server name in the greeting (RFC 5730 §2.4 svID). */
    svId: string;
    /** Repository identifier: the ROID suffix (RFC 5730 §2.8). */
    repoId: string;
    /** Failed logins from one address (or for one clID) within the window before 2501 and close. */
    maxFailedLogins: number;
    failedLoginWindowSeconds: number;
    /** On SIGTERM: how long in-flight commands may run before sessions are closed. */
    shutdownGraceSeconds: number;
    /** Maximum names in one check command. */
    maxCheckNames: number;
  };
  workers: { threads: number; concurrentTasksPerWorker: number };
  metrics: { host: string; port: number };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; file: string; stdout: boolean };
}

export function defaults(dataDir = resolve('var')): RegistryConfig {
  return {
    mode: 'embedded',
    dataDir,
    database: {
      primary: '', standbys: [], poolSize: 10, embeddedPort: 55432,
      hosts: [], patroniUrls: [], primaryWaitSeconds: 20, probeIntervalMs: 1000, connectTimeoutMs: 3000, maxReadLagSeconds: 30,
    },
    epp: {
      host: '127.0.0.1',
      port: 7700,
      processes: 2,
      maxFrameBytes: 65_536,
      idleTimeoutSeconds: 600,
      clientCertMode: 'none',
      tlsCertFile: join(dataDir, 'pki', 'server.crt'),
      tlsKeyFile: join(dataDir, 'pki', 'server.key'),
      caCertFile: join(dataDir, 'pki', 'ca.crt'),
      caKeyFile: join(dataDir, 'pki', 'ca.key'),
      svId: 'Open Registry EPP server',
      repoId: 'REG',
      maxFailedLogins: 5,
      failedLoginWindowSeconds: 300,
      shutdownGraceSeconds: 10,
      maxCheckNames: 50,
    },
    workers: { threads: 2, concurrentTasksPerWorker: 8 },
    metrics: { host: '127.0.0.1', port: 9464 },
    log: { level: 'info', file: join(dataDir, 'logs', 'registry.log'), stdout: false },
  };
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge<T>(base: T, patch: unknown, path = ''): T {
  if (!isObject(patch)) return base;
  const out: Json = { ...(base as Json) };
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in out)) throw new TypeError(`unknown configuration key ${path}${k}`);
    out[k] = isObject(out[k]) ? merge(out[k], v, `${path}${k}.`) : v;
  }
  return out as T;
}

/** Sets a dotted key from a string, converting to the type of the default value. */
function setPath(cfg: Json, dotted: string, raw: string): void {
  const keys = dotted.split('.');
  let node: Json = cfg;
  for (const k of keys.slice(0, -1)) {
    if (!isObject(node[k])) throw new TypeError(`unknown configuration key ${dotted}`);
    node = node[k] as Json;
  }
  const last = keys[keys.length - 1]!;
  if (!(last in node)) throw new TypeError(`unknown configuration key ${dotted}`);
  const current = node[last];
  if (typeof current === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new TypeError(`${dotted} must be a number, got ${JSON.stringify(raw)}`);
    node[last] = n;
  } else if (typeof current === 'boolean') {
    node[last] = raw === 'true' || raw === '1' || raw === 'yes';
  } else if (Array.isArray(current)) {
    node[last] = raw.split(',').map((s) => s.trim()).filter(Boolean);
  } else {
    node[last] = raw;
  }
}

/** REGISTRY_EPP_PORT → epp.port; REGISTRY_DATABASE_PRIMARY → database.primary (camelCase via the key list). */
function envOverrides(cfg: Json, env: NodeJS.ProcessEnv): void {
  const keys: string[] = [];
  const walk = (node: Json, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      if (isObject(v)) walk(v, `${prefix}${k}.`);
      else keys.push(`${prefix}${k}`);
    }
  };
  walk(cfg, '');
  for (const dotted of keys) {
    const name = 'REGISTRY_' + dotted.replace(/\./g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    const v = env[name];
    if (v !== undefined && v !== '') setPath(cfg, dotted, v);
  }
}

/** Command-line flags: --data-dir, --config, and --<dotted.key>=value (e.g. --epp.port=7000). */
export interface Flags { dataDir?: string; config?: string; sets: [string, string][] }

export function parseFlags(argv: string[]): Flags {
  const flags: Flags = { sets: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new TypeError(`flag --${key} needs a value`);
    if (key === 'data-dir') flags.dataDir = value;
    else if (key === 'config') flags.config = value;
    else flags.sets.push([key, value]);
  }
  return flags;
}

/**
 * Resolves the configuration. The data directory comes first (flag, REGISTRY_DATA_DIR, ./var)
 * because file defaults live under it; the config file is --config, REGISTRY_CONFIG, or
 * <dataDir>/registry.json when present.
 */
export function loadConfig(argv: string[] = [], env: NodeJS.ProcessEnv = process.env): RegistryConfig {
  const flags = parseFlags(argv);
  const dataDir = resolve(flags.dataDir ?? env.REGISTRY_DATA_DIR ?? 'var');
  let cfg = defaults(dataDir);
  const file = flags.config ?? env.REGISTRY_CONFIG ?? (existsSync(join(dataDir, 'registry.json')) ? join(dataDir, 'registry.json') : undefined);
  if (file) cfg = merge(cfg, JSON.parse(readFileSync(file, 'utf8')));
  envOverrides(cfg as unknown as Json, env);
  for (const [k, v] of flags.sets) setPath(cfg as unknown as Json, k, v);
  cfg.dataDir = dataDir;
  return validateConfig(cfg);
}

export function validateConfig(cfg: RegistryConfig): RegistryConfig {
  const port = (n: number, what: string) => {
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TypeError(`${what} must be a port number, got ${n}`);
  };
  port(cfg.epp.port, 'epp.port');
  port(cfg.metrics.port, 'metrics.port');
  port(cfg.database.embeddedPort, 'database.embeddedPort');
  if (!['embedded', 'production'].includes(cfg.mode)) throw new TypeError(`mode must be embedded or production`);
  const db = cfg.database;
  if (cfg.mode === 'production' && !db.primary && db.hosts.length === 0) throw new TypeError('production mode needs database.primary or database.hosts');
  if (db.primary && db.hosts.length > 0) throw new TypeError('set database.primary (one fixed primary) or database.hosts (discovered), not both');
  if (db.patroniUrls.length > 0 && db.patroniUrls.length !== db.hosts.length) throw new TypeError('database.patroniUrls must list one URL per database.hosts entry, in the same order');
  if (!(db.primaryWaitSeconds >= 0) || !(db.probeIntervalMs >= 50) || !(db.connectTimeoutMs >= 100)) throw new TypeError('database.primaryWaitSeconds >= 0, probeIntervalMs >= 50, connectTimeoutMs >= 100');
  if (!['none', 'any', 'ca'].includes(cfg.epp.clientCertMode)) throw new TypeError('epp.clientCertMode must be none, any or ca');
  if (cfg.epp.maxFrameBytes < 64 || cfg.epp.maxFrameBytes > 16 * 1024 * 1024) throw new TypeError('epp.maxFrameBytes out of range');
  if (cfg.epp.processes < 1 || cfg.epp.processes > 64) throw new TypeError('epp.processes must be 1..64');
  if (!/^\w{1,8}$/.test(cfg.epp.repoId)) throw new TypeError('epp.repoId must be 1-8 word characters (RFC 5730 §2.8)');
  if (cfg.workers.threads < 1 || cfg.workers.concurrentTasksPerWorker < 1) throw new TypeError('workers.* must be >= 1');
  return cfg;
}
