/**
 * Reads of registration data for WHOIS and RDAP: one round trip per object (per batch, for
 * domains) through the lookup functions of migration 0006, rows read with `*`/to_jsonb so columns
 * added later flow through, statuses derived as EPP shows them. Searches are plain indexed queries.
 */
import { rgpStatuses, type RgpState } from '../lifecycle/rgp.js';
import type { GraceKind } from '../lifecycle/grace.js';
import { sql, type Queryable } from '../db/pool.js';
import { domainStatuses, linkedStatuses } from '../registry/statuses.js';
import type { PostalInfo } from '../proto/index.js';
import { parseLsn, type Loaded } from './cache.js';

export interface ContactRecord {
  id: number; roid: string; contactId: string; sponsorId: number;
  postalInt?: PostalInfo; postalLoc?: PostalInfo;
  voice?: string; voiceExt?: string; fax?: string; faxExt?: string; email: string;
  disclose?: { flag: boolean; fields: string[] };
  /** As EPP shows them (ok, linked, pendingTransfer derived). */
  statuses: string[];
  createdAt: Date; updatedAt?: Date; transferredAt?: Date;
}

export type ContactRole = 'registrant' | 'admin' | 'tech' | 'billing';

export interface DomainRecord {
  id: number; roid: string; name: string; zoneId: number; sponsorId: number;
  statuses: string[];
  createdAt: Date; updatedAt?: Date; expiresAt: Date; transferredAt?: Date;
  ns: { id: number; roid: string; name: string }[];
  ds: { keyTag: number; alg: number; digestType: number; digest: string }[];
  contacts: { role: ContactRole; contact: ContactRecord }[];
}

export interface HostRecord {
  id: number; roid: string; name: string; sponsorId: number; addrs: string[]; statuses: string[];
  createdAt: Date; updatedAt?: Date; transferredAt?: Date;
}

type Row = Record<string, unknown>;

const date = (v: unknown): Date | undefined => (v == null ? undefined : new Date(v as string));
const opt = <K extends string, T>(k: K, v: T | null | undefined): { [P in K]?: T } => (v == null || v === '' ? {} : { [k]: v }) as { [P in K]?: T };

function contactOf(r: Row, linked: boolean, pendingTransfer: boolean): ContactRecord {
  return {
    id: r.id as number, roid: r.roid as string, contactId: r.contact_id as string, sponsorId: r.sponsor_id as number,
    ...opt('postalInt', r.postal_int as PostalInfo | null), ...opt('postalLoc', r.postal_loc as PostalInfo | null),
    ...opt('voice', r.voice as string | null), ...opt('voiceExt', r.voice_ext as string | null),
    ...opt('fax', r.fax as string | null), ...opt('faxExt', r.fax_ext as string | null),
    email: r.email as string,
    ...opt('disclose', r.disclose as ContactRecord['disclose'] | null),
    statuses: linkedStatuses((r.statuses as string[]) ?? [], { linked, pendingTransfer }),
    createdAt: new Date(r.created_at as string),
    ...opt('updatedAt', date(r.updated_at)), ...opt('transferredAt', date(r.transferred_at)),
  };
}

/**
 * Several domains in one statement (one rdds_domain() call per name): the misses of concurrent
 * queries share a round trip. Every name asked has an entry, null-valued when there is no domain
 * (cached too: a create's notice names it).
 */
export async function loadDomains(db: Queryable, names: readonly string[], now: Date = new Date()): Promise<Map<string, Loaded<DomainRecord | null>>> {
  const rows = await db.query(sql`SELECT n AS name, rdds_domain(n) AS r FROM unnest(${[...new Set(names)]}::text[]) AS n`) as { name: string; r: Row }[];
  return new Map(rows.map((row) => [row.name, domainFrom(row.r, now)]));
}

function domainFrom(r: Row, now: Date): Loaded<DomainRecord | null> {
  const lsn = parseLsn(r.replay_lsn as string | null | undefined);
  const d = r.domain as Row | null;
  if (!d) return { value: null, deps: [], ...(lsn !== undefined ? { lsn } : {}) };
  const ns = d.ns as DomainRecord['ns'];
  const contacts = (d.contacts as Row[]).map((c) => ({ role: c.role as ContactRole, contact: contactOf(c, true, false) }));
  const value: DomainRecord = {
    id: d.id as number, roid: d.roid as string, name: d.name as string, zoneId: d.zone_id as number, sponsorId: d.sponsor_id as number,
    // The RGP state or the running grace periods (RFC 3915 §3) are statuses RDAP and WHOIS show too (RFC 8056 §2).
    statuses: [...new Set([...domainStatuses((d.statuses as string[]) ?? [], { hasNs: ns.length > 0, pendingTransfer: d.pending_transfer === true }),
      ...rgpStatuses(typeof d.rgp_status === 'string' ? d.rgp_status as RgpState : undefined, ((d.graces as { kind: GraceKind; ends: string }[] | undefined) ?? []).filter((g) => new Date(g.ends) > now))])],
    createdAt: new Date(d.created_at as string), ...opt('updatedAt', date(d.updated_at)),
    expiresAt: new Date(d.expires_at as string), ...opt('transferredAt', date(d.transferred_at)),
    ns, ds: d.ds as DomainRecord['ds'], contacts,
  };
  const deps = [`d:${value.id}`, ...ns.map((h) => `h:${h.id}`), ...contacts.map((c) => `c:${c.contact.id}`)];
  return { value, deps, ...(lsn !== undefined ? { lsn } : {}) };
}

export async function loadHost(db: Queryable, name: string): Promise<Loaded<HostRecord | null>> {
  const [{ r }] = await db.query(sql`SELECT rdds_host(${name}) AS r`);
  const lsn = parseLsn(r.replay_lsn);
  const h = r.host as Row | null;
  if (!h) return { value: null, deps: [], ...(lsn !== undefined ? { lsn } : {}) };
  const value: HostRecord = {
    id: h.id as number, roid: h.roid as string, name: h.name as string, sponsorId: h.sponsor_id as number, addrs: h.addrs as string[],
    statuses: linkedStatuses((h.statuses as string[]) ?? [], { linked: h.linked === true }),
    createdAt: new Date(h.created_at as string), ...opt('updatedAt', date(h.updated_at)), ...opt('transferredAt', date(h.transferred_at)),
  };
  return { value, deps: [`h:${value.id}`], ...(lsn !== undefined ? { lsn } : {}) };
}

export async function loadContact(db: Queryable, roid: string): Promise<Loaded<ContactRecord | null>> {
  const [{ r }] = await db.query(sql`SELECT rdds_contact(${roid}) AS r`);
  const lsn = parseLsn(r.replay_lsn);
  const c = r.contact as Row | null;
  if (!c) return { value: null, deps: [], ...(lsn !== undefined ? { lsn } : {}) };
  const value = contactOf(c, c.linked === true, c.pending_transfer === true);
  return { value, deps: [`c:${value.id}`], ...(lsn !== undefined ? { lsn } : {}) };
}

/** `LIKE` with the pattern's own wildcards escaped: "ab_c" matches only itself. */
export function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/** A name or a name prefix (RFC 9082 §4.1 partial match), for searches. */
export type NameMatch = { exact: string } | { prefix: string; suffix?: string };

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, (c) => `\\${c}`);

const nameCondition = (column: ReturnType<typeof sql.ident>, m: NameMatch) => {
  if ('exact' in m) return sql`${column} = ${m.exact}`;
  // "exam*.com" (RFC 9082 §4.1): the prefix, more characters within that label, then the suffix.
  // The LIKE lets the btree narrow by prefix; the regular expression checks the rest.
  if (m.suffix) return sql`${column} LIKE ${likePrefix(m.prefix)} AND ${column} ~ ${`^${reEscape(m.prefix)}[^.]*${reEscape(m.suffix)}$`}`;
  return sql`${column} LIKE ${likePrefix(m.prefix)}`;
};

/** Up to `limit` names (one more tells the caller the list was cut). */
export async function searchDomainNames(db: Queryable, by: { name: NameMatch } | { nsName: NameMatch } | { nsIp: string }, limit: number): Promise<string[]> {
  let rows: { name: string }[];
  if ('name' in by) {
    rows = await db.query(sql`SELECT d.name FROM domains d WHERE ${nameCondition(sql.ident('d', 'name'), by.name)} ORDER BY d.name LIMIT ${limit + 1}`);
  } else if ('nsName' in by) {
    rows = await db.query(sql`
      SELECT DISTINCT d.name FROM hosts h JOIN domain_hosts dh ON dh.host_id = h.id JOIN domains d ON d.id = dh.domain_id
       WHERE ${nameCondition(sql.ident('h', 'name'), by.nsName)} ORDER BY d.name LIMIT ${limit + 1}`);
  } else {
    rows = await db.query(sql`
      SELECT DISTINCT d.name FROM host_addrs a JOIN domain_hosts dh ON dh.host_id = a.host_id JOIN domains d ON d.id = dh.domain_id
       WHERE a.addr = ${by.nsIp}::inet ORDER BY d.name LIMIT ${limit + 1}`);
  }
  return rows.map((r) => r.name);
}

export async function searchHostNames(db: Queryable, by: { name: NameMatch } | { ip: string }, limit: number): Promise<string[]> {
  const rows: { name: string }[] = 'name' in by
    ? await db.query(sql`SELECT h.name FROM hosts h WHERE ${nameCondition(sql.ident('h', 'name'), by.name)} ORDER BY h.name LIMIT ${limit + 1}`)
    : await db.query(sql`SELECT DISTINCT h.name FROM host_addrs a JOIN hosts h ON h.id = a.host_id WHERE a.addr = ${by.ip}::inet ORDER BY h.name LIMIT ${limit + 1}`);
  return rows.map((r) => r.name);
}
