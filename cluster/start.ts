/**
 * `npm start`: the whole single-node registry. Embedded mode brings up a local Postgres under
 * the data directory (first time: cluster, migrations, CA, demo zone and registrars), then runs
 * the supervisor; Ctrl-C drains the front-ends and stops Postgres.
 */
import { loadConfig } from '../src/config.js';
import { bootstrap } from '../src/app/bootstrap.js';
import { createLogger } from '../src/util/log.js';
import { rdapBaseUrl } from '../src/rdds/rdap/base-url.js';
import { Supervisor } from './supervisor.js';

const config = loadConfig(process.argv.slice(2));
const log = createLogger(config, { kind: 'supervisor' });
const say = (s: string) => process.stdout.write(s + '\n');

let boot;
try {
  boot = await bootstrap(config, log);
} catch (err) {
  log.fatal({ err }, 'bootstrap failed');
  process.stderr.write(`registry: could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
const cfg = boot.config;
const supervisor = new Supervisor({ config: cfg, log, onStopped: async () => { await boot.pg?.stop(); } });
try {
  await supervisor.start();
} catch (err) {
  process.stderr.write(`registry: could not start the supervisor: ${(err as Error).message}\n`);
  await supervisor.stop('startup failure');
  process.exit(1);
}

say(`Registry running (${cfg.mode} mode, data in ${cfg.dataDir})`);
say(`  EPP      tls://${cfg.epp.host}:${cfg.epp.port}  (${cfg.epp.processes} front-end processes, client certificates: ${cfg.epp.clientCertMode})`);
if (cfg.rdds.processes > 0) {
  say(`  WHOIS    ${cfg.rdds.whoisHost}:${cfg.rdds.whoisPort}  (whois -h ${cfg.rdds.whoisHost} -p ${cfg.rdds.whoisPort} NAME)`);
  say(`  RDAP     ${rdapBaseUrl(cfg.rdds)}  (${cfg.rdds.processes} RDDS process${cfg.rdds.processes > 1 ? 'es' : ''}, serving WHOIS and RDAP)`);
}
say(`  Metrics  http://${cfg.metrics.host}:${cfg.metrics.port}/metrics   health: /health  ready: /ready`);
say(`  DNS      ${!cfg.dns.enabled ? 'publication disabled (dns.enabled=false)' : cfg.dns.server === 'managed' ? `PowerDNS on ${cfg.dns.listen} (managed; if pdns_server is not installed publication is off, see the log)` : 'publishing to the external PowerDNS (dns.pdnsDatabase)'}`);
say(`  Logs     ${cfg.log.file}`);
say(`  CA       ${cfg.epp.caCertFile}`);
say(`  Scripts  ${boot.credentialsFile}`);
if (boot.pg) say(`  Postgres 127.0.0.1:${cfg.database.embeddedPort} (log ${boot.pg.logFile})`);
if (boot.seeded) {
  say('Demo zone "example" and registrars created. Their passwords are shown only this once:');
  for (const r of boot.seeded) say(`  ${r.clID}  password ${r.password}  certificate ${r.clientCert}`);
}
say('Press Ctrl-C to stop.');

await supervisor.stopped;
say('Registry stopped.');
process.exit(0);
