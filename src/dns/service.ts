/**
 * The DNS publication service of the `dns` child: connects to PowerDNS (or runs its own in
 * managed mode), and while this process holds the publisher's advisory lock, publishes the
 * change queue, keeps the queue metrics and the age alarm current, and refreshes quiet zones.
 */
import type { RegistryConfig } from '../config.js';
import { Database } from '../db/pool.js';
import { Leadership } from '../jobs/leader.js';
import type { Logger } from '../util/log.js';
import type { DnsMetrics } from './metrics.js';
import { ensurePdnsDatabase, findExecutable, findPgsqlSchema, ManagedPowerDns, withDatabase } from './powerdns-server.js';
import { PdnsUtil, PowerDnsApi, PowerDnsDb } from './powerdns.js';
import { Publisher } from './publisher.js';

/** Advisory lock of the DNS publisher ('REGD'); the scheduler uses 'REG2', migrations 'REG1'. */
export const DNS_PUBLISHER_LOCK = 0x52454744;

export interface DnsService { stop(): Promise<void>; detail: Record<string, unknown>; publisher?: Publisher }

/** PowerDNS endpoints as configured, or as managed mode derives them (database `pdns` on the registry's cluster). */
export function pdnsEndpoints(cfg: RegistryConfig): { database: string; apiUrl: string; configDir: string } {
  const d = cfg.dns;
  if (d.server === 'external') return { database: d.pdnsDatabase, apiUrl: d.apiUrl, configDir: d.pdnsConfigDir };
  return { database: d.pdnsDatabase || withDatabase(cfg.database.primary, 'pdns'), apiUrl: d.apiUrl || `http://127.0.0.1:${d.apiPort}`, configDir: d.pdnsConfigDir };
}

export interface DnsServiceOptions {
  clock?: () => Date;
  /** The managed pdns_server died: the process should exit so its supervisor restarts both. */
  onFatal?: (why: string) => void;
  /** The publication alarm went on (one line) or off (none): for the supervisor's /health. */
  onAlarms?: (alarms: string[]) => void;
}

export async function startDnsService(cfg: RegistryConfig, log: Logger, metrics: DnsMetrics, opts: DnsServiceOptions = {}): Promise<DnsService> {
  const clock = opts.clock;
  const d = cfg.dns;
  if (!d.enabled) {
    log.info('DNS publication disabled by configuration (dns.enabled=false)');
    return { stop: async () => {}, detail: { dns: 'disabled' } };
  }
  let managed: ManagedPowerDns | undefined;
  let api: PowerDnsApi | undefined;
  const ep = pdnsEndpoints(cfg);
  if (d.server === 'managed') {
    const missing = !findExecutable(d.pdnsServer) ? 'pdns_server' : !findPgsqlSchema() ? 'the gpgsql backend (pdns-backend-pgsql)' : !findExecutable(d.pdnsutil) ? 'pdnsutil' : undefined;
    if (missing) {
      log.warn(`DNS publication disabled: ${missing} not found; install it (apt-get install pdns-server pdns-backend-pgsql) or set dns.server=external`);
      return { stop: async () => {}, detail: { dns: 'disabled', reason: `${missing} not found` } };
    }
    const [host, port] = splitHostPort(d.listen);
    // Managed: the database is created (with PowerDNS's schema) on first start, on the registry's cluster by default.
    const target = new URL(ep.database);
    const database = await ensurePdnsDatabase(withDatabase(ep.database, 'postgres'), decodeURIComponent(target.pathname.slice(1)));
    managed = new ManagedPowerDns({ dir: ep.configDir, database, listenHost: host, listenPort: port, apiPort: d.apiPort, ...(d.apiKey ? { apiKey: d.apiKey } : {}), pdnsServer: d.pdnsServer,
      onExit: (code, signal) => { log.error({ code, signal }, 'managed pdns_server exited'); opts.onFatal?.('pdns_server exited'); } });
    await managed.start();
    api = new PowerDnsApi(managed.apiUrl, managed.apiKey);
    ep.database = database;
    log.info({ listen: d.listen, api: managed.apiUrl, log: managed.logFile }, 'PowerDNS (managed) started');
  } else if (ep.apiUrl) {
    api = new PowerDnsApi(ep.apiUrl, d.apiKey);
  }
  const pdns = new PowerDnsDb(ep.database);
  await pdns.ensureSchema();
  if (api) {
    const caches = await api.cacheSettings().catch(() => ({} as Record<string, string>));
    const stale = Object.entries(caches).filter(([, v]) => v !== '0');
    if (stale.length) log.warn({ caches }, 'PowerDNS caches are on: answers may lag direct database writes by their TTL (set them to 0 on a hidden primary, ops/dns/pdns.conf)');
  } else {
    log.warn('no PowerDNS API configured (dns.apiUrl): secondaries learn of changes at their SOA refresh, not by immediate NOTIFY');
  }
  // Writes only (the queue and PowerDNS's tables): the primary, followed through failovers with database.hosts.
  const db = Database.fromConfig({ ...cfg.database, standbys: [] }, { poolSize: 3, applicationName: 'registry-dns' });
  const publisher = new Publisher({ db, pdns, ...(api ? { api } : {}), pdnsutil: new PdnsUtil(d.pdnsutil, ep.configDir), dns: d, log, metrics, ...(clock ? { clock } : {}) });
  metrics.watchQueue(() => publisher.queueStatus(), d.alarmSeconds);
  const leadership = new Leadership({ pool: db.primary, lockId: DNS_PUBLISHER_LOCK, name: 'dns publisher', log, retryMs: 2000 });
  leadership.start(async (ctx) => {
    metrics.leader.set(1);
    let lastStatus = 0;
    let lastRefresh = 0;
    let alarmed = false;
    try {
      while (!ctx.signal.aborted) {
        let units = 0;
        try {
          units = (await publisher.publishBatch()).units;
        } catch (err) {
          metrics.errors.inc();
          log.error({ err }, 'DNS publication failed; retrying');
          await ctx.sleep(1000);
        }
        const now = Date.now();
        if (now - lastStatus >= 1000) {
          lastStatus = now;
          const q = await publisher.queueStatus();
          const alarm = q.oldestSeconds > d.alarmSeconds;
          if (alarm && !alarmed) log.warn({ oldestSeconds: q.oldestSeconds, depth: q.depth }, 'DNS publication is behind: the oldest change is older than dns.alarmSeconds');
          if (!alarm && alarmed) log.info('DNS publication caught up');
          if (alarm !== alarmed) opts.onAlarms?.(alarm ? [`dns: publication behind (oldest unpublished change older than ${d.alarmSeconds} s, ${q.depth} names queued)`] : []);
          alarmed = alarm;
        }
        if (now - lastRefresh >= 3_600_000) { lastRefresh = now; await publisher.refreshQuietZones(); }
        if (units === 0) await ctx.sleep(d.pollIntervalMs);
        await ctx.heartbeat();
      }
    } finally {
      metrics.leader.set(0);
      // Whoever leads next reports its own view of the queue.
      if (alarmed) opts.onAlarms?.([]);
    }
  });
  return {
    publisher,
    detail: { dns: d.server, database: ep.database.replace(/:[^:@/]*@/, ':***@'), ...(managed ? { listen: d.listen } : {}) },
    async stop() {
      await leadership.stop();
      await db.dispose();
      await pdns.dispose();
      await managed?.stop();
    },
  };
}

function splitHostPort(s: string): [string, number] {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(s);
  if (!m) throw new TypeError(`dns.listen must be host:port, got ${s}`);
  return [m[1]!, Number(m[2])];
}
