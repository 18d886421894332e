/**
 * Zone files: a complete RFC 1035 §5 master file of a zone, streamed from a server-side cursor in
 * one consistent snapshot (memory stays flat as the zone grows), and offline signing with BIND's
 * dnssec-signzone for operators who sign outside PowerDNS.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { IsolationLevel } from '@databases/pg';
import { sql, type Database } from '../db/pool.js';
import { nextSerial } from './serial.js';
import { loadZoneSettings, type ZoneSettings } from './settings.js';
import { apexUnits, countPublished, loadUnits, renderApex, renderUnit, streamUnitsForExport, type Rec } from './zone-content.js';

const run = promisify(execFile);

/** One record in master-file form; names are absolute (RFC 1035 §5.1). */
export function masterLine(r: Rec): string {
  const fq = (n: string) => n + '.';
  let rdata = r.content!;
  if (r.type === 'NS') rdata = fq(rdata);
  else if (r.type === 'SOA') {
    const [m, rn, ...rest] = rdata.split(' ');
    rdata = `${fq(m!)} ${fq(rn!)} ${rest.join(' ')}`;
  }
  return `${fq(r.name)}\t${r.ttl}\tIN\t${r.type}\t${rdata}\n`;
}

export interface ExportResult { zone: string; serial: number; domains: number; records: number }

/**
 * Writes the zone to out. The serial is the next one after everything published so far (it is
 * recorded, so a later export or publication is later still, RFC 1982).
 */
export async function exportZone(db: Database, zoneName: string, out: Writable, opts: { now?: Date; progress?: (done: number, total: number) => void } = {}): Promise<ExportResult> {
  const [z] = await db.primary.query(sql`SELECT id FROM zones WHERE name = ${zoneName}`);
  if (!z) throw new Error(`no zone ${zoneName}`);
  const serial = await db.tx(async (tx) => {
    const [st] = await tx.query(sql`SELECT serial FROM dns_zone_state WHERE zone_id = ${z.id} FOR UPDATE`);
    const next = nextSerial(st ? Number(st.serial) : 0, opts.now ?? new Date());
    await tx.query(sql`INSERT INTO dns_zone_state (zone_id, serial, published_at) VALUES (${z.id}, ${next}, now())
      ON CONFLICT (zone_id) DO UPDATE SET serial = ${next}`);
    return next;
  });
  return db.primary.tx(async (tx) => {
    const s = await loadZoneSettings(tx, z.id);
    if (!s) throw new Error(`zone ${zoneName} has no DNS settings yet (start the publisher once, or "registry dns zone show ${zoneName}")`);
    const total = opts.progress ? await countPublished(tx, z.id) : 0;
    let buf = `; zone ${s.zone}, serial ${serial}, exported ${(opts.now ?? new Date()).toISOString()} by Open Registry\n$ORIGIN ${s.zone}.\n`;
    let records = 0;
    let domains = 0;
    const flush = async () => {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    };
    // A whole-zone dump in one statement is not worth PostgreSQL's JIT compilation (seconds at 1M rows).
    await tx.query(sql`SET LOCAL jit = off`);
    for (const r of renderApex(s, serial)) { buf += masterLine(r); records++; }
    // Units holding the zone's own name servers first (they carry its addresses), then every delegation.
    const special = apexUnits(s);
    const specialData = await loadUnits(tx, s.zoneId, special);
    for (const u of special) {
      const data = specialData.get(u)!;
      for (const r of renderUnit(s, u, data, { masterFile: true })) if (r.type) { buf += masterLine(r); records++; }
      if (data.published) domains++;
    }
    const skip = new Set(special);
    for await (const data of streamUnitsForExport(tx, s.zoneId)) {
      if (skip.has(data.name)) continue;
      for (const r of renderUnit(s, data.name, data, { masterFile: true })) if (r.type) { buf += masterLine(r); records++; }
      domains++;
      if (buf.length > 65_536) {
        await flush();
        opts.progress?.(domains, total);
      }
    }
    await flush();
    opts.progress?.(domains, total);
    return { zone: s.zone, serial, domains, records };
  }, { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
}

/** Keys for offline signing: one KSK and one ZSK, ECDSAP256SHA256 (RFC 6605), created on first use. */
export async function ensureSigningKeys(zone: string, keyDir: string): Promise<void> {
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const have = readdirSync(keyDir).filter((f) => f.startsWith(`K${zone}.+013+`) && f.endsWith('.key'));
  if (have.length > 0) return;
  await run('dnssec-keygen', ['-q', '-K', keyDir, '-a', 'ECDSAP256SHA256', '-f', 'KSK', zone]);
  await run('dnssec-keygen', ['-q', '-K', keyDir, '-a', 'ECDSAP256SHA256', zone]);
}

/**
 * Signs a master file with dnssec-signzone (smart signing from keyDir), NSEC or NSEC3 with
 * iterations 0 and no salt (RFC 9276 §3.1). The serial is kept as exported.
 */
export async function signZoneFile(zone: string, unsignedPath: string, signedPath: string, keyDir: string, s: Pick<ZoneSettings, 'nsec3' | 'nsec3OptOut'>): Promise<string> {
  if (!existsSync(unsignedPath)) throw new Error(`no such file ${unsignedPath}`);
  await ensureSigningKeys(zone, keyDir);
  const args = ['-S', '-K', keyDir, '-o', zone, '-N', 'keep', '-d', keyDir, '-f', signedPath, ...(s.nsec3 ? ['-3', '-', '-H', '0', ...(s.nsec3OptOut ? ['-A'] : [])] : []), unsignedPath];
  const { stdout, stderr } = await run('dnssec-signzone', args, { maxBuffer: 64 * 1024 * 1024 });
  return stdout + stderr;
}

