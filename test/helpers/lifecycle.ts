/**
 * Builders for lifecycle and billing commands (fee, RGP restore, allocation token) and the
 * invariants every lifecycle test checks: each account's balance is the sum of its ledger, and
 * no domain exists without the charge for its creation.
 */
import { expect } from 'vitest';
import { commandXml } from '../../src/epp/client.js';
import { sql, type Queryable } from '../../src/db/pool.js';
import { NS } from '../../src/xml/namespaces.js';

const D = `xmlns:domain="${NS.domain}"`;

export const feeExt = (verb: 'create' | 'renew' | 'transfer' | 'update', fee: string, currency?: string) =>
  `<fee:${verb} xmlns:fee="${NS.fee}">${currency ? `<fee:currency>${currency}</fee:currency>` : ''}<fee:fee>${fee}</fee:fee></fee:${verb}>`;

export const feeCheckExt = (commands: { name: string; years?: number; phase?: string }[], currency?: string) =>
  `<fee:check xmlns:fee="${NS.fee}">${currency ? `<fee:currency>${currency}</fee:currency>` : ''}${commands.map((c) =>
    `<fee:command name="${c.name}"${c.phase ? ` phase="${c.phase}"` : ''}>${c.years ? `<fee:period unit="y">${c.years}</fee:period>` : ''}</fee:command>`).join('')}</fee:check>`;

export const tokenExt = (token: string) => `<allocationToken:allocationToken xmlns:allocationToken="${NS.allocationToken}">${token}</allocationToken:allocationToken>`;

export function createXml(name: string, o: { years?: number; registrant?: string; ext?: string } = {}): string {
  return commandXml('create', `<domain:create ${D}><domain:name>${name}</domain:name>${o.years ? `<domain:period unit="y">${o.years}</domain:period>` : ''}`
    + `<domain:registrant>${o.registrant ?? 'owner'}</domain:registrant><domain:authInfo><domain:pw>Auth-Info-123</domain:pw></domain:authInfo></domain:create>`, undefined, o.ext);
}

export function checkXml(names: string[], ext?: string): string {
  return commandXml('check', `<domain:check ${D}>${names.map((n) => `<domain:name>${n}</domain:name>`).join('')}</domain:check>`, undefined, ext);
}

export function renewXml(name: string, curExpDate: string, years = 1, ext?: string): string {
  return commandXml('renew', `<domain:renew ${D}><domain:name>${name}</domain:name><domain:curExpDate>${curExpDate}</domain:curExpDate><domain:period unit="y">${years}</domain:period></domain:renew>`, undefined, ext);
}

export function transferXml(op: string, name: string, pw?: string, ext?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${NS.epp}"><command><transfer op="${op}"><domain:transfer ${D}><domain:name>${name}</domain:name>`
    + `${pw ? `<domain:authInfo><domain:pw>${pw}</domain:pw></domain:authInfo>` : ''}</domain:transfer></transfer>${ext ? `<extension>${ext}</extension>` : ''}</command></epp>`;
}

export function restoreXml(name: string, op: 'request' | 'report', report?: { delTime: string; resTime: string; statements?: number }, fee?: string): string {
  const r = report ? `<rgp:report><rgp:preData>Pre-delete registration data</rgp:preData><rgp:postData>Post-restore registration data</rgp:postData>`
    + `<rgp:delTime>${report.delTime}</rgp:delTime><rgp:resTime>${report.resTime}</rgp:resTime><rgp:resReason>Registrant error.</rgp:resReason>`
    + ['This registrar has not restored the Registered Name in order to assume the rights to use or sell it for itself or for any third party.',
      'The information in this report is true to best of this registrar\'s knowledge.'].slice(0, report.statements ?? 2).map((s) => `<rgp:statement>${s}</rgp:statement>`).join('')
    + `</rgp:report>` : '';
  return commandXml('update', `<domain:update ${D}><domain:name>${name}</domain:name><domain:chg/></domain:update>`, undefined,
    `<rgp:update xmlns:rgp="${NS.rgp}"><rgp:restore op="${op}">${r}</rgp:restore></rgp:update>${fee ? feeExt('update', fee) : ''}`);
}

export function simpleDelete(name: string): string {
  return commandXml('delete', `<domain:delete ${D}><domain:name>${name}</domain:name></domain:delete>`);
}

/**
 * Every account's balance equals the sum of its entries and (for sequential commands, where it is
 * exact: see src/billing/ledger.ts) the running balance of its last entry.
 */
export async function ledgerProblems(db: Queryable, o: { runningBalance?: boolean } = {}): Promise<string[]> {
  const rows = await db.query(sql`
    SELECT a.registrar_id, a.currency, a.balance, coalesce(sum(l.amount), 0)::bigint AS total,
           (SELECT balance_after FROM ledger_entries x WHERE x.registrar_id = a.registrar_id AND x.currency = a.currency ORDER BY id DESC LIMIT 1) AS last
      FROM account_balances a LEFT JOIN ledger_entries l ON l.registrar_id = a.registrar_id AND l.currency = a.currency
     GROUP BY a.registrar_id, a.currency, a.balance`);
  const out: string[] = [];
  for (const r of rows) {
    if (Number(r.balance) !== Number(r.total)) out.push(`account ${r.registrar_id}/${r.currency}: balance ${r.balance} but entries sum to ${r.total}`);
    if ((o.runningBalance ?? true) && r.last !== null && Number(r.last) !== Number(r.balance)) out.push(`account ${r.registrar_id}/${r.currency}: balance ${r.balance} but last balance_after ${r.last}`);
  }
  // No domain without the (unrefunded) charge for its creation.
  const unpaid = await db.query(sql`
    SELECT d.name FROM domains d
     WHERE NOT EXISTS (SELECT 1 FROM ledger_entries c WHERE c.domain_roid = d.roid AND c.kind = 'charge' AND c.operation = 'create'
                          AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.refund_of = c.id))`);
  for (const u of unpaid) out.push(`domain ${u.name} exists without its create charge`);
  return out;
}

export async function expectLedgerConsistent(db: Queryable): Promise<void> {
  expect(await ledgerProblems(db)).toEqual([]);
}

export async function balanceOf(db: Queryable, clientId: string): Promise<number> {
  const [r] = await db.query(sql`SELECT a.balance FROM account_balances a JOIN registrars g ON g.id = a.registrar_id WHERE g.client_id = ${clientId} AND a.currency = 'USD'`);
  return Number(r.balance);
}

export const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}[^>]*>([^<]*)</${name}>`).exec(xml)?.[1];
