/**
 * Brings a data directory to a runnable state: the embedded Postgres cluster (first time: initdb),
 * migrations, the registry CA and server certificate, the demo zone and registrars, and
 * credentials.json for scripts. A second start reuses everything.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { RegistryConfig } from '../config.js';
import { Database, sql, type ConnectionPool } from '../db/pool.js';
import { migrate } from '../db/migrate.js';
import { LocalPostgres } from '../embedded/postgres.js';
import { createCa, createCsr, issueServerCert, type KeyAndCert } from '../pki/ca.js';
import type { Logger } from '../util/log.js';
import { createRegistrar, issueCert } from '../admin/registrars.js';
import { addZone } from '../admin/zones.js';
import { setPrice } from '../admin/catalog.js';
import { topUp } from '../admin/accounts.js';
import { rdapBaseUrl } from '../rdds/rdap/base-url.js';

export interface DemoRegistrar { clID: string; password: string; clientCert: string; clientKey: string }

export interface Credentials {
  epp: { host: string; port: number };
  metrics: { host: string; port: number };
  /** Where WHOIS and RDAP answer (absent when no RDDS process runs). */
  rdds?: { whois: { host: string; port: number }; rdap: string };
  caCert: string;
  clientCertMode: string;
  registrars: DemoRegistrar[];
  database?: string;
}

export interface Bootstrapped {
  config: RegistryConfig;
  pg?: LocalPostgres;
  /** Demo registrars created by this start (passwords are printed once). */
  seeded?: DemoRegistrar[];
  credentialsFile: string;
}

export const DEMO_ZONE = 'example';

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

export function ensurePki(config: RegistryConfig, log: Logger): KeyAndCert {
  const { caCertFile, caKeyFile, tlsCertFile, tlsKeyFile } = config.epp;
  for (const f of [caCertFile, tlsCertFile]) mkdirSync(join(f, '..'), { recursive: true });
  if (!existsSync(caCertFile) || !existsSync(caKeyFile)) {
    const ca = createCa('Registry CA');
    writeSecret(caKeyFile, ca.keyPem);
    writeFileSync(caCertFile, ca.certPem);
    log.info({ caCertFile }, 'registry CA created');
  }
  const ca: KeyAndCert = { certPem: readFileSync(caCertFile, 'utf8'), keyPem: readFileSync(caKeyFile, 'utf8') };
  if (!existsSync(tlsCertFile) || !existsSync(tlsKeyFile)) {
    const host = config.epp.host;
    const dns = ['localhost', hostname(), ...(host && !isIP(host) && host !== 'localhost' ? [host] : [])];
    const ips = ['127.0.0.1', '::1', ...(isIP(host) && !['127.0.0.1', '0.0.0.0', '::'].includes(host) ? [host] : [])];
    const server = issueServerCert(ca, { dns: [...new Set(dns)], ips });
    writeSecret(tlsKeyFile, server.keyPem);
    writeFileSync(tlsCertFile, server.certPem);
    log.info({ tlsCertFile, dns, ips }, 'EPP server certificate issued by the registry CA');
  }
  return ca;
}

/** The demo zone and registrars, all or nothing: a failed first start leaves nothing half-seeded. */
async function seedDemo(pool: ConnectionPool, config: RegistryConfig, ca: KeyAndCert): Promise<DemoRegistrar[] | undefined> {
  return pool.tx(async (db) => {
  const [{ n }] = await db.query(sql`SELECT count(*)::int AS n FROM zones`);
  if (n > 0) return undefined;
  await addZone(db, DEMO_ZONE);
  const out: DemoRegistrar[] = [];
  const pkiDir = join(config.dataDir, 'pki');
  for (const [clID, name] of [['demo-a', 'Demo Registrar A'], ['demo-b', 'Demo Registrar B']] as const) {
    const { password } = await createRegistrar(db, { clientId: clID, name, ips: ['127.0.0.0/8', '::1/128'], zones: [DEMO_ZONE], maxSessions: 64 });
    const { keyPem, csrPem } = createCsr(clID);
    const cert = await issueCert(db, ca, clID, csrPem);
    const clientKey = join(pkiDir, `${clID}.key`);
    const clientCert = join(pkiDir, `${clID}.crt`);
    writeSecret(clientKey, keyPem);
    writeFileSync(clientCert, cert.certPem);
    out.push({ clID, password, clientCert, clientKey });
    // Prepaid credit large enough for load tests, so the demo bills every operation for real.
    await topUp(db, clID, '100000000.00', { note: 'demo credit' });
  }
  for (const [operation, amount] of [['create', '10.00'], ['renew', '10.00'], ['autoRenew', '10.00'], ['transfer', '8.00'], ['restore', '40.00']] as const) {
    await setPrice(db, DEMO_ZONE, operation, amount);
  }
  return out;
  });
}

export async function bootstrap(config: RegistryConfig, log: Logger): Promise<Bootstrapped> {
  mkdirSync(config.dataDir, { recursive: true });
  let pg: LocalPostgres | undefined;
  const cfg: RegistryConfig = structuredClone(config);
  if (cfg.mode === 'embedded' && !cfg.database.primary && cfg.database.hosts.length === 0) {
    pg = new LocalPostgres({ dir: join(cfg.dataDir, 'pg'), port: cfg.database.embeddedPort, log: (msg, f) => log.info(f ?? {}, msg) });
    await pg.init();
    await pg.start();
    cfg.database.primary = pg.url();
  }
  // With database.hosts this is whichever node is the primary now (migrations run there).
  const database = Database.fromConfig(cfg.database, { poolSize: 2, applicationName: 'registry-bootstrap' });
  const db = database.primary;
  let ok = false;
  try {
    const m = await migrate(db);
    if (m.applied.length) log.info({ applied: m.applied, version: m.current }, 'migrations applied');
    const ca = ensurePki(cfg, log);
    const seeded = cfg.mode === 'embedded' ? await seedDemo(db, cfg, ca) : undefined;
    const credentialsFile = join(cfg.dataDir, 'credentials.json');
    const previous: Credentials | undefined = existsSync(credentialsFile) ? JSON.parse(readFileSync(credentialsFile, 'utf8')) : undefined;
    const creds: Credentials = {
      epp: { host: cfg.epp.host, port: cfg.epp.port },
      metrics: { host: cfg.metrics.host, port: cfg.metrics.port },
      ...(cfg.rdds.processes > 0 ? { rdds: { whois: { host: cfg.rdds.whoisHost, port: cfg.rdds.whoisPort }, rdap: rdapBaseUrl(cfg.rdds) } } : {}),
      caCert: cfg.epp.caCertFile,
      clientCertMode: cfg.epp.clientCertMode,
      registrars: seeded ?? previous?.registrars ?? [],
      ...(pg ? { database: cfg.database.primary } : {}),
    };
    writeSecret(credentialsFile, JSON.stringify(creds, null, 2) + '\n');
    ok = true;
    return { config: cfg, ...(pg ? { pg } : {}), ...(seeded ? { seeded } : {}), credentialsFile };
  } finally {
    await database.dispose();
    // Do not leave the embedded server running behind a failed start.
    if (!ok) await pg?.stop().catch(() => {});
  }
}
