/**
 * What a zone contains, in one place for the live publisher, the resync and the zone-file export:
 * delegations of domains whose statuses allow it, narrow glue, DS from secDNS data, and the apex
 * (SOA, the zone's own NS and their addresses), rendered as PowerDNS records with the auth flags,
 * DNSSEC ordering and empty non-terminals that `pdnsutil rectify-zone` would give them.
 */
import type { SQLQuery } from '@databases/pg';
import { sql, type Queryable } from '../db/pool.js';
import { ancestorsBelowZone, isAtOrBelow, nsec3Hash, nsecOrdername, unitOf } from './names.js';
import type { ZoneSettings } from './settings.js';

/**
 * Statuses under which a domain is not delegated: RFC 5731 §2.3 (clientHold, serverHold) and
 * pendingDelete, which the registry also sets on every domain in redemption or pending restore
 * (RFC 3915), so names in the RGP never resolve. A domain without NS (inactive) is not delegated either.
 */
export const NOT_PUBLISHED_STATUSES = ['clientHold', 'serverHold', 'pendingDelete'] as const;

export interface DsRecord { keyTag: number; alg: number; digestType: number; digest: string }
export interface GlueHost { name: string; addrs: string[] }

/** The registry's data for one unit (a domain one label below the zone). */
export interface UnitData {
  name: string;
  /** Registered, not held, and has name servers. */
  published: boolean;
  ns: string[];
  /** Internal hosts of this domain that it uses as name servers (narrow glue). */
  glue: GlueHost[];
  ds: DsRecord[];
}

/** A row of PowerDNS's records table; type null is an empty non-terminal. */
export interface Rec {
  name: string;
  type: string | null;
  content: string | null;
  ttl: number | null;
  auth: boolean;
  ordername: string | null;
}

interface UnitRow { name: string; held: boolean; ns: string[] | null; glue: { n: string; a: string[] | null }[] | null; ds: [number, number, number, string][] | null }

/** The per-domain SELECT, shared by the batch loader and the streaming readers. */
function unitSelect(from: SQLQuery, where: SQLQuery, order: SQLQuery): SQLQuery {
  return sql`
    SELECT d.name, d.statuses && ${[...NOT_PUBLISHED_STATUSES]}::text[] AS held, ns.names AS ns, ns.glue, ds.ds
      FROM ${from}
      LEFT JOIN LATERAL (
        SELECT array_agg(h.name ORDER BY h.name) AS names,
               json_agg(json_build_object('n', h.name, 'a', (SELECT array_agg(host(a.addr) ORDER BY host(a.addr)) FROM host_addrs a WHERE a.host_id = h.id))
                        ORDER BY h.name) FILTER (WHERE h.superordinate_id = d.id) AS glue
          FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id WHERE dh.domain_id = d.id) ns ON true
      LEFT JOIN LATERAL (
        SELECT json_agg(json_build_array(x.key_tag, x.alg, x.digest_type, x.digest) ORDER BY x.key_tag, x.alg, x.digest_type, x.digest) AS ds
          FROM domain_ds x WHERE x.domain_id = d.id) ds ON true
     WHERE ${where} ${order}`;
}

function toUnit(r: UnitRow): UnitData {
  const ns = r.ns ?? [];
  return {
    name: r.name,
    published: !r.held && ns.length > 0,
    ns,
    glue: (r.glue ?? []).map((g) => ({ name: g.n, addrs: g.a ?? [] })),
    ds: (r.ds ?? []).map(([keyTag, alg, digestType, digest]) => ({ keyTag, alg, digestType, digest })),
  };
}

/** Registry data for the given unit names of a zone (names with no domain come back unpublished). */
export async function loadUnits(db: Queryable, zoneId: number, names: string[]): Promise<Map<string, UnitData>> {
  const out = new Map<string, UnitData>();
  for (const n of names) out.set(n, { name: n, published: false, ns: [], glue: [], ds: [] });
  if (names.length === 0) return out;
  const rows: UnitRow[] = await db.query(unitSelect(sql`domains d`, sql`d.zone_id = ${zoneId} AND d.name = ANY(${names}::text[])`, sql``));
  for (const r of rows) out.set(r.name, toUnit(r));
  return out;
}

/**
 * Every delegated domain of a zone, in byte order of the name (COLLATE "C", the order JavaScript
 * compares ASCII strings in), from a server-side cursor so memory stays flat whatever the size.
 * `after` and `through` bound the names (exclusive, inclusive) for chunked readers.
 */
export async function* streamPublishedUnits(db: Queryable, zoneId: number, opts: { after?: string; limit?: number; batchSize?: number; bytewise?: boolean } = {}): AsyncGenerator<UnitData> {
  // Byte order either way; when the database's own collation is byte order, saying so lets the
  // planner walk the name index instead of sorting the zone for every chunk.
  const name = opts.bytewise ? sql`d.name` : sql`d.name COLLATE "C"`;
  const where = sql`d.zone_id = ${zoneId} AND NOT (d.statuses && ${[...NOT_PUBLISHED_STATUSES]}::text[])
    AND EXISTS (SELECT 1 FROM domain_hosts e WHERE e.domain_id = d.id)
    ${opts.after !== undefined ? sql`AND ${name} > ${opts.after}` : sql``}`;
  const order = sql`ORDER BY ${name} ${opts.limit !== undefined ? sql`LIMIT ${opts.limit}` : sql``}`;
  const q = unitSelect(sql`domains d`, where, order);
  if (opts.limit !== undefined) {
    for (const r of (await db.query(q)) as UnitRow[]) yield toUnit(r);
    return;
  }
  for await (const r of db.queryStream(q, { batchSize: opts.batchSize ?? 2000 })) yield toUnit(r as UnitRow);
}

/**
 * Every delegated domain of a zone in storage (id) order, for whole-zone exports: merge joins on
 * the primary keys with one aggregate per table, which streams a million domains several times
 * faster than per-domain lookups. (Name order, for chunked readers, is streamPublishedUnits.)
 */
export async function* streamUnitsForExport(db: Queryable, zoneId: number, batchSize = 10_000): AsyncGenerator<UnitData> {
  const q = sql`
    SELECT d.name, n.ns, x.ds, g.glue
      FROM domains d
      JOIN (SELECT dh.domain_id, array_agg(h.name) AS ns FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id GROUP BY dh.domain_id) n ON n.domain_id = d.id
      LEFT JOIN (SELECT domain_id, array_agg(key_tag || ' ' || alg || ' ' || digest_type || ' ' || digest) AS ds FROM domain_ds GROUP BY domain_id) x ON x.domain_id = d.id
      LEFT JOIN (SELECT dh.domain_id, array_agg(h.name || ' ' || host(a.addr)) AS glue
                   FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id AND h.superordinate_id = dh.domain_id JOIN host_addrs a ON a.host_id = h.id
                  GROUP BY dh.domain_id) g ON g.domain_id = d.id
     WHERE d.zone_id = ${zoneId} AND NOT (d.statuses && ${[...NOT_PUBLISHED_STATUSES]}::text[])
     ORDER BY d.id`;
  for await (const r of db.queryStream(q, { batchSize }) as AsyncIterable<{ name: string; ns: string[]; ds: string[] | null; glue: string[] | null }>) {
    const glue = r.glue ? new Map<string, string[]>() : undefined;
    for (const g of r.glue ?? []) {
      const sp = g.indexOf(' ');
      const name = g.slice(0, sp);
      glue!.set(name, [...(glue!.get(name) ?? []), g.slice(sp + 1)]);
    }
    yield {
      name: r.name,
      published: true,
      ns: r.ns.sort(),
      glue: glue ? [...glue].map(([name, addrs]) => ({ name, addrs: addrs.sort() })) : [],
      ds: (r.ds ?? []).map((t) => { const [k, a, dt, dg] = t.split(' '); return { keyTag: Number(k), alg: Number(a), digestType: Number(dt), digest: dg! }; }),
    };
  }
}

/** True when the database sorts text in byte order (C or POSIX collation), as JavaScript compares ASCII. */
export async function collatesBytewise(db: Queryable): Promise<boolean> {
  const [r] = await db.query(sql`SELECT datcollate FROM pg_database WHERE datname = current_database()`);
  return /^(C|POSIX)$/.test(r.datcollate);
}

/** Number of delegated domains in a zone (for progress reporting). */
export async function countPublished(db: Queryable, zoneId: number): Promise<number> {
  const [r] = await db.query(sql`SELECT count(*)::int AS n FROM domains d WHERE d.zone_id = ${zoneId}
    AND NOT (d.statuses && ${[...NOT_PUBLISHED_STATUSES]}::text[]) AND EXISTS (SELECT 1 FROM domain_hosts e WHERE e.domain_id = d.id)`);
  return r.n;
}

const addrType = (a: string) => (a.includes(':') ? 'AAAA' : 'A');

/** How PowerDNS orders a name for DNSSEC denial: by NSEC label order, or by NSEC3 hash (RFC 5155). */
function ordername(s: ZoneSettings, owner: string): string | null {
  if (!s.dnssec) return null;
  return s.nsec3 ? nsec3Hash(owner) : nsecOrdername(owner, s.zone);
}

/** The apex NS names of the zone that fall in the given unit (their addresses are published there). */
export function apexNamesIn(s: ZoneSettings, unit: string): GlueHost[] {
  return s.ns.filter((n) => unitOf(n.name, s.zone) === unit && n.addrs.length > 0).map((n) => ({ name: n.name, addrs: n.addrs }));
}

/** Units other than the apex that apex name servers fall in (so they are rebuilt with the apex). */
export function apexUnits(s: ZoneSettings): string[] {
  const out = new Set<string>();
  for (const n of s.ns) { const u = unitOf(n.name, s.zone); if (u && u !== s.zone) out.add(u); }
  return [...out].sort();
}

/**
 * The records of one unit below the apex. A published delegation has its NS (not authoritative),
 * DS (authoritative, RFC 4035 §2.4) and glue below it (not authoritative); apex name servers under
 * the unit keep the addresses configured for the zone, authoritative unless a delegation occludes them.
 */
export function renderUnit(s: ZoneSettings, unit: string, data: UnitData | undefined, o: { masterFile?: boolean } = {}): Rec[] {
  // A master file needs neither PowerDNS's ordering nor its empty non-terminals.
  if (o.masterFile) s = { ...s, dnssec: false };
  const recs: Rec[] = [];
  const delegated = !!data?.published;
  const apexHosts = apexNamesIn(s, unit);
  const apexHostNames = new Set(apexHosts.map((h) => h.name));
  // RFC 5155 §6 opt-out: an unsigned delegation is left out of the NSEC3 chain.
  const delegationOrder = s.dnssec && s.nsec3 && s.nsec3OptOut && !data?.ds.length ? null : ordername(s, unit);
  if (delegated && data) {
    for (const ns of data.ns) recs.push({ name: unit, type: 'NS', content: ns, ttl: s.ttl.ns, auth: false, ordername: delegationOrder });
    for (const d of data.ds) {
      recs.push({ name: unit, type: 'DS', content: `${d.keyTag} ${d.alg} ${d.digestType} ${d.digest.toLowerCase()}`, ttl: s.ttl.ds, auth: true, ordername: delegationOrder });
    }
    // Narrow glue: only the delegation's own in-bailiwick name servers (RST integration-04/05).
    for (const g of data.glue) {
      if (apexHostNames.has(g.name) || g.name === unit || !isAtOrBelow(g.name, unit)) continue;
      for (const a of g.addrs) recs.push({ name: g.name, type: addrType(a), content: a, ttl: s.ttl.glue, auth: false, ordername: null });
    }
  }
  for (const h of apexHosts) {
    // Under a published delegation the addresses are glue (occluded, RFC 2181 §6.1); else authoritative data.
    const order = !delegated ? ordername(s, h.name) : h.name === unit ? delegationOrder : null;
    for (const a of h.addrs) recs.push({ name: h.name, type: addrType(a), content: a, ttl: s.ttl.glue, auth: !delegated, ordername: order });
  }
  return o.masterFile ? recs : withEmptyNonTerminals(s, unit, delegated, recs);
}

/** PowerDNS keeps a type-less row for every empty non-terminal; NSEC3 chains include the authoritative ones. */
function withEmptyNonTerminals(s: ZoneSettings, unit: string, delegated: boolean, recs: Rec[]): Rec[] {
  const owners = new Set(recs.map((r) => r.name));
  const ents = new Set<string>();
  for (const o of owners) for (const a of ancestorsBelowZone(o, s.zone)) if (isAtOrBelow(a, unit) && !owners.has(a)) ents.add(a);
  for (const e of ents) {
    const auth = !(delegated && e !== unit);
    recs.push({ name: e, type: null, content: null, ttl: null, auth, ordername: auth && s.dnssec && s.nsec3 ? nsec3Hash(e) : null });
  }
  return sortRecs(recs);
}

/** The apex: SOA and the zone's NS RRset (RFC 1035 §5.2), authoritative, plus addresses of name servers named as the zone itself. */
export function renderApex(s: ZoneSettings, serial: number): Rec[] {
  const o = ordername(s, s.zone);
  const recs: Rec[] = [{ name: s.zone, type: 'SOA', content: soaContent(s, serial), ttl: s.ttl.soa, auth: true, ordername: o }];
  for (const n of s.ns) recs.push({ name: s.zone, type: 'NS', content: n.name, ttl: s.ttl.ns, auth: true, ordername: o });
  for (const h of apexNamesIn(s, s.zone)) for (const a of h.addrs) recs.push({ name: s.zone, type: addrType(a), content: a, ttl: s.ttl.glue, auth: true, ordername: o });
  return sortRecs(recs);
}

export function soaContent(s: ZoneSettings, serial: number): string {
  return `${s.soa.mname} ${s.soa.rname} ${serial} ${s.soa.refresh} ${s.soa.retry} ${s.soa.expire} ${s.soa.minimum}`;
}

export function sortRecs(recs: Rec[]): Rec[] {
  const k = (r: Rec) => `${r.name}\u0000${r.type ?? ''}\u0000${r.content ?? ''}`;
  return recs.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

/** A stable text form of a record, for comparing what is published with what should be. */
export function recKey(r: Rec): string {
  return `${r.name}|${r.type ?? ''}|${r.content ?? ''}|${r.ttl ?? ''}|${r.auth ? 1 : 0}|${r.ordername ?? '\u0000'}`;
}
