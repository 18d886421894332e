/**
 * Full resync: rebuilds a zone in PowerDNS from the registry and reports the drift it corrected.
 * It walks the zone's units in name order in chunks; each chunk reads the registry after taking
 * the zone's lock in PowerDNS (as the publisher does), so it never writes older data over newer.
 */
import { IsolationLevel } from '@databases/pg';
import { sql, type Database } from '../db/pool.js';
import type { Logger } from '../util/log.js';
import type { DnsMetrics } from './metrics.js';
import { deleteStray, publishedSerial, replaceUnits, strayRecords, unitRecords, unitRecordsInRange, type PdnsZone, type PowerDnsApi, type PowerDnsDb, type StoredRec } from './powerdns.js';
import { nextSerial, serialMax } from './serial.js';
import { loadZoneSettings, type ZoneSettings } from './settings.js';
import { apexUnits, collatesBytewise, recKey, renderApex, renderUnit, streamPublishedUnits, type Rec, type UnitData } from './zone-content.js';

export interface DriftReport {
  zone: string;
  unitsChecked: number;
  unitsCorrected: number;
  recordsAdded: number;
  recordsRemoved: number;
  /** Rows in PowerDNS the registry did not write (removed). */
  strayRemoved: number;
  apexCorrected: boolean;
  /** Serial published after the corrections (unchanged when there was no drift). */
  serial?: number;
  dryRun: boolean;
  /** A few corrected records, for the operator ("+ name type content" / "- …"). */
  examples: string[];
}

export interface ResyncDeps { db: Database; pdns: PowerDnsDb; api?: PowerDnsApi; log: Logger; clock?: () => Date; metrics?: DnsMetrics }

const RR = { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true } as const;

/** Differences between what is stored and what should be, as multisets of record keys. */
function diff(have: Rec[], want: Rec[]): { added: string[]; removed: string[] } {
  const count = new Map<string, number>();
  for (const r of have) count.set(recKey(r), (count.get(recKey(r)) ?? 0) + 1);
  const added: string[] = [];
  for (const r of want) {
    const k = recKey(r);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1); else added.push(k);
  }
  const removed = [...count].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { added, removed };
}

export async function resyncZone(d: ResyncDeps, zoneId: number, pz: PdnsZone, opts: { dryRun?: boolean; chunk?: number } = {}): Promise<DriftReport> {
  const chunk = opts.chunk ?? 1000;
  const dryRun = !!opts.dryRun;
  const first = await loadZoneSettings(d.db.primary, zoneId);
  if (!first) throw new Error(`zone ${zoneId} has no DNS settings`);
  const report: DriftReport = { zone: first.zone, unitsChecked: 0, unitsCorrected: 0, recordsAdded: 0, recordsRemoved: 0, strayRemoved: 0, apexCorrected: false, dryRun, examples: [] };
  const note = (sign: string, keys: string[]) => { for (const k of keys) if (report.examples.length < 20) report.examples.push(`${sign} ${k.split('|').slice(0, 3).join(' ')}`); };

  const bytewise = await collatesBytewise(d.db.primary);
  let after: string | undefined;
  for (let done = false; !done;) {
    done = await d.pdns.withZone(pz.id, async (ptx) => {
      const { s, list } = await d.db.primary.tx(async (rtx) => {
        const s = (await loadZoneSettings(rtx, zoneId))!;
        const list: UnitData[] = [];
        for await (const u of streamPublishedUnits(rtx, zoneId, { ...(after !== undefined ? { after } : {}), limit: chunk, bytewise })) list.push(u);
        return { s, list };
      }, RR);
      const through = list.length === chunk ? list[list.length - 1]!.name : undefined;
      const inRange = (u: string) => (after === undefined || u > after) && (through === undefined || u <= through);
      const data = new Map(list.map((u) => [u.name, u]));
      const actual = new Map<string, StoredRec[]>();
      for (const r of await unitRecordsInRange(ptx, pz.id, s.zone, after, through)) {
        const list = actual.get(r.unit!) ?? [];
        list.push(r);
        actual.set(r.unit!, list);
      }
      const units = new Set([...data.keys(), ...apexUnits(s).filter(inRange), ...actual.keys()]);
      const fixUnits: string[] = [];
      const fixRecs: (Rec & { unit: string })[] = [];
      for (const u of units) {
        report.unitsChecked++;
        const want = renderUnit(s, u, data.get(u));
        const { added, removed } = diff(actual.get(u) ?? [], want);
        if (added.length || removed.length) {
          report.unitsCorrected++;
          report.recordsAdded += added.length;
          report.recordsRemoved += removed.length;
          note('+', added);
          note('-', removed);
          fixUnits.push(u);
          for (const r of want) fixRecs.push({ ...r, unit: u });
        }
      }
      if (!dryRun && fixUnits.length) await replaceUnits(ptx, pz.id, fixUnits, fixRecs);
      after = through;
      return through === undefined;
    });
  }

  // The apex and rows nobody in the registry wrote; then a new serial if anything changed.
  await d.pdns.withZone(pz.id, async (ptx) => {
    const { s, stateSerial } = await d.db.primary.tx(async (rtx) => {
      const s = (await loadZoneSettings(rtx, zoneId))!;
      const [st] = await rtx.query(sql`SELECT serial FROM dns_zone_state WHERE zone_id = ${zoneId}`);
      return { s, stateSerial: st ? Number(st.serial) : 0 };
    }, RR);
    const stray = await strayRecords(ptx, pz.id);
    report.strayRemoved = stray.length;
    note('-', stray.map(recKey));
    const current = await publishedSerial(ptx, pz);
    const apexHave = await unitRecords(ptx, pz.id, s.zone);
    const apexDiff = diff(apexHave, renderApex(s, current ?? 0));
    report.apexCorrected = apexDiff.added.length + apexDiff.removed.length > 0;
    if (report.apexCorrected) { note('+', apexDiff.added); note('-', apexDiff.removed); }
    const drift = report.unitsCorrected > 0 || report.strayRemoved > 0 || report.apexCorrected;
    if (dryRun || !drift) return;
    if (stray.length) await deleteStray(ptx, pz.id);
    const serial = nextSerial(serialMax(stateSerial, current ?? 0), (d.clock ?? (() => new Date()))());
    await replaceUnits(ptx, pz.id, [s.zone], renderApex(s, serial).map((r) => ({ ...r, unit: s.zone })));
    report.serial = serial;
  });
  if (report.serial !== undefined) {
    await d.db.primary.query(sql`
      INSERT INTO dns_zone_state (zone_id, serial, published_at, resynced_at) VALUES (${zoneId}, ${report.serial}, now(), now())
      ON CONFLICT (zone_id) DO UPDATE SET serial = EXCLUDED.serial, published_at = now(), resynced_at = now()`);
    d.metrics?.serial.set({ zone: report.zone }, report.serial);
    await d.api?.notify(report.zone).catch((err: Error) => d.log.warn({ err: err.message, zone: report.zone }, 'NOTIFY through the PowerDNS API failed'));
  } else if (!dryRun) {
    await d.db.primary.query(sql`UPDATE dns_zone_state SET resynced_at = now() WHERE zone_id = ${zoneId}`);
  }
  const corrections = report.unitsCorrected + report.strayRemoved + (report.apexCorrected ? 1 : 0);
  if (!dryRun && corrections) d.metrics?.drift.inc({ zone: report.zone }, corrections);
  return report;
}

export type { ZoneSettings };
