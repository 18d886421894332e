/** Per-zone apex settings (dns_zones, dns_zone_ns): loading, creation from configured defaults, and changes by staff. */
import { isIP } from 'node:net';
import { sql, type Queryable } from '../db/pool.js';
import type { DnsConfig } from '../config.js';

export interface ZoneSettings {
  zoneId: number;
  zone: string;
  publish: boolean;
  soa: { mname: string; rname: string; refresh: number; retry: number; expire: number; minimum: number };
  ttl: { soa: number; ns: number; ds: number; glue: number };
  dnssec: boolean;
  nsec3: boolean;
  nsec3OptOut: boolean;
  ns: { name: string; addrs: string[] }[];
}

export class DnsSettingsError extends Error {}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** "ns1.nic.example=192.0.2.1;2001:db8::1" → name and addresses; {zone} is replaced. */
export function parseNameserver(spec: string, zone: string): { name: string; addrs: string[] } {
  const [rawName, rawAddrs = ''] = spec.replaceAll('{zone}', zone).split('=');
  const name = rawName!.trim().toLowerCase().replace(/\.$/, '');
  if (!HOST.test(name)) throw new DnsSettingsError(`not a host name: ${rawName}`);
  const addrs = rawAddrs.split(/[;,]/).map((a) => a.trim()).filter(Boolean);
  for (const a of addrs) if (!isIP(a)) throw new DnsSettingsError(`not an IP address: ${a}`);
  if (addrs.length && !(name === zone || name.endsWith('.' + zone))) throw new DnsSettingsError(`${name} is outside ${zone}: addresses (glue) are only published for names in the zone`);
  if (!addrs.length && (name === zone || name.endsWith('.' + zone))) throw new DnsSettingsError(`${name} is in ${zone} and needs an address (glue), as name=address`);
  return { name, addrs };
}

interface Row {
  zone_id: number; name: string; publish: boolean; soa_mname: string; soa_rname: string; soa_refresh: number; soa_retry: number; soa_expire: number;
  soa_minimum: number; soa_ttl: number; ns_ttl: number; ds_ttl: number; glue_ttl: number; dnssec: boolean; nsec3: boolean; nsec3_opt_out: boolean;
  ns: { name: string; addrs: string[] }[] | null;
}

const SELECT = sql`
  SELECT s.*, z.name, (SELECT json_agg(json_build_object('name', n.name, 'addrs', (SELECT coalesce(array_agg(host(a) ORDER BY host(a)), '{}') FROM unnest(n.addrs) a)) ORDER BY n.name)
                         FROM dns_zone_ns n WHERE n.zone_id = s.zone_id) AS ns
    FROM dns_zones s JOIN zones z ON z.id = s.zone_id`;

function toSettings(r: Row): ZoneSettings {
  return {
    zoneId: r.zone_id, zone: r.name, publish: r.publish,
    soa: { mname: r.soa_mname, rname: r.soa_rname, refresh: r.soa_refresh, retry: r.soa_retry, expire: r.soa_expire, minimum: r.soa_minimum },
    ttl: { soa: r.soa_ttl, ns: r.ns_ttl, ds: r.ds_ttl, glue: r.glue_ttl },
    dnssec: r.dnssec, nsec3: r.nsec3, nsec3OptOut: r.nsec3_opt_out, ns: r.ns ?? [],
  };
}

export async function loadZoneSettings(db: Queryable, zoneId: number): Promise<ZoneSettings | undefined> {
  const [r] = await db.query(sql`${SELECT} WHERE s.zone_id = ${zoneId}`);
  return r ? toSettings(r) : undefined;
}

export async function loadAllZoneSettings(db: Queryable): Promise<ZoneSettings[]> {
  return (await db.query(sql`${SELECT} ORDER BY z.name`)).map(toSettings);
}

/** Gives every zone without DNS settings a row from the configured defaults (once; later config changes do not alter a zone). */
export async function ensureZoneSettings(db: Queryable, d: DnsConfig): Promise<void> {
  const missing: { id: number; name: string }[] = await db.query(sql`SELECT z.id, z.name FROM zones z WHERE NOT EXISTS (SELECT 1 FROM dns_zones s WHERE s.zone_id = z.id)`);
  for (const z of missing) {
    const ns = d.defaults.nameservers.map((spec) => parseNameserver(spec, z.name));
    if (ns.length === 0) throw new DnsSettingsError('dns.defaults.nameservers is empty: a zone needs name servers');
    await db.tx(async (tx) => {
      const ins = await tx.query(sql`
        INSERT INTO dns_zones (zone_id, soa_mname, soa_rname, soa_refresh, soa_retry, soa_expire, soa_minimum, soa_ttl, ns_ttl, ds_ttl, glue_ttl, dnssec, nsec3)
        VALUES (${z.id}, ${ns[0]!.name}, ${d.defaults.soaRname.replaceAll('{zone}', z.name)}, ${d.defaults.refresh}, ${d.defaults.retry}, ${d.defaults.expire},
                ${d.defaults.minimum}, ${d.defaults.soaTtl}, ${d.defaults.nsTtl}, ${d.defaults.dsTtl}, ${d.defaults.glueTtl}, ${d.defaults.dnssec}, ${d.defaults.nsec3})
        ON CONFLICT (zone_id) DO NOTHING RETURNING zone_id`);
      if (ins.length === 0) return;
      for (const n of ns) await tx.query(sql`INSERT INTO dns_zone_ns (zone_id, name, addrs) VALUES (${z.id}, ${n.name}, ${n.addrs}::inet[])`);
    });
  }
}

export interface SettingsChange {
  nameservers?: string[];
  soaMname?: string; soaRname?: string;
  refresh?: number; retry?: number; expire?: number; minimum?: number;
  soaTtl?: number; nsTtl?: number; dsTtl?: number; glueTtl?: number;
  dnssec?: boolean; nsec3?: boolean; nsec3OptOut?: boolean; publish?: boolean;
}

/** Staff changes to a zone's apex; the triggers queue the apex (and affected units) for publication. */
export async function changeZoneSettings(db: Queryable, zoneName: string, c: SettingsChange): Promise<ZoneSettings> {
  return db.tx(async (tx) => {
    const [z] = await tx.query(sql`SELECT z.id FROM zones z JOIN dns_zones s ON s.zone_id = z.id WHERE z.name = ${zoneName} FOR UPDATE OF s`);
    if (!z) throw new DnsSettingsError(`no zone ${zoneName} with DNS settings (the publisher creates them; or run "registry dns status" once)`);
    const int = (v: number | undefined, what: string, min = 0) => {
      if (v !== undefined && (!Number.isInteger(v) || v < min || v > 2 ** 31 - 1)) throw new DnsSettingsError(`${what} must be an integer >= ${min}`);
      return v ?? null;
    };
    if (c.nameservers) {
      if (c.nameservers.length === 0) throw new DnsSettingsError('a zone needs at least one name server');
      const ns = c.nameservers.map((s) => parseNameserver(s, zoneName));
      await tx.query(sql`DELETE FROM dns_zone_ns WHERE zone_id = ${z.id}`);
      for (const n of ns) await tx.query(sql`INSERT INTO dns_zone_ns (zone_id, name, addrs) VALUES (${z.id}, ${n.name}, ${n.addrs}::inet[])`);
    }
    const mname = c.soaMname?.toLowerCase().replace(/\.$/, '');
    if (mname !== undefined && !HOST.test(mname)) throw new DnsSettingsError(`not a host name: ${c.soaMname}`);
    const rname = c.soaRname?.replace(/\.$/, '');
    if (rname !== undefined && !/^[^\s.]+(\.[^\s.]+)+$/.test(rname)) throw new DnsSettingsError(`SOA RNAME must be a mailbox as a domain name (hostmaster.nic.example): ${c.soaRname}`);
    await tx.query(sql`
      UPDATE dns_zones SET
        soa_mname = coalesce(${mname ?? null}, soa_mname), soa_rname = coalesce(${rname ?? null}, soa_rname),
        soa_refresh = coalesce(${int(c.refresh, 'refresh', 1)}::int, soa_refresh), soa_retry = coalesce(${int(c.retry, 'retry', 1)}::int, soa_retry),
        soa_expire = coalesce(${int(c.expire, 'expire', 1)}::int, soa_expire), soa_minimum = coalesce(${int(c.minimum, 'minimum')}::int, soa_minimum),
        soa_ttl = coalesce(${int(c.soaTtl, 'soa ttl')}::int, soa_ttl), ns_ttl = coalesce(${int(c.nsTtl, 'ns ttl')}::int, ns_ttl),
        ds_ttl = coalesce(${int(c.dsTtl, 'ds ttl')}::int, ds_ttl), glue_ttl = coalesce(${int(c.glueTtl, 'glue ttl')}::int, glue_ttl),
        dnssec = coalesce(${c.dnssec ?? null}::boolean, dnssec), nsec3 = coalesce(${c.nsec3 ?? null}::boolean, nsec3),
        nsec3_opt_out = coalesce(${c.nsec3OptOut ?? null}::boolean, nsec3_opt_out), publish = coalesce(${c.publish ?? null}::boolean, publish),
        updated_at = now()
      WHERE zone_id = ${z.id}`);
    return (await loadZoneSettings(tx, z.id))!;
  });
}
