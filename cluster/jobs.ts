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
  const approved = new client.Counter({ name: 'registry_jobs_transfers_auto_approved_total', help: 'Transfers approved by the registry after the auto-approve period', registers: [registry] });
  const passes = new client.Counter({ name: 'registry_jobs_passes_total', help: 'Job passes run by this process while leader', registers: [registry] });
  const scheduler = new Scheduler({ db, log, intervalMs: 10_000, onPass: (r) => { passes.inc(); approved.inc(r.transfersApproved); } });
  new client.Gauge({ name: 'registry_jobs_leader', help: '1 while this process runs the cluster\'s jobs', registers: [registry], collect() { this.set(scheduler.leader ? 1 : 0); } });
  scheduler.start();
  return {
    stop: async () => { await scheduler.stop(); await db.dispose(); }, registry,
    watchDatabase: (report) => { db.watchAvailability((ok) => report(ok ? 'available' : 'unavailable')); },
  };
});
