/** Prometheus metrics of one RDDS front-end process (the supervisor aggregates them across children). */
import client from 'prom-client';
import type { CacheStats } from './cache.js';

export type RddsMetrics = ReturnType<typeof createRddsMetrics>;

export type RddsService = 'whois' | 'rdap';

export function createRddsMetrics() {
  const queryChildren = new Map<string, client.Counter.Internal>();
  const latencyChildren = new Map<string, client.Histogram.Internal<'service' | 'type'>>();
  const registry = new client.Registry();
  registry.setDefaultLabels({ kind: 'rdds' });
  client.collectDefaultMetrics({ register: registry, prefix: 'registry_process_' });
  const m = {
    registry,
    /** type: domain, nameserver, entity, registrar, help, domains, nameservers, entities, invalid; status: the HTTP status for RDAP, found/not_found/invalid/rate_limited/too_long/error for WHOIS. */
    queries: new client.Counter({ name: 'registry_rdds_queries_total', help: 'RDDS queries by service, query type and outcome', labelNames: ['service', 'type', 'status'] as const, registers: [registry] }),
    latency: new client.Histogram({
      name: 'registry_rdds_query_duration_seconds', help: 'RDDS query latency from request read to response written',
      labelNames: ['service', 'type'] as const, buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry],
    }),
    connections: new client.Gauge({ name: 'registry_rdds_connections_open', help: 'Open RDDS connections', labelNames: ['service'] as const, registers: [registry] }),
    timeouts: new client.Counter({ name: 'registry_rdds_timeouts_total', help: 'WHOIS connections closed by the idle or total timeout', labelNames: ['which'] as const, registers: [registry] }),
    domainLookups: new client.Counter({ name: 'registry_rdds_domain_lookup_statements_total', help: 'Statements that read domains missing from the cache (one per batch of concurrent queries)', registers: [registry] }),
    domainLookupNames: new client.Counter({ name: 'registry_rdds_domain_lookup_names_total', help: 'Domains those statements read (divided by the statements: the average batch)', registers: [registry] }),
    changes: new client.Counter({ name: 'registry_rdds_changes_total', help: 'Object changes read from the RDDS change log (each drops what was built from the object)', registers: [registry] }),
    lagSeconds: new client.Gauge({ name: 'registry_rdds_replication_lag_seconds', help: 'How far behind the primary each standby RDDS reads from is (0 when caught up)', labelNames: ['standby'] as const, registers: [registry] }),
    lagBytes: new client.Gauge({ name: 'registry_rdds_replication_lag_bytes', help: 'WAL bytes each standby RDDS reads from has yet to replay', labelNames: ['standby'] as const, registers: [registry] }),
    /** Set by the app once the caches exist; read at scrape time. */
    cacheSizes: (): Record<string, number> => ({}),
    cacheHits: new client.Counter({ name: 'registry_cache_hits_total', help: 'Cache lookups answered from memory', labelNames: ['cache'] as const, registers: [registry] }),
    cacheMisses: new client.Counter({ name: 'registry_cache_misses_total', help: 'Cache lookups that went to the database', labelNames: ['cache'] as const, registers: [registry] }),
    cacheInvalidations: new client.Counter({ name: 'registry_cache_invalidations_total', help: 'Cache invalidations: by key (change log, NOTIFY) or full flush (reconnect, error)', labelNames: ['cache', 'type'] as const, registers: [registry] }),
    dbConnections: new client.Gauge({ name: 'registry_db_connections_open', help: 'Open connections in the primary pool', registers: [registry] }),
    dbQueriesActive: new client.Gauge({ name: 'registry_db_queries_active', help: 'Queries in flight on the primary pool', registers: [registry] }),
    /** One answered query; label sets are bound once (prom-client hashes labels on every call otherwise). */
    record(service: RddsService, type: string, status: string, seconds: number): void {
      const qk = `${service} ${type} ${status}`;
      let q = queryChildren.get(qk);
      if (!q) queryChildren.set(qk, (q = m.queries.labels(service, type, status)));
      q.inc();
      const lk = `${service} ${type}`;
      let l = latencyChildren.get(lk);
      if (!l) latencyChildren.set(lk, (l = m.latency.labels(service, type)));
      l.observe(seconds);
    },
    domainLookup(names: number): void { m.domainLookups.inc(); m.domainLookupNames.inc(names); },
    cacheStats(cache: string): CacheStats {
      return {
        hit: () => m.cacheHits.inc({ cache }),
        miss: () => m.cacheMisses.inc({ cache }),
        invalidated: (type) => m.cacheInvalidations.inc({ cache, type }),
      };
    },
  };
  new client.Gauge({
    name: 'registry_rdds_cache_entries', help: 'Objects held in each RDDS cache', labelNames: ['cache'] as const, registers: [registry],
    collect() { for (const [cache, n] of Object.entries(m.cacheSizes())) this.set({ cache }, n); },
  });
  return m;
}
