/** Child process: the job runner (one leader across the cluster by advisory lock). */
import { Database } from '../src/db/pool.js';
import { Scheduler } from '../src/jobs/scheduler.js';
import { runChild } from './child-runtime.js';

await runChild('jobs', async (config, log) => {
  const db = new Database({ primary: config.database.primary, standbys: config.database.standbys, poolSize: 3, applicationName: 'registry-jobs' });
  const scheduler = new Scheduler({ db, log, intervalMs: 10_000 });
  scheduler.start();
  return { stop: async () => { await scheduler.stop(); await db.dispose(); } };
});
