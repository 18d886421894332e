/** Child process: DNS publication (one publisher leader across the cluster by advisory lock; managed PowerDNS in embedded mode). */
import client from 'prom-client';
import { createDnsMetrics } from '../src/dns/metrics.js';
import { startDnsService } from '../src/dns/service.js';
import { runChild } from './child-runtime.js';

await runChild('dns', async (config, log) => {
  const registry = new client.Registry();
  registry.setDefaultLabels({ kind: 'dns' });
  let report: (alarms: string[]) => void = () => {};
  const svc = await startDnsService(config, log, createDnsMetrics(registry), {
    // Exit so the supervisor restarts this child, and with it pdns_server.
    onFatal: (why) => { log.fatal(why); log.flush?.(); setTimeout(() => process.exit(70), 100); },
    onAlarms: (alarms) => report(alarms),
  });
  // If the supervisor dies without draining us, do not leave a managed pdns_server behind.
  process.once('disconnect', () => { void svc.stop().finally(() => process.exit(0)); });
  return { stop: () => svc.stop(), detail: svc.detail, registry, watchAlarms: (r) => { report = r; } };
});
