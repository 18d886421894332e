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
