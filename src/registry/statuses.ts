/** EPP status values (RFC 5731 §2.3, RFC 5732 §2.3, RFC 5733 §2.2) and the rules that derive ok/inactive/linked. */

export const DOMAIN_CLIENT_STATUSES = ['clientDeleteProhibited', 'clientHold', 'clientRenewProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'] as const;
export const DOMAIN_SERVER_STATUSES = ['serverDeleteProhibited', 'serverHold', 'serverRenewProhibited', 'serverTransferProhibited', 'serverUpdateProhibited'] as const;
export const HOST_CLIENT_STATUSES = ['clientDeleteProhibited', 'clientUpdateProhibited'] as const;
export const CONTACT_CLIENT_STATUSES = ['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited'] as const;

/** The statuses shown for a domain: stored ones, pendingTransfer, inactive without NS, ok when nothing else. */
export function domainStatuses(stored: readonly string[], opts: { hasNs: boolean; pendingTransfer: boolean }): string[] {
  const out = [...stored];
  if (opts.pendingTransfer) out.push('pendingTransfer');
  if (!opts.hasNs) out.push('inactive');
  // RFC 5731 §2.3: "ok" only when no other status is present.
  return out.length ? [...new Set(out)] : ['ok'];
}

/** Host and contact: "linked" while referenced; "ok" may appear only with "linked" (RFC 5732 §2.3). */
export function linkedStatuses(stored: readonly string[], opts: { linked: boolean; pendingTransfer?: boolean }): string[] {
  const out = stored.filter((s) => s !== 'ok');
  if (opts.pendingTransfer) out.push('pendingTransfer');
  const shown = out.length ? [...out] : ['ok'];
  if (opts.linked) shown.push('linked');
  return [...new Set(shown)];
}

export function hasAny(statuses: readonly string[], ...which: string[]): boolean {
  return which.some((s) => statuses.includes(s));
}

/**
 * Applies a client's add/rem of statuses (RFC 5731 §3.2.5): clients set only client* statuses;
 * adding one already present or removing one absent is a policy error. Returns the new set, or
 * the offending status and why.
 */
export function changeStatuses(current: readonly string[], add: readonly string[], rem: readonly string[], settable: readonly string[]):
  { statuses: string[] } | { bad: string; why: string } {
  for (const s of [...add, ...rem]) if (!settable.includes(s)) return { bad: s, why: `${s} cannot be set or removed by a registrar` };
  for (const s of rem) if (!current.includes(s)) return { bad: s, why: `${s} is not set` };
  for (const s of add) if (current.includes(s) && !rem.includes(s)) return { bad: s, why: `${s} is already set` };
  const out = current.filter((s) => !rem.includes(s));
  for (const s of add) if (!out.includes(s)) out.push(s);
  return { statuses: out };
}

/**
 * `clientUpdateProhibited`: "requests to update the object (other than to remove this status)
 * MUST be rejected" (RFC 5731 §2.3, RFC 5732 §2.3, RFC 5733 §2.2). An update that removes it
 * may change other statuses in the same command (e.g. set another lock) but no data.
 */
export function clientLockAllowsUpdate(current: readonly string[], rem: readonly string[], changesData: boolean): boolean {
  if (!current.includes('clientUpdateProhibited')) return true;
  return rem.includes('clientUpdateProhibited') && !changesData;
}
