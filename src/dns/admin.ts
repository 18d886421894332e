/** What the CLI's dns and zone-export commands do: status, resync, zone settings, DS export, and zone files on disk or stdout. */
import { createWriteStream, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pino } from 'pino';
import type { RegistryConfig } from '../config.js';
import { sql, type Database } from '../db/pool.js';
import { PdnsUtil, PowerDnsDb, PowerDnsApi, publishedSerial } from './powerdns.js';
import { resyncZone, type DriftReport } from './resync.js';
import { pdnsEndpoints } from './service.js';
import { ensureZoneSettings, loadAllZoneSettings, loadZoneSettings } from './settings.js';
import { exportZone, signZoneFile, type ExportResult } from './zone-export.js';
import { existsSync, readFileSync } from 'node:fs';

function pdnsFor(cfg: RegistryConfig, registryUrl: string): { pdns: PowerDnsDb; api?: PowerDnsApi; pdnsutil: PdnsUtil } {
  const ep = pdnsEndpoints({ ...cfg, database: { ...cfg.database, primary: registryUrl } });
  const keyFile = join(ep.configDir, 'api-key');
  const key = cfg.dns.apiKey || (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '');
  return { pdns: new PowerDnsDb(ep.database, 2), ...(ep.apiUrl && key ? { api: new PowerDnsApi(ep.apiUrl, key) } : {}), pdnsutil: new PdnsUtil(cfg.dns.pdnsutil, ep.configDir) };
}

export interface DnsStatus {
  queue: { depth: number; oldestSeconds: number; alarm: boolean };
  zones: { zone: string; publish: boolean; dnssec: string; registrySerial?: number; publishedSerial?: number; publishedAt?: Date; resyncedAt?: Date; inPowerDns: boolean }[];
}

export async function dnsStatus(cfg: RegistryConfig, db: Database, registryUrl: string): Promise<DnsStatus> {
  await ensureZoneSettings(db.primary, cfg.dns);
  const [q] = await db.primary.query(sql`SELECT count(*)::int AS depth, coalesce(extract(epoch FROM clock_timestamp() - min(queued_at)), 0)::float8 AS oldest FROM dns_changes`);
  const { pdns } = pdnsFor(cfg, registryUrl);
  try {
    const zones: DnsStatus['zones'] = [];
    for (const s of await loadAllZoneSettings(db.primary)) {
      const [st] = await db.primary.query(sql`SELECT serial, published_at, resynced_at FROM dns_zone_state WHERE zone_id = ${s.zoneId}`);
      const pz = await pdns.zone(s.zone).catch(() => undefined);
      const ps = pz ? await publishedSerial(pdns.pool, pz) : undefined;
      zones.push({
        zone: s.zone, publish: s.publish, dnssec: !s.dnssec ? 'unsigned' : s.nsec3 ? (s.nsec3OptOut ? 'NSEC3 opt-out' : 'NSEC3') : 'NSEC', inPowerDns: !!pz,
        ...(st ? { registrySerial: Number(st.serial), publishedAt: st.published_at, ...(st.resynced_at ? { resyncedAt: st.resynced_at } : {}) } : {}),
        ...(ps !== undefined ? { publishedSerial: ps } : {}),
      });
    }
    return { queue: { depth: q.depth, oldestSeconds: q.oldest, alarm: q.oldest > cfg.dns.alarmSeconds }, zones };
  } finally { await pdns.dispose(); }
}

export async function dnsResync(cfg: RegistryConfig, db: Database, registryUrl: string, zone: string, dryRun: boolean): Promise<DriftReport> {
  await ensureZoneSettings(db.primary, cfg.dns);
  const [z] = await db.primary.query(sql`SELECT id FROM zones WHERE name = ${zone}`);
  if (!z) throw new Error(`no zone ${zone}`);
  const { pdns, api } = pdnsFor(cfg, registryUrl);
  try {
    await pdns.ensureSchema();
    const pz = await pdns.zone(zone);
    if (!pz) throw new Error(`zone ${zone} is not in PowerDNS yet: the publisher creates it (is the dns child running?)`);
    return await resyncZone({ db, pdns, ...(api ? { api } : {}), log: pino({ level: 'warn' }) }, z.id, pz, { dryRun });
  } finally { await pdns.dispose(); }
}

export async function dnsExportDs(cfg: RegistryConfig, registryUrl: string, zone: string): Promise<string> {
  const { pdns, pdnsutil } = pdnsFor(cfg, registryUrl);
  await pdns.dispose();
  const p = await pdnsutil.forParent(zone);
  if (p.ds.length === 0) throw new Error(`zone ${zone} has no DNSSEC keys in PowerDNS (is it signed? registry dns status)`);
  return [...p.ds, ...p.dnskey].join('\n');
}

/** Renders a progress bar on stderr (only called when stderr is a terminal). */
export function progressBar(start = Date.now()): (done: number, total: number) => void {
  return (done, total) => {
    const ratio = total ? Math.min(1, done / total) : 1;
    const width = 30;
    const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, ' ');
    process.stderr.write(`\r[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${done}/${total} domains  ${((Date.now() - start) / 1000).toFixed(1)} s`);
    if (done >= total) process.stderr.write('\n');
  };
}

/** `registry zone export`: to a file (written beside it, then renamed: never a half file) or stdout; optionally signed offline. */
export async function zoneExport(cfg: RegistryConfig, db: Database, zone: string, o: { out?: string; sign?: boolean; progress?: (d: number, t: number) => void }): Promise<ExportResult & { signed?: string }> {
  await ensureZoneSettings(db.primary, cfg.dns);
  // Beside the output file, so the final rename stays on one file system.
  const tmp = mkdtempSync(o.out ? join(dirname(resolve(o.out)), '.registry-export-') : join(tmpdir(), 'registry-export-'));
  try {
    const toFile = o.out !== undefined || o.sign;
    const unsigned = join(tmp, `${zone}.zone`);
    const out = toFile ? createWriteStream(unsigned) : process.stdout;
    const r = await exportZone(db, zone, out, { ...(o.progress ? { progress: o.progress } : {}) });
    if (!toFile) return r;
    (out as ReturnType<typeof createWriteStream>).end();
    await once(out, 'close');
    let result = unsigned;
    if (o.sign) {
      const s = (await loadZoneSettings(db.primary, (await db.primary.query(sql`SELECT id FROM zones WHERE name = ${zone}`))[0].id))!;
      result = join(tmp, `${zone}.zone.signed`);
      await signZoneFile(zone, unsigned, result, cfg.dns.exportKeyDir, s);
    }
    if (o.out) { renameSync(result, o.out); return { ...r, ...(o.sign ? { signed: o.out } : {}) }; }
    process.stdout.write(readFileSync(result));
    return r;
  } finally { rmSync(tmp, { recursive: true, force: true }); }
}
