/** Child process: one EPP front-end sharing the listening port with its siblings. */
import { startEppApp } from '../src/app/epp-app.js';
import { runChild } from './child-runtime.js';

await runChild('epp', async (config, log) => {
  const app = await startEppApp({ config, log });
  // Expose this process's metrics to the supervisor's aggregated /metrics. prom-client installs
  // the worker-side responder only when an AggregatorRegistry is constructed in the worker.
  const { AggregatorRegistry } = await import('prom-client');
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([app.metrics.registry]);
  return { stop: (graceMs) => app.close(graceMs), detail: { port: app.server.port } };
});
