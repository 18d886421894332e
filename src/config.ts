/** Configuration: defaults, then one JSON file, then REGISTRY_* environment variables, then command-line flags. */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isValidCidr } from './security/allowlist.js';

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
    /** Send statements as named prepared statements (off behind a transaction-pooling proxy). */
    namedStatements: boolean;
  };
  epp: {
    host: string;
    port: number;
    /** Number of EPP front-end processes sharing the port. */
    processes: number;
    /**
     * How the processes sharing a port (EPP, and RDDS when it has several) get their connections:
     * `round-robin`, the supervisor accepts each and hands it to the next child over IPC (sessions
     * evenly spread); `kernel`, every child accepts on the shared socket itself (cheaper per
     * connection, so more logins per second, but the spread of sessions is uneven).
     */
    accept: 'round-robin' | 'kernel';
    maxFrameBytes: number;
    idleTimeoutSeconds: number;
    /**
     * TCP proxies (CIDRs) in front of the EPP port that send a PROXY protocol header (haproxy
     * `send-proxy-v2`): connections from them must start with one, and its source address is the
     * registrar's for the allow-lists, the failed-login limit and the audit log. Empty: none.
     */
    proxyProtocolFrom: string[];
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
  /** Registration data services: WHOIS (RFC 3912) and RDAP (RFC 7480-7483, 9082, 9083). */
  rdds: RddsConfig;
  metrics: { host: string; port: number };
  log: { level: 'debug' | 'info' | 'warn' | 'error'; file: string; stdout: boolean };
  /** The cluster-wide job runner: how often the leader runs a pass, and rows per transaction. */
  jobs: { intervalSeconds: number; batchSize: number };
  /** Who issues receipts and statements (shown at their top). */
  billing: { issuerName: string; issuerAddress: string[] };
  dns: DnsConfig;
}

/** DNS publication (src/dns/): where PowerDNS's database is, how to batch, and defaults for new zones. */
export interface DnsConfig {
  /** Run the publisher child at all. */
  enabled: boolean;
  /**
   * managed: the dns child runs its own pdns_server against a `pdns` database in the embedded
   * cluster (embedded mode only); external: PowerDNS is run by the operator (ops/dns/).
   */
  server: 'managed' | 'external';
  /** PowerDNS's database (gpgsql); empty in managed mode: database `pdns` of the registry's cluster. */
  pdnsDatabase: string;
  /** PowerDNS HTTP API, used to send NOTIFY at once after a change; empty disables it. */
  apiUrl: string;
  apiKey: string;
  /** pdnsutil and the PowerDNS configuration directory it reads (for secure-zone, keys). */
  pdnsutil: string;
  pdnsConfigDir: string;
  /** Managed server: pdns_server binary, DNS listen address and API port. */
  pdnsServer: string;
  listen: string;
  apiPort: number;
  /** Units published per transaction; how often the queue is looked at when idle. */
  batchSize: number;
  pollIntervalMs: number;
  /** Secondaries sent NOTIFY (RFC 1996) for every zone, host[:port]. */
  alsoNotify: string[];
  /** Health alarm when the oldest unpublished change is older than this. */
  alarmSeconds: number;
  /** Bump the serial of a quiet zone this often, so secondaries refetch fresh signatures. */
  serialRefreshHours: number;
  /** Defaults for zones without DNS settings yet ({zone} is replaced by the zone name). */
  defaults: {
    nameservers: string[];
    soaRname: string;
    refresh: number; retry: number; expire: number; minimum: number;
    soaTtl: number; nsTtl: number; dsTtl: number; glueTtl: number;
    dnssec: boolean; nsec3: boolean;
  };
  /** Offline signing of exports (dnssec-signzone): where the keys live. */
  exportKeyDir: string;
}

export interface RddsConfig {
  /** RDDS front-end processes sharing both ports (0: no WHOIS or RDAP). */
  processes: number;
  whoisHost: string;
  whoisPort: number;
  rdapHost: string;
  rdapPort: number;
  /** Public base URL of the RDAP service, ending in "/" (links use it); its path is where the server answers. Empty: http://rdapHost:rdapPort/rdap/. */
  rdapBaseUrl: string;
  /** Serve RDAP over HTTPS here (TIG 1.4 asks for HTTPS; production usually terminates TLS in front). */
  rdapTls: boolean;
  /** Certificate and key for rdapTls; empty: the EPP server's (epp.tlsCertFile, epp.tlsKeyFile). */
  rdapTlsCertFile: string;
  rdapTlsKeyFile: string;
  /** Peers (a TLS terminator, a load balancer) whose X-Forwarded-For names the client, for rate limits. */
  rdapTrustedProxies: string[];
  /** Public name of the WHOIS server, announced as RDAP "port43" (RFC 9083 §4.7) when set. */
  port43: string;
  /** Per client address (IPv6: per rateLimitIpv6Prefix): sustained queries per minute and burst. */
  whoisRateLimitPerMinute: number;
  whoisRateLimitBurst: number;
  rdapRateLimitPerMinute: number;
  rdapRateLimitBurst: number;
  /** A search costs this many lookups of the RDAP budget. */
  rdapSearchCost: number;
  /** CIDRs never rate limited (monitoring, agreed high-volume users). */
  rateLimitExempt: string[];
  rateLimitIpv6Prefix: number;
  /** Client addresses tracked by the limiter; beyond it the least recently seen are forgotten. */
  rateLimitMaxClients: number;
  /** WHOIS: a query line longer than this is refused; no complete line within whoisIdleTimeoutMs of the last data, or a connection older than whoisTotalTimeoutMs, is closed. */
  whoisMaxQueryBytes: number;
  whoisIdleTimeoutMs: number;
  whoisTotalTimeoutMs: number;
  whoisMaxConnections: number;
  /** RDAP: longest request target (path and query) accepted; request and keep-alive timeouts. */
  rdapMaxUrlBytes: number;
  rdapRequestTimeoutMs: number;
  rdapKeepAliveTimeoutMs: number;
  /** Results returned by one search; more are cut with a truncation notice (RFC 9083 §4.3). */
  searchMaxResults: number;
  /** Domains held in memory per process (about 6.5 KB each with both answers rendered), kept fresh by polling the change log every changePollMs. */
  cacheEntries: number;
  changePollMs: number;
  /** How often replication lag is measured when reading from standbys. */
  lagPollMs: number;
  /** Terms of use: the end of every WHOIS answer and an RDAP notice; termsOfUseUrl is its link (empty: <rdapBaseUrl>help). */
  termsOfUse: string;
  termsOfUseUrl: string;
}

export const DEFAULT_TERMS_OF_USE = 'The registration data shown here is provided to help establish who registered a domain name ' +
  'and how to reach them about it. It may not be used for unsolicited advertising, for automated high-volume queries ' +
  '(other than to register or manage domain names), or in breach of applicable law. Querying means accepting these terms.';

export function defaults(dataDir = resolve('var')): RegistryConfig {
  return {
    mode: 'embedded',
    dataDir,
    database: {
      primary: '', standbys: [], poolSize: 10, embeddedPort: 55432,
      hosts: [], patroniUrls: [], primaryWaitSeconds: 20, probeIntervalMs: 1000, connectTimeoutMs: 3000, maxReadLagSeconds: 30, namedStatements: true,
    },
    epp: {
      host: '127.0.0.1',
      port: 7700,
      processes: 2,
      maxFrameBytes: 65_536,
      idleTimeoutSeconds: 600,
      proxyProtocolFrom: [],
      clientCertMode: 'none',
      tlsCertFile: join(dataDir, 'pki', 'server.crt'),
      tlsKeyFile: join(dataDir, 'pki', 'server.key'),
      caCertFile: join(dataDir, 'pki', 'ca.crt'),
      caKeyFile: join(dataDir, 'pki', 'ca.key'),
      accept: 'round-robin',
      svId: 'Open Registry EPP server',
      repoId: 'REG',
      maxFailedLogins: 5,
      failedLoginWindowSeconds: 300,
      shutdownGraceSeconds: 10,
      maxCheckNames: 50,
    },
    workers: { threads: 2, concurrentTasksPerWorker: 8 },
    rdds: {
      processes: 1,
      whoisHost: '127.0.0.1',
      whoisPort: 4343,
      rdapHost: '127.0.0.1',
      rdapPort: 7480,
      rdapBaseUrl: '',
      rdapTls: false,
      rdapTlsCertFile: '',
      rdapTlsKeyFile: '',
      rdapTrustedProxies: [],
      port43: '',
      whoisRateLimitPerMinute: 120,
      whoisRateLimitBurst: 30,
      rdapRateLimitPerMinute: 300,
      rdapRateLimitBurst: 60,
      rdapSearchCost: 10,
      rateLimitExempt: [],
      rateLimitIpv6Prefix: 64,
      rateLimitMaxClients: 100_000,
      whoisMaxQueryBytes: 512,
      whoisIdleTimeoutMs: 10_000,
      whoisTotalTimeoutMs: 30_000,
      whoisMaxConnections: 2000,
      rdapMaxUrlBytes: 2048,
      rdapRequestTimeoutMs: 10_000,
      rdapKeepAliveTimeoutMs: 5_000,
      searchMaxResults: 50,
      cacheEntries: 50_000,
      changePollMs: 100,
      lagPollMs: 1000,
      termsOfUse: DEFAULT_TERMS_OF_USE,
      termsOfUseUrl: '',
    },
    metrics: { host: '127.0.0.1', port: 9464 },
    log: { level: 'info', file: join(dataDir, 'logs', 'registry.log'), stdout: false },
    jobs: { intervalSeconds: 10, batchSize: 500 },
    billing: { issuerName: 'Open Registry', issuerAddress: [] },
    dns: {
      enabled: true,
      server: 'managed',
      pdnsDatabase: '',
      apiUrl: '',
      apiKey: '',
      pdnsutil: 'pdnsutil',
      pdnsConfigDir: join(dataDir, 'dns', 'pdns'),
      pdnsServer: 'pdns_server',
      listen: '127.0.0.1:5300',
      apiPort: 8053,
      batchSize: 500,
      pollIntervalMs: 100,
      alsoNotify: [],
      alarmSeconds: 60,
      serialRefreshHours: 24,
      defaults: {
        // A name server for the demo zone answering on loopback; production sets its own.
        nameservers: ['ns1.nic.{zone}=127.0.0.1'],
        soaRname: 'hostmaster.nic.{zone}',
        refresh: 1800, retry: 900, expire: 1_209_600, minimum: 900,
        soaTtl: 3600, nsTtl: 86_400, dsTtl: 3600, glueTtl: 86_400,
        dnssec: true, nsec3: false,
      },
      exportKeyDir: join(dataDir, 'dns', 'keys'),
    },
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
  if (!['round-robin', 'kernel'].includes(cfg.epp.accept)) throw new TypeError('epp.accept must be round-robin or kernel');
  if (!Array.isArray(cfg.epp.proxyProtocolFrom) || !cfg.epp.proxyProtocolFrom.every((c) => typeof c === 'string' && isValidCidr(c))) throw new TypeError('epp.proxyProtocolFrom must be a list of CIDRs');
  if (cfg.epp.processes < 1 || cfg.epp.processes > 64) throw new TypeError('epp.processes must be 1..64');
  if (!/^\w{1,8}$/.test(cfg.epp.repoId)) throw new TypeError('epp.repoId must be 1-8 word characters (RFC 5730 §2.8)');
  if (cfg.workers.threads < 1 || cfg.workers.concurrentTasksPerWorker < 1) throw new TypeError('workers.* must be >= 1');
  if (!(cfg.jobs.intervalSeconds > 0) || !Number.isInteger(cfg.jobs.batchSize) || cfg.jobs.batchSize < 1) throw new TypeError('jobs.intervalSeconds must be > 0 and jobs.batchSize >= 1');
  validateRdds(cfg.rdds, port);
  if (!['managed', 'external'].includes(cfg.dns.server)) throw new TypeError('dns.server must be managed or external');
  if (cfg.dns.server === 'external' && cfg.dns.enabled && !cfg.dns.pdnsDatabase) throw new TypeError('dns.server external needs dns.pdnsDatabase');
  if (!Number.isInteger(cfg.dns.batchSize) || cfg.dns.batchSize < 1 || cfg.dns.batchSize > 10_000) throw new TypeError('dns.batchSize must be 1..10000');
  if (!(cfg.dns.pollIntervalMs >= 10)) throw new TypeError('dns.pollIntervalMs must be >= 10');
  if (!(cfg.dns.alarmSeconds > 0)) throw new TypeError('dns.alarmSeconds must be > 0');
  port(cfg.dns.apiPort, 'dns.apiPort');
  return cfg;
}

function validateRdds(r: RddsConfig, port: (n: number, what: string) => void): void {
  port(r.whoisPort, 'rdds.whoisPort');
  port(r.rdapPort, 'rdds.rdapPort');
  if (!Number.isInteger(r.processes) || r.processes < 0 || r.processes > 64) throw new TypeError('rdds.processes must be 0..64');
  if (r.rdapBaseUrl) {
    let u: URL;
    try { u = new URL(r.rdapBaseUrl); } catch { throw new TypeError(`rdds.rdapBaseUrl is not a URL: ${r.rdapBaseUrl}`); }
    if (!['http:', 'https:'].includes(u.protocol) || !u.pathname.endsWith('/') || u.search || u.hash) throw new TypeError('rdds.rdapBaseUrl must be an http(s) URL ending in "/" without query or fragment');
  }
  if (r.termsOfUseUrl && !/^https?:\/\//.test(r.termsOfUseUrl)) throw new TypeError('rdds.termsOfUseUrl must be an http(s) URL (TIG 3.3)');
  const positive: (keyof RddsConfig)[] = ['whoisRateLimitPerMinute', 'whoisRateLimitBurst', 'rdapRateLimitPerMinute', 'rdapRateLimitBurst', 'rdapSearchCost',
    'rateLimitMaxClients', 'whoisMaxQueryBytes', 'whoisIdleTimeoutMs', 'whoisTotalTimeoutMs', 'whoisMaxConnections', 'rdapMaxUrlBytes',
    'rdapRequestTimeoutMs', 'rdapKeepAliveTimeoutMs', 'searchMaxResults', 'cacheEntries', 'changePollMs', 'lagPollMs'];
  for (const k of positive) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new TypeError(`rdds.${k} must be a positive number, got ${v}`);
  }
  if (r.whoisMaxQueryBytes < 64) throw new TypeError('rdds.whoisMaxQueryBytes must be at least 64 (a domain name is up to 253)');
  if (!Number.isInteger(r.rateLimitIpv6Prefix) || r.rateLimitIpv6Prefix < 32 || r.rateLimitIpv6Prefix > 128) throw new TypeError('rdds.rateLimitIpv6Prefix must be 32..128');
  if (!Array.isArray(r.rateLimitExempt)) throw new TypeError('rdds.rateLimitExempt must be a list of CIDRs');
  if (!Array.isArray(r.rdapTrustedProxies)) throw new TypeError('rdds.rdapTrustedProxies must be a list of CIDRs');
}
