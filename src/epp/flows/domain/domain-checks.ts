/** Guards shared by the domain flows (RFC 5731, RFC 5910), each raising the RFC's result code. */
import type { Queryable } from '../../../db/pool.js';
import { findDomain, type DomainRow } from '../../../db/queries/domains.js';
import type { DsData, Period } from '../../../proto/index.js';
import { isRegistrable, toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone, ZoneCache } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueRangeError, ParameterValueSyntaxError,
} from '../../errors.js';

const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.domain, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });
const sel = (local: string, text?: string) => ({ ns: NS.secDNS, local, ...(text !== undefined ? { text } : {}) });

/** Syntax (2005), a zone we serve (2004), one label below the zone (2306). */
export async function validateDomainName(input: string, zones: ZoneCache): Promise<{ name: string; zone: Zone }> {
  const a = toALabel(input);
  if ('problem' in a) throw new ParameterValueSyntaxError(a.problem === 'length' ? 'a label or the name is too long' : 'invalid domain name', el('name', input));
  const zone = zoneOf(a.name, (await zones.all()).values()) as Zone | undefined;
  if (!zone) throw new ParameterValueRangeError('not in a zone served by this registry', el('name', input));
  if (!isRegistrable(a.name, zone)) throw new ParameterValuePolicyError(`names are registered directly under .${zone.name}`, el('name', input));
  return { name: a.name, zone };
}

export async function loadDomain(db: Queryable, name: string, forUpdate = false): Promise<DomainRow> {
  const d = await findDomain(db, name, forUpdate);
  if (!d) throw new ObjectDoesNotExistError(`domain ${name} does not exist`, el('name', name));
  return d;
}

export function verifySponsor(d: DomainRow, registrarId: number): void {
  if (d.sponsorId !== registrarId) throw new AuthorizationError('domain is sponsored by another registrar', el('name', d.name));
}

/** A non-sponsor who sends authInfo must send the right one (2202). */
export function verifyAuthInfo(d: DomainRow, pw: string | undefined): boolean {
  if (pw === undefined) return false;
  if (d.authPw === '' || pw !== d.authPw) throw new InvalidAuthInfoError('authInfo does not match', el('name', d.name));
  return true;
}

/** Period in years, within 1..10 (RFC 5731 §2.4 allows 1-99; policy narrows it) and the zone's bounds. */
export function validatePeriod(p: Period | undefined, zone: Zone, defaultYears = 1): number {
  if (!p) return defaultYears;
  const years = p.unit === 'y' ? p.value : p.value / 12;
  if (!Number.isInteger(years) || years < zone.policy.minPeriodYears || years > Math.min(10, zone.policy.maxPeriodYears)) {
    throw new ParameterValueRangeError(`period must be ${zone.policy.minPeriodYears}-${Math.min(10, zone.policy.maxPeriodYears)} years`, el('period', String(p.value), { unit: p.unit }));
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

// DNSSEC algorithm numbers assigned by IANA for signing, minus the deprecated ones (RST dnssec-91 refuses < 8).
const ALGORITHMS = new Set([8, 10, 13, 14, 15, 16]);
// Digest types and their hex lengths (RFC 4509 SHA-256, RFC 6605 SHA-384); SHA-1 (1) is refused (RST dnssec-92).
const DIGEST_HEX: Record<number, number> = { 2: 64, 4: 96 };
export const MAX_DS = 8;

export function validateDs(ds: DsData[]): DsData[] {
  for (const d of ds) {
    if (!ALGORITHMS.has(d.alg)) throw new ParameterValueRangeError(`DNSSEC algorithm ${d.alg} is not accepted`, sel('alg', String(d.alg)));
    const len = DIGEST_HEX[d.digestType];
    if (!len) throw new ParameterValueRangeError(`digest type ${d.digestType} is not accepted`, sel('digestType', String(d.digestType)));
    if (!/^[0-9A-F]+$/.test(d.digest) || d.digest.length !== len) throw new ParameterValueSyntaxError(`digest must be ${len} hex characters for type ${d.digestType}`, sel('digest', d.digest));
  }
  if (ds.length > MAX_DS) throw new ParameterValuePolicyError(`at most ${MAX_DS} DS records`, sel('dsData'));
  const key = (d: DsData) => `${d.keyTag}/${d.alg}/${d.digestType}/${d.digest}`;
  return [...new Map(ds.map((d) => [key(d), d])).values()];
}
