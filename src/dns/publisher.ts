/**
 * The live publisher: consumes the change queue (dns_changes) in batches and rebuilds the queued
 * units in PowerDNS, one PowerDNS transaction per zone per batch with a new SOA serial, then
 * sends NOTIFY. Idempotent: a unit is rebuilt from the registry's current state, and its queue
 * row is deleted only if no newer change arrived meanwhile, so a crash at any point loses
 * nothing and a rerun converges to the registry.
 */
import { IsolationLevel } from '@databases/pg';
import type { DnsConfig } from '../config.js';
import { sql, type Database } from '../db/pool.js';
import type { Logger } from '../util/log.js';
import type { DnsMetrics } from './metrics.js';
import { unitOf } from './names.js';
import { publishedSerial, replaceUnits, setSoa, type PdnsUtil, type PdnsZone, type PowerDnsApi, type PowerDnsDb } from './powerdns.js';
import { resyncZone } from './resync.js';
import { nextSerial, serialMax } from './serial.js';
import { ensureZoneSettings, loadZoneSettings, type ZoneSettings } from './settings.js';
import { apexUnits, loadUnits, renderApex, renderUnit, soaContent, type Rec } from './zone-content.js';

export interface PublisherDeps {
  db: Database;
  pdns: PowerDnsDb;
  api?: PowerDnsApi;
  pdnsutil?: PdnsUtil;
  dns: DnsConfig;
  log: Logger;
  clock?: () => Date;
  metrics?: DnsMetrics;
  /** Test hook, called inside the PowerDNS transaction after the writes and before the commit. */
  beforeCommit?: (zone: string, units: string[]) => Promise<void>;
}

export interface BatchResult { units: number; zones: string[] }

const RR = { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true } as const;

export class Publisher {
  /** Zones whose PowerDNS side (existence, keys, NSEC3, also-notify) was checked by this process. */
  private readonly checked = new Map<number, PdnsZone>();

  constructor(private readonly d: PublisherDeps) {}

  private now(): Date { return (this.d.clock ?? (() => new Date()))(); }

  /** Publishes one batch of the oldest queued changes; returns how many units it rebuilt. */
  async publishBatch(): Promise<BatchResult> {
    const rows: { zone_id: number; name: string }[] = await this.d.db.primary.query(
      sql`SELECT zone_id, name FROM dns_changes ORDER BY queued_at LIMIT ${this.d.dns.batchSize}`);
    if (rows.length === 0) return { units: 0, zones: [] };
    const byZone = new Map<number, string[]>();
    for (const r of rows) byZone.set(r.zone_id, [...(byZone.get(r.zone_id) ?? []), r.name]);
    let units = 0;
    const zones: string[] = [];
    for (const [zoneId, names] of byZone) {
      const n = await this.publishZone(zoneId, names);
      units += n.units;
      if (n.zone) zones.push(n.zone);
    }
    return { units, zones };
  }

  /** Publishes until the queue is empty (tests, CLI); returns the units rebuilt. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const r = await this.publishBatch();
      total += r.units;
      if (r.units === 0) return total;
    }
  }

  private async settingsFor(zoneId: number): Promise<ZoneSettings | undefined> {
    let s = await loadZoneSettings(this.d.db.primary, zoneId);
    if (!s) {
      await ensureZoneSettings(this.d.db.primary, this.d.dns);
      s = await loadZoneSettings(this.d.db.primary, zoneId);
    }
    return s;
  }

  private async dropQueued(zoneId: number, names: string[]): Promise<void> {
    await this.d.db.primary.query(sql`DELETE FROM dns_changes WHERE zone_id = ${zoneId} AND name = ANY(${names}::text[])`);
  }

  private async publishZone(zoneId: number, names: string[]): Promise<{ units: number; zone?: string }> {
    const s0 = await this.settingsFor(zoneId);
    if (!s0) {
      // The zone was deleted: removing a whole zone from the DNS is left to the operator.
      this.d.log.warn({ zoneId }, 'changes queued for a zone that no longer exists; dropped');
      await this.dropQueued(zoneId, names);
      return { units: 0 };
    }
    if (!s0.publish) {
      await this.dropQueued(zoneId, names);
      return { units: 0, zone: s0.zone };
    }
    const apexQueued = names.includes(s0.zone);
    if (apexQueued) this.checked.delete(zoneId);
    const pz = await this.ensureZone(s0);

    let serial = 0;
    let done: { name: string; seq: number }[] = [];
    await this.d.pdns.withZone(pz.id, async (ptx) => {
      // The registry is read after taking the zone's lock: whoever writes later has read later.
      const snap = await this.d.db.primary.tx(async (rtx) => {
        const queued: { name: string; seq: number }[] = await rtx.query(sql`SELECT name, seq FROM dns_changes WHERE zone_id = ${zoneId} AND name = ANY(${names}::text[])`);
        const s = (await loadZoneSettings(rtx, zoneId))!;
        const [st] = await rtx.query(sql`SELECT serial FROM dns_zone_state WHERE zone_id = ${zoneId}`);
        const apex = queued.some((q) => q.name === s.zone);
        const unitNames = new Set(queued.map((q) => q.name).filter((n) => n !== s.zone && unitOf(n, s.zone) === n));
        // Apex TTLs and addresses also shape the units the zone's own name servers fall in.
        if (apex) for (const u of apexUnits(s)) unitNames.add(u);
        const data = await loadUnits(rtx, zoneId, [...unitNames]);
        return { queued, s, apex, unitNames: [...unitNames], data, stateSerial: st ? Number(st.serial) : 0 };
      }, RR);
      done = snap.queued;
      for (const q of snap.queued) if (q.name !== snap.s.zone && unitOf(q.name, snap.s.zone) !== q.name) this.d.log.warn({ name: q.name, zone: snap.s.zone }, 'queued name is not one label below its zone; ignored');
      const current = await publishedSerial(ptx, pz);
      serial = nextSerial(serialMax(snap.stateSerial, current ?? 0), this.now());
      const recs: (Rec & { unit: string })[] = [];
      for (const u of snap.unitNames) for (const r of renderUnit(snap.s, u, snap.data.get(u))) recs.push({ ...r, unit: u });
      const replace = [...snap.unitNames];
      if (snap.apex || current === undefined) {
        replace.push(snap.s.zone);
        for (const r of renderApex(snap.s, serial)) recs.push({ ...r, unit: snap.s.zone });
      }
      await replaceUnits(ptx, pz.id, replace, recs);
      if (!snap.apex && current !== undefined) await setSoa(ptx, pz.id, snap.s.zone, soaContent(snap.s, serial));
      await this.d.beforeCommit?.(snap.s.zone, replace);
    });

    // Applied: record the serial, then forget the changes that nothing has touched since we read them.
    await this.d.db.primary.query(sql`
      INSERT INTO dns_zone_state (zone_id, serial, published_at) VALUES (${zoneId}, ${serial}, now())
      ON CONFLICT (zone_id) DO UPDATE SET serial = EXCLUDED.serial, published_at = now()`);
    const deleted: { age: number }[] = done.length ? await this.d.db.primary.query(sql`
      DELETE FROM dns_changes c USING unnest(${done.map((q) => q.name)}::text[], ${done.map((q) => q.seq)}::bigint[]) AS p(name, seq)
       WHERE c.zone_id = ${zoneId} AND c.name = p.name AND c.seq = p.seq
      RETURNING extract(epoch FROM clock_timestamp() - c.queued_at)::float8 AS age`) : [];
    const m = this.d.metrics;
    if (m) {
      for (const r of deleted) m.latency.observe(Math.max(0, r.age));
      m.units.inc(done.length);
      m.batches.inc();
      m.serial.set({ zone: s0.zone }, serial);
    }
    await this.d.api?.notify(s0.zone).catch((err: Error) => this.d.log.warn({ err: err.message, zone: s0.zone }, 'NOTIFY through the PowerDNS API failed; secondaries will see the serial at their next refresh'));
    return { units: done.length, zone: s0.zone };
  }

  /**
   * Makes sure PowerDNS has the zone as the settings want it: created (primary, also-notify),
   * signed or not, NSEC or NSEC3. A new zone, or a change of signing, is followed by a full
   * resync, because every record's DNSSEC ordering depends on it.
   */
  async ensureZone(s: ZoneSettings): Promise<PdnsZone> {
    const known = this.checked.get(s.zoneId);
    if (known) return known;
    let pz = await this.d.pdns.zone(s.zone);
    let rebuild = false;
    if (!pz) {
      pz = await this.d.pdns.createZone(s.zone, this.d.dns.alsoNotify);
      this.d.log.info({ zone: s.zone }, 'zone created in PowerDNS');
      rebuild = true;
    } else {
      await this.d.pdns.setAlsoNotify(pz.id, this.d.dns.alsoNotify);
    }
    const sec = await this.d.pdns.security(pz.id);
    const wantNsec3 = s.dnssec && s.nsec3 ? `1 ${s.nsec3OptOut ? 1 : 0} 0 -` : undefined;
    const u = this.d.pdnsutil;
    if (s.dnssec) {
      if (!u) throw new Error(`zone ${s.zone} is to be signed but no pdnsutil is configured`);
      if (sec.activeKeys === 0) { await u.secureZone(s.zone); rebuild = true; this.d.log.info({ zone: s.zone }, 'zone secured (pdnsutil secure-zone)'); }
      if (sec.nsec3param !== wantNsec3) {
        if (wantNsec3) await u.setNsec3(s.zone, s.nsec3OptOut); else await u.unsetNsec3(s.zone);
        rebuild = true;
        this.d.log.info({ zone: s.zone, nsec3: wantNsec3 ?? 'off' }, 'zone denial of existence changed');
      }
    } else if (sec.activeKeys > 0 || sec.nsec3param) {
      if (!u) throw new Error(`zone ${s.zone} is to be unsigned but no pdnsutil is configured`);
      await u.disableDnssec(s.zone);
      rebuild = true;
      this.d.log.warn({ zone: s.zone }, 'DNSSEC disabled for the zone (settings say unsigned)');
    }
    if (rebuild) {
      const report = await resyncZone({ db: this.d.db, pdns: this.d.pdns, ...(this.d.api ? { api: this.d.api } : {}), log: this.d.log, ...(this.d.clock ? { clock: this.d.clock } : {}), ...(this.d.metrics ? { metrics: this.d.metrics } : {}) }, s.zoneId, pz);
      this.d.log.info({ zone: s.zone, units: report.unitsCorrected, serial: report.serial }, 'zone rebuilt in PowerDNS');
    }
    this.checked.set(s.zoneId, pz);
    return pz;
  }

  /** Queue depth and age of the oldest change (for metrics and the health alarm). */
  async queueStatus(): Promise<{ depth: number; oldestSeconds: number }> {
    const [r] = await this.d.db.primary.query(sql`SELECT count(*)::int AS depth, coalesce(extract(epoch FROM clock_timestamp() - min(queued_at)), 0)::float8 AS oldest FROM dns_changes`);
    return { depth: r.depth, oldestSeconds: r.oldest };
  }

  /** Zones whose serial has not moved for serialRefreshHours get the apex queued, so secondaries refetch fresh signatures. */
  async refreshQuietZones(): Promise<number> {
    const rows = await this.d.db.primary.query(sql`
      INSERT INTO dns_changes (zone_id, name, seq, queued_at)
      SELECT z.id, z.name, nextval('dns_change_seq'), clock_timestamp() FROM zones z JOIN dns_zone_state st ON st.zone_id = z.id
       WHERE st.published_at < ${new Date(this.now().getTime() - this.d.dns.serialRefreshHours * 3_600_000)}
      ON CONFLICT (zone_id, name) DO NOTHING RETURNING 1`);
    return rows.length;
  }
}
