/**
 * Assembles one RDDS front-end from configuration: database (reads on a standby when one is
 * configured), caches fed by the change log and NOTIFY, replication-lag monitoring, rate limiters, metrics, and the
 * WHOIS and RDAP servers. Used by the cluster child and, in-process, by tests.
 */
import { readFileSync } from 'node:fs';
import type { RegistryConfig } from '../config.js';
import { Database } from '../db/pool.js';
import { listenForInvalidations, type Listening } from '../db/listen.js';
import { ZoneCache } from '../registry/zone-cache.js';
import { isValidCidr } from '../security/allowlist.js';
import type { Logger } from '../util/log.js';
import { Invalidations } from './cache.js';
import { ChangeFeed } from './changes.js';
import { createRddsMetrics, type RddsMetrics } from './metrics.js';
import { RateLimiter } from './rate-limit.js';
import { rdapBaseUrl } from './rdap/base-url.js';
import { RdapServer } from './rdap/server.js';
import { RegistrarDirectory } from './registrars.js';
import { ReplicationMonitor } from './replication.js';
import { RegistrationData } from './service.js';
import { WhoisServer } from './whois/server.js';

export interface RddsApp {
  whois: WhoisServer;
  rdap: RdapServer;
  data: RegistrationData;
  db: Database;
  metrics: RddsMetrics;
  limiters: { whois: RateLimiter; rdap: RateLimiter };
  replication: ReplicationMonitor;
  changes: ChangeFeed;
  /** The public RDAP base URL (links use it). */
  rdapBaseUrl: string;
  close(deadlineMs?: number): Promise<void>;
}

export interface RddsAppOptions {
  config: RegistryConfig;
  log: Logger;
  /** Wall clock for "last update" dates. */
  clock?: () => Date;
  /** Milliseconds for the rate limiters (tests move it instead of sleeping). */
  limiterClock?: () => number;
  /** Listen on these ports instead of the configured ones (0 = any free port, for tests). */
  whoisPort?: number;
  rdapPort?: number;
}

function checkCidrs(list: readonly string[], what: string): void {
  for (const c of list) if (!isValidCidr(c)) throw new TypeError(`${what}: not a CIDR: ${c}`);
}

export async function startRddsApp(opts: RddsAppOptions): Promise<RddsApp> {
  const { config, log } = opts;
  const rc = config.rdds;
  checkCidrs(rc.rateLimitExempt, 'rdds.rateLimitExempt');
  checkCidrs(rc.rdapTrustedProxies, 'rdds.rdapTrustedProxies');
  const metrics = createRddsMetrics();
  const db = Database.fromConfig(config.database, {
    poolSize: config.database.poolSize,
    applicationName: 'registry-rdds',
    events: { connection: (d) => metrics.dbConnections.inc(d), query: (d) => metrics.dbQueriesActive.inc(d) },
  });
  // Reads from a standby need its replay position watched (ReplicationMonitor) so that a change is
  // never cached before the standby has replayed it; that works with the fixed database.standbys.
  // With discovered hosts (Patroni) the standbys move around, so RDDS reads the primary there.
  const standbys = db.discovering ? [] : config.database.standbys;
  const standby = standbys.length > 0;
  const inv = new Invalidations(standby);
  // Zones and registrars are few and change rarely: read them where their notices come from.
  const zones = new ZoneCache(() => db.primary);
  const registrars = new RegistrarDirectory(() => db.primary);
  const replication = new ReplicationMonitor({
    primary: db.primary, standbys, inv, pollMs: rc.lagPollMs, log,
    onLag: (l) => {
      metrics.lagSeconds.set({ standby: String(l.index) }, l.seconds);
      metrics.lagBytes.set({ standby: String(l.index) }, l.bytes);
    },
  });
  const data = new RegistrationData({
    reader: () => (standby ? db.reader() : db.primary), zones, registrars, inv, cacheEntries: rc.cacheEntries, searchMaxResults: rc.searchMaxResults, metrics,
    ...(opts.clock ? { clock: opts.clock } : {}), lagSeconds: () => replication.maxLagSeconds,
  });
  metrics.cacheSizes = () => data.cacheSizes;
  // Registrars and zones change rarely and notify (0001); registry objects go through the change log.
  const listening: Listening = await listenForInvalidations(db.discovering ? db : config.database.primary, [zones, registrars], (event, detail) => {
    if (event === 'error' || event === 'reconnect') log.warn({ event, detail }, 'cache listener');
  });
  const changes = new ChangeFeed({ db: () => db.primary, listeners: [data], pollMs: rc.changePollMs, log, onPoll: (n) => metrics.changes.inc(n) });
  await changes.start();
  replication.start();

  // node:cluster spreads connections over the RDDS processes, so each holds its share of a client's budget.
  const share = Math.max(1, rc.processes);
  const limiter = (perMinute: number, burst: number) => new RateLimiter({
    perMinute: perMinute / share, burst: Math.max(1, Math.floor(burst / share)), exempt: rc.rateLimitExempt,
    ipv6Prefix: rc.rateLimitIpv6Prefix, maxClients: rc.rateLimitMaxClients, ...(opts.limiterClock ? { clock: opts.limiterClock } : {}),
  });
  const limiters = { whois: limiter(rc.whoisRateLimitPerMinute, rc.whoisRateLimitBurst), rdap: limiter(rc.rdapRateLimitPerMinute, rc.rdapRateLimitBurst) };

  const whois = new WhoisServer({ data, config: rc, limiter: limiters.whois, log, metrics });
  const tls = rc.rdapTls ? { key: readFileSync(rc.rdapTlsKeyFile || config.epp.tlsKeyFile), cert: readFileSync(rc.rdapTlsCertFile || config.epp.tlsCertFile) } : undefined;
  const rdap = new RdapServer({ data, config: rc, limiter: limiters.rdap, log, metrics, trustedProxies: rc.rdapTrustedProxies, ...(tls ? { tls } : {}) });
  try {
    // One RDDS process needs no shared listener (see WhoisServer.listen).
    const exclusive = rc.processes <= 1;
    await whois.listen(opts.whoisPort ?? rc.whoisPort, rc.whoisHost, exclusive);
    await rdap.listen(opts.rdapPort ?? rc.rdapPort, rc.rdapHost, exclusive);
  } catch (err) {
    await whois.close(0).catch(() => {});
    await changes.close();
    await listening.close().catch(() => {});
    await replication.close();
    await db.dispose();
    throw err;
  }
  const base = rdapBaseUrl(rc);
  log.info({ whois: whois.port, rdap: rdap.port, base }, 'RDDS front-end listening');
  return {
    whois, rdap, data, db, metrics, limiters, replication, changes, rdapBaseUrl: base,
    async close(deadlineMs = config.epp.shutdownGraceSeconds * 1000) {
      await Promise.all([whois.close(deadlineMs), rdap.close(deadlineMs)]);
      await changes.close();
      await listening.close().catch(() => {});
      await replication.close();
      await db.dispose();
    },
  };
}
