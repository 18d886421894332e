/** Guards shared by the host flows (RFC 5732): names, addresses, internal vs external. */
import ipaddr from 'ipaddr.js';
import { sql, type Queryable } from '../../../db/pool.js';
import { findHost, type HostRow } from '../../../db/queries/hosts.js';
import type { HostAddr } from '../../../proto/index.js';
import { toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueSyntaxError,
  RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';

export const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.host, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

/** RFC 5732 §2.1: a host name follows RFC 1123 (LDH labels); it needs at least two labels (2005). */
export function validateHostName(input: string): string {
  const a = toALabel(input);
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
      // RFC 5732 §2.5: IPv4 in dotted-decimal, IPv6 in RFC 4291 text form (no zone index).
      if (a.version === 'v4' ? !ipaddr.IPv4.isValidFourPartDecimal(a.ip) : !ipaddr.IPv6.isValid(a.ip) || a.ip.includes('%')) throw new Error('bad');
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

export interface Superordinate { zone: Zone; name: string; domain?: { id: number; name: string; sponsorId: number; statuses: string[] } }

/**
 * The domain an internal host is under (RFC 5732 §1.1: a host in one of our zones), found or
 * not; undefined for an external host.
 */
export async function superordinateOf(db: Queryable, hostName: string, zones: Iterable<Zone>): Promise<Superordinate | undefined> {
  const zone = zoneOf(hostName, zones) as Zone | undefined;
  if (!zone) return undefined;
  // The superordinate is the registrable name: the label directly under the zone.
  const labels = hostName.slice(0, hostName.length - zone.name.length - 1).split('.');
  const domainName = `${labels[labels.length - 1]}.${zone.name}`;
  const [d] = await db.query(sql`SELECT id, name, sponsor_id, statuses FROM domains WHERE name = ${domainName}`);
  return { zone, name: domainName, ...(d ? { domain: { id: d.id, name: d.name, sponsorId: d.sponsor_id, statuses: d.statuses } } : {}) };
}

/**
 * An internal host may only be placed under an existing domain (2305, RFC 5732 §3.2.1) that the
 * client sponsors (2201, RST epp-23/25) and that is not being deleted (2304).
 */
export function verifySuperordinate(sup: Superordinate, registrarId: number, value: ReturnType<typeof el>): NonNullable<Superordinate['domain']> {
  if (!sup.domain) throw new AssociationProhibitsOperationError(`the superordinate domain ${sup.name} does not exist`, value);
  if (sup.domain.sponsorId !== registrarId) throw new AuthorizationError(`the superordinate domain ${sup.name} is sponsored by another registrar`, value);
  if (sup.domain.statuses.includes('pendingDelete')) throw new StatusProhibitsOperationError(`the superordinate domain ${sup.name} is being deleted`, value);
  return sup.domain;
}

/** RFC 5732 §1.1: addresses only for internal hosts (at least one, 2003), none for external ones (2306). */
export function verifyAddressesFit(internal: boolean, addrs: readonly string[]): void {
  if (internal && addrs.length === 0) throw new RequiredParameterMissingError('an internal host needs at least one address', el('addr'));
  if (!internal && addrs.length > 0) throw new ParameterValuePolicyError('an external host must not have addresses', el('addr', addrs[0], { ip: addrs[0]!.includes(':') ? 'v6' : 'v4' }));
}

export async function loadHost(db: Queryable, name: string, forUpdate = false): Promise<HostRow> {
  const h = await findHost(db, name, forUpdate);
  if (!h) throw new ObjectDoesNotExistError(`host ${name} does not exist`, el('name', name));
  return h;
}

export function verifySponsor(h: HostRow, registrarId: number): void {
  if (h.sponsorId !== registrarId) throw new AuthorizationError('host is sponsored by another registrar', el('name', h.name));
}
