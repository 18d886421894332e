/** Child process: one EPP front-end sharing the listening port with its siblings. */
import { startEppApp } from '../src/app/epp-app.js';
import { runChild } from './child-runtime.js';

await runChild('epp', async (config, log) => {
  const app = await startEppApp({ config, log });
  return {
    stop: (graceMs) => app.close(graceMs), detail: { port: app.server.port }, registry: app.metrics.registry,
    watchDatabase: (report) => { app.db.watchAvailability((ok) => report(ok ? 'available' : 'unavailable')); },
  };
});
