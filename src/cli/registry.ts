#!/usr/bin/env node
/**
 * `registry`: the admin CLI for zones, registrars (passwords, IPs, certificates, enable/disable),
 * configuration checks and migrations. Non-interactive: every secret can be given or generated.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type RegistryConfig } from '../config.js';
import { createConnectionPool, Database, sql, type ConnectionPool } from '../db/pool.js';
import { runPass } from '../jobs/scheduler.js';
import { loadMigrations, migrate } from '../db/migrate.js';
import { LocalPostgres } from '../embedded/postgres.js';
import { AdminError, addIp, createRegistrar, issueCert, listIps, listRegistrars, removeIp, revokeCert, setEnabled, setMaxSessions, setPassword } from '../admin/registrars.js';
import { accredit, addZone, listZones } from '../admin/zones.js';

const USAGE = `usage: registry [--data-dir DIR] [--config FILE] COMMAND

  zone add NAME                      create a zone (e.g. "example")
  zone list
  registrar create CLID --name NAME [--password PW] [--ip CIDR]... [--zone Z]... [--max-sessions N] [--email E]
                                     (the password is generated and printed when not given)
  registrar list
  registrar password CLID [--password PW]
  registrar ip add|remove|list CLID [CIDR]
  registrar enable|disable CLID
  registrar accredit CLID ZONE
  registrar max-sessions CLID N
  registrar issue-cert CLID --csr FILE [--out FILE] [--days N]
                                     sign a CSR with the registry CA and bind it to the registrar
  registrar revoke-cert CLID FINGERPRINT
  jobs run [--at ISO-TIME]           run one pass of every scheduled job now (or as of a given time)
  db migrate | db status
  config check                       validate the configuration and print it (secrets elided)
`;

interface Opts { at?: string; name?: string; password?: string; ip?: string[]; zone?: string[]; 'max-sessions'?: string; email?: string; csr?: string; out?: string; days?: string; json?: boolean }

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' }, config: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' },
      ip: { type: 'string', multiple: true }, zone: { type: 'string', multiple: true }, 'max-sessions': { type: 'string' },
      email: { type: 'string' }, at: { type: 'string' }, csr: { type: 'string' }, out: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * Connects to the configured primary (with database.hosts: whichever node is primary now); in
 * embedded mode starts the local cluster if it is not running.
 */
async function connect(cfg: RegistryConfig): Promise<{ db: ConnectionPool; url: string; done: () => Promise<void> }> {
  if (cfg.database.hosts.length > 0) {
    const database = Database.fromConfig(cfg.database, { poolSize: 2, applicationName: 'registry-cli' });
    try {
      return { db: database.primary, url: await database.primaryUrl(), done: () => database.dispose() };
    } catch (err) {
      await database.dispose();
      throw new AdminError(`no database primary among database.hosts: ${(err as Error).message}`);
    }
  }
  if (cfg.database.primary) {
    const db = createConnectionPool({ connectionString: cfg.database.primary, poolSize: 2 });
    return { db, url: cfg.database.primary, done: () => db.dispose() };
  }
  const pg = new LocalPostgres({ dir: join(cfg.dataDir, 'pg'), port: cfg.database.embeddedPort });
  if (!pg.initialised) throw new AdminError(`no registry database in ${cfg.dataDir}: run "npm start" once first`);
  const wasRunning = existsSync(join(pg.pgdata, 'postmaster.pid'));
  await pg.start();
  const db = createConnectionPool({ connectionString: pg.url(), poolSize: 2 });
  return { db, url: pg.url(), done: async () => { await db.dispose(); if (!wasRunning) await pg.stop(); } };
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new AdminError(`missing ${what}\n\n${USAGE}`);
  return v;
}

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<number> {
  const { values, positionals } = parse(argv);
  const o = values as Opts & { help?: boolean };
  if (values.help || positionals.length === 0) { out(USAGE); return positionals.length === 0 && !values.help ? 64 : 0; }
  const cfg = loadConfig([...(values['data-dir'] ? ['--data-dir', values['data-dir']] : []), ...(values.config ? ['--config', values.config] : [])]);
  const [group, action, ...args] = positionals;

  if (group === 'config' && action === 'check') {
    const mask = (url: string) => url.replace(/:[^:@/]*@/, ':***@');
    const shown = { ...cfg, database: { ...cfg.database, primary: mask(cfg.database.primary), standbys: cfg.database.standbys.map(mask), hosts: cfg.database.hosts.map(mask) } };
    out(JSON.stringify(shown, null, 2));
    for (const f of [cfg.epp.tlsCertFile, cfg.epp.tlsKeyFile, cfg.epp.caCertFile]) if (!existsSync(f)) out(`warning: ${f} does not exist yet`);
    return 0;
  }

  const { db, url, done } = await connect(cfg);
  try {
    switch (`${group} ${action}`) {
      case 'db migrate': {
        const r = await migrate(db);
        out(r.applied.length ? `applied ${r.applied.join(', ')}; schema version ${r.current}` : `up to date at version ${r.current}`);
        return 0;
      }
      case 'db status': {
        const rows = await db.query(sql`SELECT version, name, applied_at FROM schema_migrations ORDER BY version`).catch(() => []);
        const applied = new Set(rows.map((r: { version: number }) => r.version));
        for (const m of loadMigrations()) out(`${applied.has(m.version) ? 'applied' : 'pending'}  ${m.file}`);
        return 0;
      }
      case 'jobs run': {
        const at = o.at ? new Date(o.at) : new Date();
        if (Number.isNaN(at.getTime())) throw new AdminError(`not a time: ${o.at}`);
        const database = new Database({ primary: url, poolSize: 2 });
        try { out(JSON.stringify(await runPass(database, at))); } finally { await database.dispose(); }
        return 0;
      }
      case 'zone add': await addZone(db, need(args[0], 'zone name')); out(`zone ${args[0]} created`); return 0;
      case 'zone list': for (const z of await listZones(db)) out(`${z.name}\t${z.registrars} registrars`); return 0;
      case 'registrar create': {
        const clid = need(args[0], 'client id');
        const r = await createRegistrar(db, {
          clientId: clid, name: need(o.name, '--name'), ...(o.password ? { password: o.password } : {}),
          ips: o.ip ?? [], zones: o.zone ?? [], ...(o['max-sessions'] ? { maxSessions: Number(o['max-sessions']) } : {}), ...(o.email ? { email: o.email } : {}),
        });
        out(o.password ? `registrar ${clid} created` : `registrar ${clid} created; password ${r.password}`);
        return 0;
      }
      case 'registrar list': {
        const list = await listRegistrars(db);
        if (o.json) out(JSON.stringify(list, null, 2));
        else for (const r of list) out(`${r.clientId}\t${r.enabled ? 'enabled' : 'DISABLED'}\tmax ${r.maxSessions}\tips ${r.ips.join(',') || '-'}\tzones ${r.zones.join(',') || '-'}\tcerts ${r.certs}\t${r.name}`);
        return 0;
      }
      case 'registrar password': {
        const pw = await setPassword(db, need(args[0], 'client id'), o.password);
        out(o.password ? 'password changed' : `password changed; new password ${pw}`);
        return 0;
      }
      case 'registrar ip': {
        const [sub, clid, cidr] = args;
        if (sub === 'add') { await addIp(db, need(clid, 'client id'), need(cidr, 'CIDR')); out(`${cidr} allowed for ${clid}`); return 0; }
        if (sub === 'remove') { out((await removeIp(db, need(clid, 'client id'), need(cidr, 'CIDR'))) ? `${cidr} removed` : `${cidr} was not on the list`); return 0; }
        if (sub === 'list') { for (const c of await listIps(db, need(clid, 'client id'))) out(c); return 0; }
        throw new AdminError(USAGE);
      }
      case 'registrar enable': await setEnabled(db, need(args[0], 'client id'), true); out('enabled'); return 0;
      case 'registrar disable': await setEnabled(db, need(args[0], 'client id'), false); out('disabled'); return 0;
      case 'registrar accredit': await accredit(db, need(args[0], 'client id'), need(args[1], 'zone')); out('accredited'); return 0;
      case 'registrar max-sessions': await setMaxSessions(db, need(args[0], 'client id'), Number(need(args[1], 'N'))); out('updated'); return 0;
      case 'registrar issue-cert': {
        const ca = { certPem: readFileSync(cfg.epp.caCertFile, 'utf8'), keyPem: readFileSync(cfg.epp.caKeyFile, 'utf8') };
        const cert = await issueCert(db, ca, need(args[0], 'client id'), readFileSync(need(o.csr, '--csr'), 'utf8'), o.days ? Number(o.days) : undefined);
        if (o.out) { writeFileSync(o.out, cert.certPem); out(`certificate written to ${o.out}; fingerprint ${cert.fingerprint}`); }
        else out(cert.certPem.trimEnd());
        return 0;
      }
      case 'registrar revoke-cert':
        out((await revokeCert(db, need(args[0], 'client id'), need(args[1], 'fingerprint'))) ? 'revoked' : 'no such active certificate');
        return 0;
      default:
        out(USAGE);
        return 64;
    }
  } finally {
    await done();
  }
}

// Run when executed (also through npm's bin symlink), not when imported by tests.
const isEntry = !!process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
    process.stderr.write(`registry: ${err instanceof AdminError ? err.message : (err as Error).stack ?? err}\n`);
    process.exit(err instanceof AdminError ? 65 : 70);
  });
}
