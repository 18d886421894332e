/** What every child process does the same way: read its configuration, report readiness, drain on request. */
import client from 'prom-client';
import type { RegistryConfig } from '../src/config.js';
import { createLogger, type Logger } from '../src/util/log.js';

export interface SupervisorMessage { type: 'shutdown'; graceMs: number }
/** Whether a child can reach a database primary (see Database.watchAvailability). */
export type DatabaseStatus = 'available' | 'unavailable';
export type ChildMessage =
  | { type: 'ready'; kind: string; detail?: Record<string, unknown> }
  | { type: 'status'; kind: string; database: DatabaseStatus }
  | { type: 'alarms'; kind: string; alarms: string[] };

export function childConfig(): RegistryConfig {
  const raw = process.env.REGISTRY_CONFIG_JSON;
  if (!raw) throw new Error('REGISTRY_CONFIG_JSON is not set: children are started by the supervisor');
  return JSON.parse(raw) as RegistryConfig;
}

/**
 * Runs a child: start() brings the service up; stop(graceMs) drains it. Ctrl-C in a terminal
 * signals the whole process group, so children ignore SIGINT and let the supervisor orchestrate.
 */
export interface ChildService {
  stop(graceMs: number): Promise<void>;
  detail?: Record<string, unknown>;
  /** This process's metrics, served through the supervisor's aggregated /metrics. */
  registry: client.Registry;
  /** Reports database reachability to the supervisor (its /ready), now and on every change. */
  watchDatabase?(report: (status: DatabaseStatus) => void): void;
  /** Reports the child's alarms (e.g. DNS publication lagging) to the supervisor's /health, on every change. */
  watchAlarms?(report: (alarms: string[]) => void): void;
}

export async function runChild(kind: string, start: (cfg: RegistryConfig, log: Logger) => Promise<ChildService>): Promise<void> {
  const cfg = childConfig();
  const log = createLogger(cfg, { kind });
  process.on('SIGINT', () => {});
  process.on('uncaughtException', (err) => { log.fatal({ err }, 'uncaught exception'); process.exit(70); });
  process.on('unhandledRejection', (err) => { log.fatal({ err }, 'unhandled rejection'); process.exit(70); });
  // A shutdown asked for while the child is still starting is remembered and honoured as soon
  // as it is up (ignoring it made a drain during start-up wait for the kill timeout).
  let early: number | undefined;
  const onEarly = (m: SupervisorMessage) => { if (m?.type === 'shutdown') early = m.graceMs; };
  const onEarlyTerm = () => { early = cfg.epp.shutdownGraceSeconds * 1000; };
  process.on('message', onEarly);
  process.on('SIGTERM', onEarlyTerm);
  let service: Awaited<ReturnType<typeof start>>;
  try {
    service = await start(cfg, log);
  } catch (err) {
    log.fatal({ err }, 'child failed to start');
    process.exit(78);
  }
  process.off('message', onEarly);
  process.off('SIGTERM', onEarlyTerm);
  // Every child must answer the supervisor's metrics request, or the aggregate times out;
  // prom-client installs the responder only when an AggregatorRegistry is constructed here.
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([service.registry]);
  let stopping = false;
  const stop = async (graceMs: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ graceMs }, 'draining');
    try { await service.stop(graceMs); } catch (err) { log.error({ err }, 'error while draining'); }
    log.info('stopped');
    log.flush?.();
    setTimeout(() => process.exit(0), 100);
  };
  process.on('message', (m: SupervisorMessage) => { if (m?.type === 'shutdown') void stop(m.graceMs); });
  process.on('SIGTERM', () => void stop(cfg.epp.shutdownGraceSeconds * 1000));
  if (early !== undefined) { void stop(early); return; }
  process.send?.({ type: 'ready', kind, ...(service.detail ? { detail: service.detail } : {}) } satisfies ChildMessage);
  service.watchAlarms?.((alarms) => {
    if (alarms.length) log.warn({ alarms }, 'alarm');
    try { process.send?.({ type: 'alarms', kind, alarms } satisfies ChildMessage); } catch { /* supervisor gone */ }
  });
  service.watchDatabase?.((database) => {
    if (database === 'unavailable') log.error('no database primary reachable: reporting not ready');
    else log.info('database primary reachable');
    try { process.send?.({ type: 'status', kind, database } satisfies ChildMessage); } catch { /* supervisor gone */ }
  });
}
