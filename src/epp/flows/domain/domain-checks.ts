/** Guards shared by the domain flows (RFC 5731, RFC 5910), each raising the RFC's result code. */
import type { Queryable } from '../../../db/pool.js';
import { findDomain, type DomainRow } from '../../../db/queries/domains.js';
import type { DsData, Period, SecDnsCreate } from '../../../proto/index.js';
import { isRegistrable, toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone, ZoneCache } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueRangeError, ParameterValueSyntaxError,
  UnimplementedOptionError,
} from '../../errors.js';

/** The offending element of a domain command, for `<extValue>` (RFC 5730 §3). */
export const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.domain, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });
const sel = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.secDNS, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

/**
 * A name to register: syntax (2005), a zone we serve (2004), one label below the zone (2306).
 * `db` is the command's transaction (the zone cache reloads through it when it must).
 */
export async function validateDomainName(input: string, zones: ZoneCache, db: Queryable): Promise<{ name: string; zone: Zone }> {
  const name = normaliseDomainName(input);
  const zone = zoneOf(name, (await zones.all(db)).values()) as Zone | undefined;
  if (!zone) throw new ParameterValueRangeError('not in a zone served by this registry', el('name', input));
  if (!isRegistrable(name, zone)) throw new ParameterValuePolicyError(`names are registered directly under .${zone.name}`, el('name', input));
  return { name, zone };
}

/**
 * The name of an existing domain (info, update, renew, delete, transfer): only its syntax is
 * checked (2005); a name outside our zones simply does not exist (2303 when it is looked up).
 */
export function normaliseDomainName(input: string): string {
  const a = toALabel(input);
  if ('problem' in a) throw new ParameterValueSyntaxError(a.problem === 'length' ? 'a label or the name is too long' : 'invalid domain name', el('name', input));
  return a.name;
}

/** Host names in <domain:ns> (RFC 5731 §1.1): host objects only; each one's syntax (2005). */
export function validateNameServers(names: readonly string[], hostAttr: boolean | undefined): string[] {
  if (hostAttr) throw new ParameterValuePolicyError('this registry uses host objects (hostObj), not hostAttr', el('ns'));
  return [...new Set(names.map((n) => {
    const a = toALabel(n);
    if ('problem' in a || !a.name.includes('.')) throw new ParameterValueSyntaxError('invalid host name', el('hostObj', n));
    return a.name;
  }))];
}

export function verifyNameServerCount(count: number, zone: Zone): void {
  if (count < zone.policy.minNs || count > zone.policy.maxNs) {
    throw new ParameterValuePolicyError(`.${zone.name} needs ${zone.policy.minNs}-${zone.policy.maxNs} name servers`, el('ns'));
  }
}

export async function loadDomain(db: Queryable, name: string, forUpdate = false): Promise<DomainRow> {
  const d = await findDomain(db, name, forUpdate);
  if (!d) throw new ObjectDoesNotExistError(`domain ${name} does not exist`, el('name', name));
  return d;
}

/** The zone of an existing domain (the cache may briefly lag a zone's creation: then 2303). */
export async function zoneOfDomain(d: DomainRow, zones: ZoneCache, db: Queryable): Promise<Zone> {
  for (const z of (await zones.all(db)).values()) if (z.id === d.zoneId) return z;
  throw new ObjectDoesNotExistError(`domain ${d.name} does not exist`, el('name', d.name));
}

export function verifySponsor(d: DomainRow, registrarId: number): void {
  if (d.sponsorId !== registrarId) throw new AuthorizationError('domain is sponsored by another registrar', el('name', d.name));
}

/**
 * authInfo sent by a client that does not sponsor the domain must match (2202); an unset
 * authInfo (empty, RFC 9154 §4) matches nothing. Returns whether authInfo was presented.
 */
export function verifyAuthInfo(d: DomainRow, pw: string | undefined): boolean {
  if (pw === undefined) return false;
  if (d.authPw === '' || pw !== d.authPw) throw new InvalidAuthInfoError('authInfo does not match', el('pw'));
  return true;
}

/** Period in years, within 1..10 (RFC 5731 §2.4 allows 1-99; policy narrows it) and the zone's bounds. */
export function validatePeriod(p: Period | undefined, zone: Zone, defaultYears = 1): number {
  if (!p) return defaultYears;
  const years = p.unit === 'y' ? p.value : p.value / 12;
  const max = Math.min(10, zone.policy.maxPeriodYears);
  if (!Number.isInteger(years) || years < zone.policy.minPeriodYears || years > max) {
    throw new ParameterValueRangeError(`period must be ${zone.policy.minPeriodYears}-${max} years (whole years when given in months)`, el('period', String(p.value), { unit: p.unit }));
  }
  return years;
}

export function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  // 29 February plus a year lands on 1 March in JS; keep the last day of February instead.
  if (out.getUTCDate() !== d.getUTCDate()) out.setUTCDate(0);
  return out;
}

/** ICANN RST epp-18/19: no registration may end more than ten years from now (2306). */
export function verifyTenYearCap(expires: Date, now: Date, p: Period | undefined): void {
  if (expires > addYears(now, 10)) {
    throw new ParameterValuePolicyError('the expiry would be more than 10 years ahead', el('period', String(p?.value ?? 1), { unit: p?.unit ?? 'y' }));
  }
}

// DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers"): the assigned ones, and the
// ones this registry accepts for delegation signing (RST dnssec-91 refuses anything below 8; 12,
// GOST R 34.10-2001, is deprecated by RFC 8624 §3.1).
const ASSIGNED_ALGORITHMS = new Set([1, 2, 3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 17, 23, 252, 253, 254]);
const ACCEPTED_ALGORITHMS = new Set([8, 10, 13, 14, 15, 16]);
// Digest types (IANA "DS RR Type Digest Algorithms") and the hex length of each accepted one:
// SHA-256 (RFC 4509) and SHA-384 (RFC 6605). SHA-1 (1) and GOST (3) are refused (RST dnssec-92).
const ASSIGNED_DIGESTS = new Set([1, 2, 3, 4, 5, 6]);
const DIGEST_HEX: Record<number, number> = { 2: 64, 4: 96 };
export const MAX_DS = 8;

/**
 * dsData (RFC 5910 §4.1): an unassigned algorithm or digest type is out of range (2004), an
 * assigned one we do not accept is against policy (2306), a digest of the wrong length for its
 * type is malformed (2005). Duplicates collapse to one record.
 */
export function validateDs(ds: DsData[], where: 'create' | 'add' = 'create'): DsData[] {
  for (const d of ds) {
    if (!ACCEPTED_ALGORITHMS.has(d.alg)) {
      const Err = ASSIGNED_ALGORITHMS.has(d.alg) ? ParameterValuePolicyError : ParameterValueRangeError;
      throw new Err(`DNSSEC algorithm ${d.alg} is not accepted (accepted: ${[...ACCEPTED_ALGORITHMS].join(', ')})`, sel('alg', String(d.alg)));
    }
    const len = DIGEST_HEX[d.digestType];
    if (!len) {
      const Err = ASSIGNED_DIGESTS.has(d.digestType) ? ParameterValuePolicyError : ParameterValueRangeError;
      throw new Err(`digest type ${d.digestType} is not accepted (accepted: 2, 4)`, sel('digestType', String(d.digestType)));
    }
    if (!/^[0-9A-F]+$/.test(d.digest) || d.digest.length !== len) throw new ParameterValueSyntaxError(`digest must be ${len} hex characters for type ${d.digestType}`, sel('digest', d.digest));
  }
  const unique = [...new Map(ds.map((d) => [dsKey(d), d])).values()];
  if (unique.length > MAX_DS) throw new ParameterValuePolicyError(`at most ${MAX_DS} DS records`, sel(where));
  return unique;
}

export const dsKey = (d: DsData) => `${d.keyTag}/${d.alg}/${d.digestType}/${d.digest}`;

/** The secDNS parts this registry does not offer: keyData (2306) and maxSigLife (RFC 5910 §3.3: 2102). */
export function verifySecDnsOptions(s: { keyData?: boolean; maxSigLife?: number }): void {
  if (s.keyData) throw new ParameterValuePolicyError('this registry accepts the dsData interface only', sel('keyData'));
  if (s.maxSigLife !== undefined) throw new UnimplementedOptionError('maxSigLife is not supported', sel('maxSigLife', String(s.maxSigLife)));
}

export function validateSecDnsCreate(s: SecDnsCreate | undefined): DsData[] {
  if (!s) return [];
  verifySecDnsOptions(s);
  return validateDs(s.ds ?? []);
}
