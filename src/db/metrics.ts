/**
 * Metrics of the connection layer and the cache listener: node roles, replication lag,
 * failovers, waits for a primary, commits of unknown outcome, NOTIFYs and full cache flushes.
 * Every process observes the same cluster, so cluster-wide gauges aggregate by max/min (not sum)
 * in the supervisor's /metrics.
 */
import client from 'prom-client';
import type { Database, DatabaseEvents } from './pool.js';
import type { ListenEvent } from './listen.js';
import { ROLES, type Member } from './topology.js';

export type DbMetrics = ReturnType<typeof createDbMetrics>;

export function createDbMetrics(registry: client.Registry) {
  const registers = [registry];
  const role = new client.Gauge({ name: 'registry_db_member_role', help: 'Role of each database node as this process sees it (1 for the current role)', labelNames: ['member', 'role'] as const, registers, aggregator: 'max' });
  const lag = new client.Gauge({ name: 'registry_db_replication_lag_seconds', help: 'Replay lag of each standby (seconds of WAL received but not replayed, or since the last replayed transaction when not streaming)', labelNames: ['member'] as const, registers, aggregator: 'max' });
  const primaryAvailable = new client.Gauge({ name: 'registry_db_primary_available', help: '1 while a database primary is known, 0 during a failover', registers, aggregator: 'min' });
  const failovers = new client.Counter({ name: 'registry_db_failovers_total', help: 'Changes of database primary observed (by the longest-running process)', registers, aggregator: 'max' });
  const waits = new client.Histogram({ name: 'registry_db_primary_wait_seconds', help: 'Time operations waited for a database primary (only those that had to wait)', labelNames: ['outcome'] as const, buckets: [0.1, 0.5, 1, 2, 5, 10, 20, 30], registers });
  const commitUnknown = new client.Counter({ name: 'registry_db_commit_outcome_unknown_total', help: 'Transactions whose COMMIT got no answer (may or may not have committed)', registers });
  const notices = new client.Counter({ name: 'registry_cache_notices_total', help: 'Cache invalidation NOTIFYs received', registers });
  const flushes = new client.Counter({ name: 'registry_cache_full_flushes_total', help: 'Every cache dropped because notices may have been missed (listener connected, disconnected, or still down)', labelNames: ['reason'] as const, registers });
  let seenFailovers = 0;

  const setRole = (m: Member) => {
    for (const r of ROLES) role.set({ member: m.name, role: r }, r === m.role ? 1 : 0);
    if (m.role === 'standby' && m.lagSeconds !== undefined) lag.set({ member: m.name }, m.lagSeconds);
    else lag.remove({ member: m.name });
  };

  return {
    /** Hooks for Database options (merged with the pool usage hooks by the caller). */
    events: {
      waitedForPrimary: (ms: number, found: boolean) => waits.observe({ outcome: found ? 'found' : 'timeout' }, ms / 1000),
      commitOutcomeUnknown: () => commitUnknown.inc(),
    } satisfies DatabaseEvents,
    /** Follows one Database's topology. */
    observe(db: Database): void {
      for (const m of db.topology.members) setRole(m);
      primaryAvailable.set(db.topology.primary() ? 1 : 0);
      db.topology.on('probed', setRole);
      db.topology.on('primary', (to) => {
        primaryAvailable.set(to ? 1 : 0);
        const n = db.topology.failovers;
        if (n > seenFailovers) { failovers.inc(n - seenFailovers); seenFailovers = n; }
      });
    },
    /** The cache listener's events (src/db/listen.ts). */
    listenEvent: ((event, detail) => {
      if (event === 'invalidate') notices.inc();
      else if (event === 'flush') flushes.inc({ reason: String(detail) });
    }) satisfies ListenEvent,
  };
}
