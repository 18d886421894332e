/**
 * Money movements. Each one changes an account's balance and appends its immutable ledger entry
 * in one statement, inside the caller's transaction: a charge commits exactly when the change it
 * pays for commits, and the sum of an account's entries always equals its balance.
 */
import { sql, type Queryable } from '../db/pool.js';
import { enqueuePoll } from '../db/queries/poll.js';
import { BillingFailureError } from '../epp/errors.js';
import { addDays } from '../util/time.js';
import { formatAmount } from './money.js';
import type { Operation, Quote } from './prices.js';

export interface Account { registrarId: number; currency: string; balance: number; creditLimit: number; lowBalanceThreshold?: number }

export interface LedgerEntry {
  id: number; registrarId: number; currency: string; at: Date; kind: 'charge' | 'refund' | 'topup' | 'adjustment';
  operation?: Operation; amount: number; balanceAfter: number; domainName?: string; domainRoid?: string; years?: number;
  feeClass?: string; refundOf?: number; svTrid?: string; description?: string;
}

export interface ChargeInput {
  registrarId: number;
  quote: Quote;
  zoneId: number;
  domain: { roid: string; name: string };
  now: Date;
  svTrid: string;
  /** Scheduled obligations (auto-renew) are billed even beyond the credit limit. */
  ignoreCreditLimit?: boolean;
  description?: string;
}

export interface Charged { entryId: number; balance: number; creditLimit: number; currency: string }

/**
 * Debits the registrar for a quote. Insufficient funds (balance would fall below -credit_limit)
 * or no account in the currency → 2104 Billing failure, and nothing is written.
 */
export function charge(db: Queryable, c: ChargeInput): Promise<Charged> {
  return chargeAndGrace(db, c, undefined);
}

export interface GraceStart { domainId: number; kind: 'addPeriod' | 'renewPeriod' | 'autoRenewPeriod' | 'transferPeriod'; days: number; years: number }

/**
 * A charge and the grace period during which it is refundable (RFC 3915 §1), in one statement:
 * the create and renew flows' last write, so the account row stays locked only until the commit.
 */
export function chargeWithGrace(db: Queryable, c: ChargeInput, g: GraceStart): Promise<Charged> {
  return chargeAndGrace(db, c, g.days > 0 ? g : undefined);
}

/** One statement: the account's balance, the ledger entry, and (optionally) the grace period row. */
async function chargeAndGrace(db: Queryable, c: ChargeInput, g: GraceStart | undefined): Promise<Charged> {
  const q = c.quote;
  const grace = g ? sql`,
    grace AS (
      INSERT INTO domain_grace_periods (domain_id, kind, starts_at, ends_at, registrar_id, charge_id, years)
      SELECT ${g.domainId}, ${g.kind}, ${c.now}, ${addDays(c.now, g.days)}, ${c.registrarId}, entry.id, ${g.years} FROM entry)` : sql``;
  const [r] = await db.query(sql`
    WITH acct AS (
      UPDATE accounts SET balance = balance - ${q.amount}
       WHERE registrar_id = ${c.registrarId} AND currency = ${q.currency}
         AND (${!!c.ignoreCreditLimit} OR balance - ${q.amount} >= -credit_limit)
      RETURNING balance, credit_limit, low_balance_threshold, low_balance_notified),
    entry AS (
      INSERT INTO ledger_entries (registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, sv_trid, description)
      SELECT ${c.registrarId}, ${q.currency}, ${c.now}, 'charge', ${q.operation}, ${-q.amount}, acct.balance, ${c.zoneId}, ${c.domain.roid}, ${c.domain.name},
             ${q.years || null}, ${q.feeClass}, ${c.svTrid}, ${c.description ?? null}
        FROM acct
      RETURNING id, balance_after)${grace}
    SELECT entry.id, entry.balance_after, acct.credit_limit, acct.low_balance_threshold AS threshold, acct.low_balance_notified AS notified
      FROM entry, acct`);
  if (!r) {
    const [acct] = await db.query(sql`SELECT balance, credit_limit FROM accounts WHERE registrar_id = ${c.registrarId} AND currency = ${q.currency}`);
    if (!acct) throw new BillingFailureError(`no ${q.currency} account for this registrar`);
    throw new BillingFailureError(`insufficient funds: ${formatAmount(q.amount, q.currency)} ${q.currency} needed, `
      + `${formatAmount(Number(acct.balance) + Number(acct.credit_limit), q.currency)} ${q.currency} available`);
  }
  const balance = Number(r.balance_after);
  if (r.threshold !== null && !r.notified && balance + Number(r.credit_limit) < Number(r.threshold)) {
    await notifyLowBalance(db, c.registrarId, q.currency, balance, Number(r.credit_limit), Number(r.threshold), c.now);
  }
  return { entryId: r.id, balance, creditLimit: Number(r.credit_limit), currency: q.currency };
}

/** Queues the low-balance poll message once; it re-arms when funds rise above the threshold. */
async function notifyLowBalance(db: Queryable, registrarId: number, currency: string, balance: number, creditLimit: number, threshold: number, now: Date): Promise<void> {
  const armed = await db.query(sql`UPDATE accounts SET low_balance_notified = true
                                    WHERE registrar_id = ${registrarId} AND currency = ${currency} AND NOT low_balance_notified RETURNING 1`);
  if (!armed.length) return;
  await enqueuePoll(db, registrarId, now,
    `Low balance: ${formatAmount(balance + creditLimit, currency)} ${currency} available (balance ${formatAmount(balance, currency)}, `
    + `credit limit ${formatAmount(creditLimit, currency)}, threshold ${formatAmount(threshold, currency)}).`);
}

export interface Refunded { entryId: number; amount: number; currency: string; balance: number; operation: Operation; years: number }

/**
 * Credits back a charge in full. A charge is refunded at most once (refund_of is unique), so a
 * rerun is a no-op that returns undefined.
 */
export async function refund(db: Queryable, chargeId: number, now: Date, svTrid: string, description: string): Promise<Refunded | undefined> {
  const rows = await db.query(sql`
    WITH c AS (
      SELECT * FROM ledger_entries
       WHERE id = ${chargeId} AND kind = 'charge' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.refund_of = ${chargeId})),
    acct AS (
      UPDATE accounts a SET balance = a.balance - c.amount FROM c
       WHERE a.registrar_id = c.registrar_id AND a.currency = c.currency
      RETURNING a.balance, a.low_balance_threshold, a.credit_limit)
    INSERT INTO ledger_entries (registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, refund_of, sv_trid, description)
    SELECT c.registrar_id, c.currency, ${now}, 'refund', c.operation, -c.amount, acct.balance, c.zone_id, c.domain_roid, c.domain_name, c.years, c.fee_class, c.id, ${svTrid}, ${description}
      FROM c, acct
    RETURNING id, amount, currency, balance_after, operation, years, registrar_id`);
  const r = rows[0];
  if (!r) return undefined;
  await rearmLowBalance(db, r.registrar_id, r.currency);
  return { entryId: r.id, amount: Number(r.amount), currency: r.currency, balance: Number(r.balance_after), operation: r.operation, years: r.years ?? 0 };
}

async function rearmLowBalance(db: Queryable, registrarId: number, currency: string): Promise<void> {
  await db.query(sql`UPDATE accounts SET low_balance_notified = false
                      WHERE registrar_id = ${registrarId} AND currency = ${currency} AND low_balance_notified
                        AND balance + credit_limit >= low_balance_threshold`);
}

/** A top-up (money received) or a staff adjustment (either sign), with its entry. */
export async function credit(db: Queryable, a: { registrarId: number; currency: string; amount: number; kind: 'topup' | 'adjustment'; now: Date; description?: string; svTrid?: string }): Promise<LedgerEntry> {
  if (!Number.isSafeInteger(a.amount) || (a.kind === 'topup' && a.amount <= 0) || a.amount === 0) throw new RangeError(`a ${a.kind} needs a non-zero amount${a.kind === 'topup' ? ' above zero' : ''}`);
  const rows = await db.query(sql`
    WITH acct AS (
      INSERT INTO accounts (registrar_id, currency, balance) VALUES (${a.registrarId}, ${a.currency}, ${a.amount})
      ON CONFLICT (registrar_id, currency) DO UPDATE SET balance = accounts.balance + excluded.balance
      RETURNING balance)
    INSERT INTO ledger_entries (registrar_id, currency, at, kind, amount, balance_after, sv_trid, description)
    SELECT ${a.registrarId}, ${a.currency}, ${a.now}, ${a.kind}, ${a.amount}, acct.balance, ${a.svTrid ?? null}, ${a.description ?? null} FROM acct
    RETURNING *`);
  await rearmLowBalance(db, a.registrarId, a.currency);
  return toEntry(rows[0]);
}

export async function ensureAccount(db: Queryable, registrarId: number, currency: string): Promise<void> {
  await db.query(sql`INSERT INTO accounts (registrar_id, currency) VALUES (${registrarId}, ${currency}) ON CONFLICT DO NOTHING`);
}

export async function accountOf(db: Queryable, registrarId: number, currency: string): Promise<Account | undefined> {
  const [r] = await db.query(sql`SELECT * FROM accounts WHERE registrar_id = ${registrarId} AND currency = ${currency}`);
  return r ? toAccount(r) : undefined;
}

export async function accountsOf(db: Queryable, registrarId: number): Promise<Account[]> {
  const rows = await db.query(sql`SELECT * FROM accounts WHERE registrar_id = ${registrarId} ORDER BY currency`);
  return rows.map(toAccount);
}

export async function setAccountLimits(db: Queryable, registrarId: number, currency: string, limits: { creditLimit?: number; lowBalanceThreshold?: number | null }): Promise<Account> {
  await ensureAccount(db, registrarId, currency);
  const [r] = await db.query(sql`
    UPDATE accounts SET credit_limit = coalesce(${limits.creditLimit ?? null}::bigint, credit_limit),
           low_balance_threshold = CASE WHEN ${limits.lowBalanceThreshold !== undefined} THEN ${limits.lowBalanceThreshold ?? null}::bigint ELSE low_balance_threshold END,
           low_balance_notified = false
     WHERE registrar_id = ${registrarId} AND currency = ${currency} RETURNING *`);
  return toAccount(r);
}

export async function ledgerEntries(db: Queryable, registrarId: number, opts: { currency?: string; from?: Date; to?: Date; limit?: number } = {}): Promise<LedgerEntry[]> {
  const rows = await db.query(sql`
    SELECT * FROM ledger_entries
     WHERE registrar_id = ${registrarId}
       AND (${opts.currency ?? null}::text IS NULL OR currency = ${opts.currency ?? null})
       AND (${opts.from ?? null}::timestamptz IS NULL OR at >= ${opts.from ?? null})
       AND (${opts.to ?? null}::timestamptz IS NULL OR at < ${opts.to ?? null})
     ORDER BY id
     LIMIT ${opts.limit ?? 1_000_000}`);
  return rows.map(toEntry);
}

export async function ledgerEntry(db: Queryable, id: number): Promise<LedgerEntry | undefined> {
  const [r] = await db.query(sql`SELECT * FROM ledger_entries WHERE id = ${id}`);
  return r ? toEntry(r) : undefined;
}

function toAccount(r: { registrar_id: number; currency: string; balance: number; credit_limit: number; low_balance_threshold: number | null }): Account {
  return {
    registrarId: r.registrar_id, currency: r.currency, balance: Number(r.balance), creditLimit: Number(r.credit_limit),
    ...(r.low_balance_threshold !== null ? { lowBalanceThreshold: Number(r.low_balance_threshold) } : {}),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function toEntry(r: any): LedgerEntry {
  return {
    id: r.id, registrarId: r.registrar_id, currency: r.currency, at: r.at, kind: r.kind, amount: Number(r.amount), balanceAfter: Number(r.balance_after),
    ...(r.operation ? { operation: r.operation } : {}), ...(r.domain_name ? { domainName: r.domain_name } : {}), ...(r.domain_roid ? { domainRoid: r.domain_roid } : {}),
    ...(r.years ? { years: r.years } : {}), ...(r.fee_class ? { feeClass: r.fee_class } : {}), ...(r.refund_of ? { refundOf: r.refund_of } : {}),
    ...(r.sv_trid ? { svTrid: r.sv_trid } : {}), ...(r.description ? { description: r.description } : {}),
  };
}
