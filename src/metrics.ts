/** Prometheus metrics of one process (prom-client); the supervisor aggregates them across children. */
import client from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(kind: string) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ kind });
  client.collectDefaultMetrics({ register: registry, prefix: 'registry_process_' });
  const m = {
    registry,
    eppCommands: new client.Counter({ name: 'registry_epp_commands_total', help: 'EPP commands by command and result code', labelNames: ['command', 'code'] as const, registers: [registry] }),
    eppLatency: new client.Histogram({
      name: 'registry_epp_command_duration_seconds', help: 'EPP command latency from frame received to response written',
      labelNames: ['command'] as const, buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry],
    }),
    eppSessions: new client.Gauge({ name: 'registry_epp_sessions_open', help: 'Open EPP connections (TLS established)', registers: [registry] }),
    eppLoggedIn: new client.Gauge({ name: 'registry_epp_sessions_logged_in', help: 'EPP sessions logged in', registers: [registry] }),
    tlsFailures: new client.Counter({ name: 'registry_epp_tls_handshake_failures_total', help: 'TLS handshakes that failed', registers: [registry] }),
    connectionsRefused: new client.Counter({ name: 'registry_epp_connections_refused_total', help: 'Connections closed before TLS', labelNames: ['reason'] as const, registers: [registry] }),
    loginFailures: new client.Counter({ name: 'registry_epp_login_failures_total', help: 'Refused logins by result code', labelNames: ['code'] as const, registers: [registry] }),
    framesRejected: new client.Counter({ name: 'registry_epp_frames_rejected_total', help: 'Frames refused by the framer', labelNames: ['reason'] as const, registers: [registry] }),
    poolQueue: new client.Gauge({ name: 'registry_workers_queue_depth', help: 'Tasks waiting for a parse worker', registers: [registry] }),
    poolUtilization: new client.Gauge({ name: 'registry_workers_utilization_ratio', help: 'Parse worker pool utilisation (0-1)', registers: [registry] }),
    poolRunTime: new client.Histogram({ name: 'registry_workers_task_duration_seconds', help: 'Parse+validate time on a worker, including the hop', buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05], registers: [registry] }),
    dbConnections: new client.Gauge({ name: 'registry_db_connections_open', help: 'Open connections in the primary pool', registers: [registry] }),
    dbQueriesActive: new client.Gauge({ name: 'registry_db_queries_active', help: 'Queries in flight on the primary pool', registers: [registry] }),
    cacheHits: new client.Counter({ name: 'registry_cache_hits_total', help: 'Cache lookups answered from memory', labelNames: ['cache'] as const, registers: [registry] }),
    cacheMisses: new client.Counter({ name: 'registry_cache_misses_total', help: 'Cache lookups that went to the database', labelNames: ['cache'] as const, registers: [registry] }),
    nameLookups: new client.Counter({ name: 'registry_epp_name_lookup_statements_total', help: 'Statements that looked up domain names for checks (one per batch of commands)', registers: [registry] }),
    nameLookupNames: new client.Counter({ name: 'registry_epp_name_lookup_names_total', help: 'Names those statements carried (divided by the statements: the average batch)', registers: [registry] }),
    cacheInvalidations: new client.Counter({ name: 'registry_cache_invalidations_total', help: 'Cache invalidations: by key (NOTIFY) or full flush (reconnect)', labelNames: ['cache', 'type'] as const, registers: [registry] }),
  };
  return m;
}
