/** Guards shared by the host flows (RFC 5732): names, addresses, internal vs external. */
import ipaddr from 'ipaddr.js';
import { sql, type Queryable } from '../../../db/pool.js';
import { findHost, type HostRow } from '../../../db/queries/hosts.js';
import type { HostAddr } from '../../../proto/index.js';
import { toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import { AuthorizationError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueSyntaxError } from '../../errors.js';

const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.host, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

export function validateHostName(input: string): string {
  const a = toALabel(input);
  // A host name needs at least two labels.
  if ('problem' in a || !a.name.includes('.')) throw new ParameterValueSyntaxError('invalid host name', el('name', input));
  return a.name;
}

/**
 * Addresses: syntax matching the declared version (2005), canonical form, and — where the zone
 * policy says so — no private, loopback, link-local or otherwise reserved ranges (2306).
 */
export function validateAddrs(addrs: HostAddr[], rejectPrivate: boolean): string[] {
  const out: string[] = [];
  for (const a of addrs) {
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      if (a.version === 'v4' ? !ipaddr.IPv4.isValidFourPartDecimal(a.ip) : !ipaddr.IPv6.isValid(a.ip)) throw new Error('bad');
      parsed = ipaddr.parse(a.ip);
    } catch {
      throw new ParameterValueSyntaxError(`not an IP${a.version} address`, el('addr', a.ip, { ip: a.version }));
    }
    if (rejectPrivate && parsed.range() !== 'unicast') {
      throw new ParameterValuePolicyError(`${parsed.range()} addresses are not allowed`, el('addr', a.ip, { ip: a.version }));
    }
    out.push(parsed.toString());
  }
  return [...new Set(out)];
}

/** The domain in one of our zones that an internal host is under, or undefined for an external host. */
export async function superordinateOf(db: Queryable, hostName: string, zones: Iterable<Zone>): Promise<{ zone: Zone; domain?: { id: number; name: string; sponsorId: number } } | undefined> {
  const zone = zoneOf(hostName, zones) as Zone | undefined;
  if (!zone) return undefined;
  // The superordinate is the registrable name: the label directly under the zone.
  const labels = hostName.slice(0, hostName.length - zone.name.length - 1).split('.');
  const domainName = `${labels[labels.length - 1]}.${zone.name}`;
  const [d] = await db.query(sql`SELECT id, name, sponsor_id FROM domains WHERE name = ${domainName}`);
  return { zone, ...(d ? { domain: { id: d.id, name: d.name, sponsorId: d.sponsor_id } } : {}) };
}

export async function loadHost(db: Queryable, name: string, forUpdate = false): Promise<HostRow> {
  const h = await findHost(db, name, forUpdate);
  if (!h) throw new ObjectDoesNotExistError(`host ${name} does not exist`, el('name', name));
  return h;
}

export function verifySponsor(h: HostRow, registrarId: number): void {
  if (h.sponsorId !== registrarId) throw new AuthorizationError('host is sponsored by another registrar', el('name', h.name));
}
