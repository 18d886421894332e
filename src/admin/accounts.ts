/** Registry-staff operations on registrar accounts: top-ups, adjustments, limits, the ledger, receipts and statements. */
import { sql, type Queryable } from '../db/pool.js';
import { accountsOf, credit, ledgerEntries, ledgerEntry, setAccountLimits, type Account, type LedgerEntry } from '../billing/ledger.js';
import { parseAmount } from '../billing/money.js';
import { receiptPdf, statementPdf, type Issuer } from '../billing/documents.js';
import { AdminError } from './registrars.js';

async function registrarOf(db: Queryable, clientId: string): Promise<{ id: number; clientId: string; name: string }> {
  const [r] = await db.query(sql`SELECT id, client_id, name FROM registrars WHERE client_id = ${clientId}`);
  if (!r) throw new AdminError(`no registrar with client id ${clientId}`);
  return { id: r.id, clientId: r.client_id, name: r.name };
}

/** The currency to use: the one given, or the registrar's only account's. */
async function currencyFor(db: Queryable, registrarId: number, clientId: string, given?: string): Promise<string> {
  if (given) {
    if (!/^[A-Z]{3}$/.test(given)) throw new AdminError('currency must be an ISO 4217 code such as USD');
    return given;
  }
  const accts = await accountsOf(db, registrarId);
  if (accts.length === 1) return accts[0]!.currency;
  throw new AdminError(accts.length ? `${clientId} has accounts in ${accts.map((a) => a.currency).join(', ')}: give --currency` : `${clientId} has no account yet: give --currency`);
}

function amount(text: string, currency: string, allowNegative: boolean): number {
  const v = parseAmount(text, currency);
  if (v === undefined || (!allowNegative && v <= 0) || v === 0) throw new AdminError(`not a${allowNegative ? ' non-zero' : ' positive'} amount in ${currency}: ${text}`);
  return v;
}

export async function topUp(db: Queryable, clientId: string, value: string, o: { currency?: string; note?: string; now?: Date } = {}): Promise<LedgerEntry> {
  const r = await registrarOf(db, clientId);
  const currency = await currencyFor(db, r.id, clientId, o.currency);
  return credit(db, { registrarId: r.id, currency, amount: amount(value, currency, false), kind: 'topup', now: o.now ?? new Date(), ...(o.note ? { description: o.note } : {}) });
}

export async function adjust(db: Queryable, clientId: string, value: string, note: string, o: { currency?: string; now?: Date } = {}): Promise<LedgerEntry> {
  if (!note.trim()) throw new AdminError('an adjustment needs a note saying why');
  const r = await registrarOf(db, clientId);
  const currency = await currencyFor(db, r.id, clientId, o.currency);
  return credit(db, { registrarId: r.id, currency, amount: amount(value, currency, true), kind: 'adjustment', now: o.now ?? new Date(), description: note });
}

export async function setLimits(db: Queryable, clientId: string, o: { currency?: string; creditLimit?: string; lowBalance?: string | null }): Promise<Account> {
  const r = await registrarOf(db, clientId);
  const currency = await currencyFor(db, r.id, clientId, o.currency);
  const parse = (t: string, what: string) => {
    const v = parseAmount(t, currency);
    if (v === undefined || v < 0) throw new AdminError(`${what}: not an amount >= 0 in ${currency}: ${t}`);
    return v;
  };
  return setAccountLimits(db, r.id, currency, {
    ...(o.creditLimit !== undefined ? { creditLimit: parse(o.creditLimit, 'credit limit') } : {}),
    ...(o.lowBalance !== undefined ? { lowBalanceThreshold: o.lowBalance === null ? null : parse(o.lowBalance, 'low-balance threshold') } : {}),
  });
}

export async function accounts(db: Queryable, clientId: string): Promise<Account[]> {
  return accountsOf(db, (await registrarOf(db, clientId)).id);
}

export async function ledger(db: Queryable, clientId: string, o: { currency?: string; from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerEntry[]> {
  return ledgerEntries(db, (await registrarOf(db, clientId)).id, o);
}

export async function receipt(db: Queryable, issuer: Issuer, entryId: number): Promise<Buffer> {
  const e = await ledgerEntry(db, entryId);
  if (!e) throw new AdminError(`no ledger entry ${entryId}`);
  if (e.kind !== 'topup') throw new AdminError(`ledger entry ${entryId} is a ${e.kind}: receipts are for top-ups`);
  const [r] = await db.query(sql`SELECT client_id, name FROM registrars WHERE id = ${e.registrarId}`);
  return receiptPdf(issuer, { clientId: r.client_id, name: r.name }, e);
}

/** A month as "YYYY-MM" → its first instant and the next month's, in UTC. */
export function monthBounds(month: string): { from: Date; to: Date } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) throw new AdminError(`month must be YYYY-MM, got ${month}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { from: new Date(Date.UTC(y, mo, 1)), to: new Date(Date.UTC(y, mo + 1, 1)) };
}

export async function statement(db: Queryable, issuer: Issuer, clientId: string, month: string, o: { currency?: string; now?: Date } = {}): Promise<{ pdf: Buffer; entries: number; opening: number; closing: number }> {
  const r = await registrarOf(db, clientId);
  const currency = await currencyFor(db, r.id, clientId, o.currency);
  const { from, to } = monthBounds(month);
  // Balances from the entries themselves (the ledger is the truth): the opening balance is the sum
  // of everything before the month, and each line's balance the running sum from there.
  const [before] = await db.query(sql`SELECT coalesce(sum(amount), 0)::bigint AS b FROM ledger_entries WHERE registrar_id = ${r.id} AND currency = ${currency} AND at < ${from}`);
  const opening = Number(before.b);
  let running = opening;
  const entries = (await ledgerEntries(db, r.id, { currency, from, to })).map((e) => ({ ...e, balanceAfter: (running += e.amount) }));
  const pdf = await statementPdf(issuer, { clientId: r.clientId, name: r.name }, { month, currency, opening, entries, created: o.now ?? new Date() });
  return { pdf, entries: entries.length, opening, closing: running };
}
