/** EPP status values as RDAP shows them (RFC 8056 §2) and as WHOIS shows them (RA Specification 4 §1.4, status links). */

/** The two EPP values whose RDAP names are not their words (RFC 8056 §2). */
const RENAMED: Readonly<Record<string, string>> = { ok: 'active', linked: 'associated' };

/**
 * One EPP status → its RDAP value: every other status is its camelCase words in lower case
 * (clientTransferProhibited → "client transfer prohibited", redemptionPeriod → "redemption
 * period"), so statuses added later (RGP, RFC 3915) map without a table.
 */
export function rdapStatus(epp: string): string {
  return RENAMED[epp] ?? epp.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function rdapStatuses(epp: readonly string[]): string[] {
  return [...new Set(epp.map(rdapStatus))];
}

/** "clientHold https://icann.org/epp#clientHold" (Spec 4 §1.4; the URL is ICANN's page on EPP status codes). */
export function whoisStatus(epp: string): string {
  return `${epp} https://icann.org/epp#${epp}`;
}
