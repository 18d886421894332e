/** Child process: one RDDS front-end (WHOIS and RDAP), sharing both ports with its siblings. */
import { startRddsApp } from '../src/rdds/app.js';
import { runChild } from './child-runtime.js';

await runChild('rdds', async (config, log) => {
  const app = await startRddsApp({ config, log });
  return { stop: (graceMs) => app.close(graceMs), detail: { whois: app.whois.port, rdap: app.rdap.port }, registry: app.metrics.registry };
});
