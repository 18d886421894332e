/** Child process: the job runner (one leader across the cluster by advisory lock, taken on the primary). */
import client from 'prom-client';
import { Database } from '../src/db/pool.js';
import { createDbMetrics } from '../src/db/metrics.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import { runChild } from './child-runtime.js';

await runChild('jobs', async (config, log) => {
  const registry = new client.Registry();
  registry.setDefaultLabels({ kind: 'jobs' });
  const dbMetrics = createDbMetrics(registry);
  const db = Database.fromConfig(config.database, { poolSize: 3, applicationName: 'registry-jobs', events: dbMetrics.events, log: log.child({ component: 'db' }) });
  dbMetrics.observe(db);
  const passes = new client.Counter({ name: 'registry_jobs_passes_total', help: 'Job passes run by this process while leader', registers: [registry] });
  const passSeconds = new client.Histogram({ name: 'registry_jobs_pass_duration_seconds', help: 'Duration of one pass of every job', buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300], registers: [registry] });
  // One counter for every job step, labelled by step (bounded: the JobResults keys).
  const steps = new client.Counter({ name: 'registry_jobs_items_total', help: 'Objects each job step handled (transfersApproved, autoRenewed, purged, ...)', labelNames: ['step'] as const, registers: [registry] });
  let started = process.hrtime.bigint();
  const scheduler = new Scheduler({
    db, log, intervalMs: config.jobs.intervalSeconds * 1000, batch: config.jobs.batchSize,
    onPassStart: () => { started = process.hrtime.bigint(); },
    onPass: (r) => {
      passes.inc();
      passSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      for (const [step, n] of Object.entries(r)) if (n) steps.inc({ step }, n);
    },
  });
  new client.Gauge({ name: 'registry_jobs_leader', help: '1 while this process runs the cluster\'s jobs', registers: [registry], collect() { this.set(scheduler.leader ? 1 : 0); } });
  scheduler.start();
  return {
    stop: async () => { await scheduler.stop(); await db.dispose(); }, registry,
    watchDatabase: (report) => { db.watchAvailability((ok) => report(ok ? 'available' : 'unavailable')); },
  };
});
