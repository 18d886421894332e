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
import { AdminError, addIp, addRegistrarContact, clearRegistrarContacts, createRegistrar, setRegistrarRddsData, type RegistrarRddsData, issueCert, listIps, listRegistrars, removeIp, revokeCert, setEnabled, setMaxSessions, setPassword } from '../admin/registrars.js';
import { accredit, addZone, listZones } from '../admin/zones.js';
import { BILLING_OPTIONS, BILLING_USAGE, billingCommand, type BillingOpts } from './billing-commands.js';
import { dnsExportDs, dnsResync, dnsStatus, progressBar, zoneExport } from '../dns/admin.js';
import { changeZoneSettings, ensureZoneSettings, loadAllZoneSettings } from '../dns/settings.js';

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
  registrar set CLID [--name N] [--iana-id N] [--url U] [--whois-server H] [--rdap-base-url U] [--email E]
                [--abuse-email E] [--abuse-phone +CC.N] [--phone +CC.N] [--fax +CC.N] [--street S]... [--city C]
                [--sp SP] [--pc PC] [--cc CC]
                                     what WHOIS and RDAP publish about the registrar ("" clears a field)
  registrar contact add CLID --type admin|tech --name N --email E [--phone +CC.N] [--fax +CC.N]
  registrar contact clear CLID       the registrar's admin and technical contacts (WHOIS, RDAP)
  jobs run [--at ISO-TIME]           run one pass of every scheduled job now (or as of a given time)
  zone export ZONE [--out FILE] [--sign]
                                     write the zone as an RFC 1035 master file (stdout without --out);
                                     --sign signs it offline with dnssec-signzone (keys in dns.exportKeyDir)
  dns status [--json]                change queue, and per zone: serials in the registry and in PowerDNS
  dns resync ZONE [--dry-run]        rebuild ZONE in PowerDNS from the registry; report the drift corrected
  dns zone show [ZONE]               the zones' apex settings
  dns zone set ZONE [--ns NAME[=ADDR;ADDR]]... [--mname HOST] [--rname MAILBOX]
                    [--dnssec on|off] [--nsec3 on|off] [--opt-out on|off] [--publish on|off]
  dns ds ZONE                        the zone's DS (SHA-256) and KSK DNSKEY records for the parent
  db migrate | db status
  config check                       validate the configuration and print it (secrets elided)
${BILLING_USAGE}
`;

interface RddsOpts { 'iana-id'?: string; url?: string; 'whois-server'?: string; 'rdap-base-url'?: string; 'abuse-email'?: string; 'abuse-phone'?: string; phone?: string; fax?: string; street?: string[]; city?: string; sp?: string; pc?: string; cc?: string; type?: string }
interface DnsOpts { 'dry-run'?: boolean; sign?: boolean; ns?: string[]; mname?: string; rname?: string; dnssec?: string; nsec3?: string; 'opt-out'?: string; publish?: string }
interface Opts extends RddsOpts, DnsOpts { at?: string; name?: string; password?: string; ip?: string[]; zone?: string[]; 'max-sessions'?: string; email?: string; csr?: string; out?: string; days?: string; json?: boolean }

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'data-dir': { type: 'string' }, config: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' },
      ip: { type: 'string', multiple: true }, zone: { type: 'string', multiple: true }, 'max-sessions': { type: 'string' },
      email: { type: 'string' }, at: { type: 'string' },
      'iana-id': { type: 'string' }, url: { type: 'string' }, 'whois-server': { type: 'string' }, 'rdap-base-url': { type: 'string' },
      'abuse-email': { type: 'string' }, 'abuse-phone': { type: 'string' }, phone: { type: 'string' }, fax: { type: 'string' },
      street: { type: 'string', multiple: true }, city: { type: 'string' }, sp: { type: 'string' }, pc: { type: 'string' }, cc: { type: 'string' },
      type: { type: 'string' }, csr: { type: 'string' }, out: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      ...BILLING_OPTIONS,
      'dry-run': { type: 'boolean' }, sign: { type: 'boolean' }, ns: { type: 'string', multiple: true }, mname: { type: 'string' }, rname: { type: 'string' },
      dnssec: { type: 'string' }, nsec3: { type: 'string' }, 'opt-out': { type: 'string' }, publish: { type: 'string' },
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

/** `registrar set` flags → the fields to change; an empty value clears a field. */
function rddsData(o: Opts): RegistrarRddsData {
  const opt = (v: string | undefined) => (v === undefined ? undefined : v.trim() === '' ? null : v.trim());
  const d: RegistrarRddsData = {};
  if (o.name !== undefined) d.name = o.name;
  if (o['iana-id'] !== undefined) {
    const v = opt(o['iana-id']);
    if (v !== null && !/^[0-9]+$/.test(v!)) throw new AdminError(`--iana-id must be a number, got ${o['iana-id']}`);
    d.ianaId = v === null ? null : Number(v);
  }
  const map: [keyof RddsOpts | 'email', keyof RegistrarRddsData][] = [['url', 'url'], ['whois-server', 'whoisServer'], ['rdap-base-url', 'rdapBaseUrl'], ['email', 'email'],
    ['abuse-email', 'abuseEmail'], ['abuse-phone', 'abusePhone'], ['phone', 'voice'], ['fax', 'fax'], ['city', 'city'], ['sp', 'sp'], ['pc', 'pc'], ['cc', 'cc']];
  for (const [flag, key] of map) {
    const v = opt((o as Record<string, string | undefined>)[flag]);
    if (v !== undefined) (d as Record<string, unknown>)[key] = v;
  }
  if (o.street !== undefined) d.street = o.street.map((s) => s.trim()).filter(Boolean);
  if (Object.keys(d).length === 0) throw new AdminError(`registrar set needs at least one field\n\n${USAGE}`);
  return d;
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
      case 'zone export': {
        const zone = need(args[0], 'zone name');
        const database = new Database({ primary: url, poolSize: 2 });
        try {
          // A progress bar only on a terminal, and not into the zone itself when it goes to the terminal.
          const showProgress = process.stderr.isTTY && !(process.stdout.isTTY && !o.out);
          const r = await zoneExport(cfg, database, zone, { ...(o.out ? { out: o.out } : {}), ...(o.sign ? { sign: true } : {}), ...(showProgress ? { progress: progressBar() } : {}) });
          if (o.out) out(`zone ${zone} serial ${r.serial}: ${r.domains} delegations, ${r.records} records${o.sign ? ', signed' : ''}, written to ${o.out}`);
        } finally { await database.dispose(); }
        return 0;
      }
      case 'dns status': {
        const database = new Database({ primary: url, poolSize: 2 });
        try {
          const st = await dnsStatus(cfg, database, url);
          if (o.json) { out(JSON.stringify(st, null, 2)); return 0; }
          out(`queue: ${st.queue.depth} names, oldest ${st.queue.oldestSeconds.toFixed(1)} s${st.queue.alarm ? `  ALARM (over ${cfg.dns.alarmSeconds} s)` : ''}`);
          for (const z of st.zones) {
            out(`${z.zone}\t${z.publish ? 'published' : 'NOT PUBLISHED'}\t${z.dnssec}\tserial ${z.registrySerial ?? '-'} (PowerDNS ${z.inPowerDns ? z.publishedSerial ?? '-' : 'no zone'})\tlast ${z.publishedAt?.toISOString() ?? '-'}\tresync ${z.resyncedAt?.toISOString() ?? '-'}`);
          }
          return st.queue.alarm ? 1 : 0;
        } finally { await database.dispose(); }
      }
      case 'dns resync': {
        const database = new Database({ primary: url, poolSize: 2 });
        try {
          const r = await dnsResync(cfg, database, url, need(args[0], 'zone name'), !!o['dry-run']);
          if (o.json) { out(JSON.stringify(r, null, 2)); return 0; }
          const drift = r.unitsCorrected + r.strayRemoved + (r.apexCorrected ? 1 : 0);
          out(`${r.zone}: ${r.unitsChecked} names checked; ${drift ? `${r.dryRun ? 'would correct' : 'corrected'} ${r.unitsCorrected} names (+${r.recordsAdded} -${r.recordsRemoved} records), ${r.strayRemoved} stray records removed${r.apexCorrected ? ', the apex' : ''}` : 'no drift'}${r.serial !== undefined ? `; serial ${r.serial}` : ''}`);
          for (const e of r.examples) out(`  ${e}`);
        } finally { await database.dispose(); }
        return 0;
      }
      case 'dns zone': {
        const [sub, zone] = args;
        if (sub === 'show') {
          await ensureZoneSettings(db, cfg.dns);
          const all = (await loadAllZoneSettings(db)).filter((s) => !zone || s.zone === zone);
          out(JSON.stringify(all, null, 2));
          return 0;
        }
        if (sub === 'set') {
          await ensureZoneSettings(db, cfg.dns);
          const onOff = (v: string | undefined, what: string) => {
            if (v === undefined) return undefined;
            if (v !== 'on' && v !== 'off') throw new AdminError(`--${what} takes on or off`);
            return v === 'on';
          };
          const c = {
            ...(o.ns ? { nameservers: o.ns } : {}), ...(o.mname ? { soaMname: o.mname } : {}), ...(o.rname ? { soaRname: o.rname } : {}),
            ...(o.dnssec ? { dnssec: onOff(o.dnssec, 'dnssec')! } : {}), ...(o.nsec3 ? { nsec3: onOff(o.nsec3, 'nsec3')! } : {}),
            ...(o['opt-out'] ? { nsec3OptOut: onOff(o['opt-out'], 'opt-out')! } : {}), ...(o.publish ? { publish: onOff(o.publish, 'publish')! } : {}),
          };
          try { out(JSON.stringify(await changeZoneSettings(db, need(zone, 'zone name'), c), null, 2)); } catch (err) { throw new AdminError((err as Error).message); }
          return 0;
        }
        throw new AdminError(USAGE);
      }
      case 'dns ds': out((await dnsExportDs(cfg, url, need(args[0], 'zone name'))).trimEnd()); return 0;
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
      case 'registrar set': {
        const clid = need(args[0], 'client id');
        await setRegistrarRddsData(db, clid, rddsData(o));
        out(`registrar ${clid} updated`);
        return 0;
      }
      case 'registrar contact': {
        const [sub, clid] = args;
        if (sub === 'add') {
          const type = need(o.type, '--type');
          if (type !== 'admin' && type !== 'tech') throw new AdminError('--type must be admin or tech');
          await addRegistrarContact(db, need(clid, 'client id'), { type, name: need(o.name, '--name'), email: need(o.email, '--email'), ...(o.phone ? { voice: o.phone } : {}), ...(o.fax ? { fax: o.fax } : {}) });
          out(`${type} contact added to ${clid}`);
          return 0;
        }
        if (sub === 'clear') { await clearRegistrarContacts(db, need(clid, 'client id')); out(`contacts of ${clid} cleared`); return 0; }
        throw new AdminError(USAGE);
      }
      case 'registrar revoke-cert':
        out((await revokeCert(db, need(args[0], 'client id'), need(args[1], 'fingerprint'))) ? 'revoked' : 'no such active certificate');
        return 0;
      default: {
        const code = await billingCommand(group, action, args, o as BillingOpts, db, cfg, out);
        if (code !== undefined) return code;
        out(USAGE);
        return 64;
      }
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
