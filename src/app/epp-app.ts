/**
 * Assembles one EPP front-end from configuration: database, caches fed by NOTIFY, the parse
 * worker pool, metrics, the command engine and the TLS server. Used by the cluster child and,
 * in-process, by tests.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { RegistryConfig } from '../config.js';
import { Database } from '../db/pool.js';
import { listenForInvalidations, type Listening } from '../db/listen.js';
import { createDbMetrics } from '../db/metrics.js';
import { heartbeat, registerInstance, unregisterInstance } from '../db/queries/sessions.js';
import { CommandEngine } from '../epp/dispatcher.js';
import { EppServer } from '../epp/server.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { RegistrarCache } from '../security/registrar-cache.js';
import { ZoneCache } from '../registry/zone-cache.js';
import { PriceCache } from '../billing/prices.js';
import { NameLookup } from '../db/queries/name-lookup.js';
import type { Logger } from '../util/log.js';

export interface EppApp {
  server: EppServer;
  engine: CommandEngine;
  db: Database;
  cache: RegistrarCache;
  metrics: Metrics;
  pool: Piscina;
  instanceId: string;
  /** Graceful stop: drain sessions within the deadline, then release everything. */
  close(deadlineMs?: number): Promise<void>;
}

export interface EppAppOptions {
  config: RegistryConfig;
  log: Logger;
  clock?: () => Date;
  /** Listen on this port instead of config.epp.port (0 = any free port, for tests). */
  port?: number;
}

/** The compiled worker file (Piscina loads JavaScript; tests run after `npm run build`). */
export function parseWorkerFile(): string {
  const here = new URL('.', import.meta.url);
  const inDist = here.pathname.includes('/dist/');
  return fileURLToPath(new URL(inDist ? '../../workers/parse-frame.js' : '../../dist/workers/parse-frame.js', here));
}

export function createParsePool(config: RegistryConfig): Piscina {
  return new Piscina({
    filename: parseWorkerFile(),
    minThreads: config.workers.threads,
    maxThreads: config.workers.threads,
    concurrentTasksPerWorker: config.workers.concurrentTasksPerWorker,
    idleTimeout: 60_000,
  });
}

export async function startEppApp(opts: EppAppOptions): Promise<EppApp> {
  const { config, log } = opts;
  const clock = opts.clock ?? (() => new Date());
  const metrics = createMetrics('epp');
  const dbMetrics = createDbMetrics(metrics.registry);
  const db = Database.fromConfig(config.database, {
    poolSize: config.database.poolSize,
    applicationName: 'registry-epp',
    events: { connection: (d) => metrics.dbConnections.inc(d), query: (d) => metrics.dbQueriesActive.inc(d), ...dbMetrics.events },
    log: log.child({ component: 'db' }),
  });
  dbMetrics.observe(db);
  const instanceId = randomUUID();
  await registerInstance(db.primary, instanceId, 'epp');
  const beat = setInterval(() => { heartbeat(db.primary, instanceId).catch((err) => log.warn({ err }, 'heartbeat failed')); }, 10_000);
  beat.unref();

  const cache = new RegistrarCache(() => db.primary, {
    hit: () => metrics.cacheHits.inc({ cache: 'registrar' }),
    miss: () => metrics.cacheMisses.inc({ cache: 'registrar' }),
    invalidated: (type) => metrics.cacheInvalidations.inc({ cache: 'registrar', type }),
  });
  const zones = new ZoneCache(() => db.primary);
  const prices = new PriceCache(() => db.primary);
  const names = new NameLookup(() => db.primary, (n) => { metrics.nameLookups.inc(); metrics.nameLookupNames.inc(n); });
  // With discovered hosts the listener follows the primary through failovers.
  const listening: Listening = await listenForInvalidations(db.discovering ? db : config.database.primary, [cache, zones, prices], (event, detail) => {
    dbMetrics.listenEvent(event, detail);
    if (event === 'error' || event === 'reconnect') log.warn({ event, detail }, 'cache listener');
    else if (event === 'listening' || (event === 'flush' && detail !== 'outage')) log.info({ event, detail }, 'cache listener');
    else log.debug({ event, detail }, 'cache listener');
  });

  const pool = createParsePool(config);
  const poolTimer = setInterval(() => {
    metrics.poolQueue.set(pool.queueSize);
    metrics.poolUtilization.set(pool.utilization);
  }, 1000);
  poolTimer.unref();

  const engine = new CommandEngine({ db, cache, zones, prices, names, config, instanceId, clock, log, metrics });
  const server = new EppServer({
    engine, pool, config, cache, log, metrics,
    tls: {
      key: readFileSync(config.epp.tlsKeyFile),
      cert: readFileSync(config.epp.tlsCertFile),
      ...(config.epp.clientCertMode === 'ca' ? { ca: readFileSync(config.epp.caCertFile) } : {}),
    },
  });
  await server.listen(opts.port ?? config.epp.port, config.epp.host);
  log.info({ port: server.port, instanceId }, 'EPP front-end listening');

  return {
    server, engine, db, cache, metrics, pool, instanceId,
    async close(deadlineMs = config.epp.shutdownGraceSeconds * 1000) {
      await server.drain(deadlineMs);
      clearInterval(beat);
      clearInterval(poolTimer);
      await engine.flushAudit();
      await unregisterInstance(db.primary, instanceId).catch(() => {});
      await listening.close().catch(() => {});
      await pool.destroy();
      await db.dispose();
    },
  };
}
