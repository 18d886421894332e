/**
 * Money movements. Each one changes an account's balance and appends its immutable ledger entry,
 * inside the caller's transaction: a charge commits exactly when the change it pays for commits,
 * and the sum of an account's entries always equals its balance.
 *
 * A balance is spread over 16 shard rows (migration 0011) so that one registrar's concurrent
 * commands do not queue on one row lock until COMMIT: a charge takes one shard that holds enough
 * and that no other transaction holds (FOR UPDATE SKIP LOCKED); when there is none it locks every
 * shard (in shard order), checks the total against the credit limit and spreads the rest evenly.
 * Top-ups, adjustments and limit changes spread too, which keeps the fast path from ever taking a
 * registrar past its limit (see the migration). `balance_after` is the total as the transaction
 * saw it: exact unless charges of the same registrar commit at the same moment.
 */
import { sql, type Queryable } from '../db/pool.js';
import type { SQLQuery } from '@databases/pg';
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

const SHARDS = 16;

/**
 * Locks every shard of an account; undefined if there is no account. Lockers of one account take
 * turns on a transaction advisory lock first: many of them queueing on the rows themselves
 * deadlock (a waiter re-reads a row another has since updated, and the lock order breaks).
 */
export async function lockShards(db: Queryable, registrarId: number, currency: string): Promise<number | undefined> {
  // Two statements: within one, the planner may lock a shard row before it takes the turn.
  await db.query(sql`SELECT pg_advisory_xact_lock(${registrarId}, hashtext(${currency}))`);
  const rows = await db.query(sql`SELECT balance FROM account_shards WHERE registrar_id = ${registrarId} AND currency = ${currency} ORDER BY shard FOR UPDATE`);
  if (!rows.length) return undefined;
  return rows.reduce((t: number, r: { balance: number }) => t + Number(r.balance), 0);
}

/** Sets the (locked) shards to an even split of `total`. */
export async function spread(db: Queryable, registrarId: number, currency: string, total: number): Promise<void> {
  const base = Math.floor(total / SHARDS);
  const rest = total - base * SHARDS;
  await db.query(sql`UPDATE account_shards SET balance = ${base} + CASE WHEN shard < ${rest} THEN 1 ELSE 0 END
                      WHERE registrar_id = ${registrarId} AND currency = ${currency}`);
}

/** The account's total, as this transaction sees it. */
async function totalOf(db: Queryable, registrarId: number, currency: string): Promise<number> {
  const [r] = await db.query(sql`SELECT coalesce(sum(balance), 0)::bigint AS b FROM account_shards WHERE registrar_id = ${registrarId} AND currency = ${currency}`);
  return Number(r.b);
}

/** Adds to the account's lowest shard that nobody holds (or waits for that shard when all are held); returns the total after. */
async function addToShard(db: Queryable, registrarId: number, currency: string, amount: number): Promise<number> {
  let [r] = await db.query(sql`
    WITH s AS (SELECT shard FROM account_shards WHERE registrar_id = ${registrarId} AND currency = ${currency} ORDER BY balance, shard LIMIT 1 FOR UPDATE SKIP LOCKED),
    upd AS (UPDATE account_shards a SET balance = a.balance + ${amount} FROM s WHERE a.registrar_id = ${registrarId} AND a.currency = ${currency} AND a.shard = s.shard RETURNING 1)
    SELECT (SELECT coalesce(sum(balance), 0) FROM account_shards WHERE registrar_id = ${registrarId} AND currency = ${currency}) + ${amount} AS total FROM upd`);
  if (!r) {
    await db.query(sql`UPDATE account_shards SET balance = balance + ${amount} WHERE registrar_id = ${registrarId} AND currency = ${currency} AND shard = 0`);
    r = { total: await totalOf(db, registrarId, currency) };
  }
  return Number(r.total);
}

/** One statement on the fast path: a shard, the ledger entry, and (optionally) the grace period row. */
async function chargeAndGrace(db: Queryable, c: ChargeInput, g: GraceStart | undefined): Promise<Charged> {
  const q = c.quote;
  const grace = (entry: SQLQuery) => g ? sql`,
    grace AS (
      INSERT INTO domain_grace_periods (domain_id, kind, starts_at, ends_at, registrar_id, charge_id, years)
      SELECT ${g.domainId}, ${g.kind}, ${c.now}, ${addDays(c.now, g.days)}, ${c.registrarId}, e.id, ${g.years} FROM ${entry} e)` : sql``;
  const entryCols = sql`registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, sv_trid, description`;
  const entryVals = (balance: SQLQuery) => sql`${c.registrarId}, ${q.currency}, ${c.now}, 'charge', ${q.operation}, ${-q.amount}, ${balance}, ${c.zoneId}, ${c.domain.roid}, ${c.domain.name},
             ${q.years || null}, ${q.feeClass}, ${c.svTrid}, ${c.description ?? null}`;
  const total = sql`(SELECT coalesce(sum(balance), 0) FROM account_shards WHERE registrar_id = ${c.registrarId} AND currency = ${q.currency})`;
  // Fast path (migration 0012): a free operation touches no shard; a paid one takes one shard that holds enough.
  const [fast] = await db.query(sql`
    SELECT entry_id AS id, balance_after, credit_limit, threshold, notified FROM ledger_charge_fast(
      ${c.registrarId}, ${q.currency}, ${q.amount}, ${c.now}, ${q.operation}, ${c.zoneId}, ${c.domain.roid}, ${c.domain.name},
      ${q.years || null}, ${q.feeClass}, ${c.svTrid}, ${c.description ?? null},
      ${g?.domainId ?? null}, ${g?.kind ?? null}, ${g ? addDays(c.now, g.days) : null}, ${g?.years ?? null})`);
  let r = fast as { id: number; balance_after: number; credit_limit: number; threshold: number | null; notified: boolean } | undefined;
  if (!r) {
    // Slow path: no free shard holds enough. One slow path per account at a time (the advisory
    // turn); it takes every shard nobody holds and never waits for a row, so it cannot deadlock
    // with a transaction that holds a shard and queues for the turn. A shard someone else holds
    // counts at no more than min(balance, 0): its holder can only leave it there or higher.
    await db.query(sql`SELECT pg_advisory_xact_lock(${c.registrarId}, hashtext(${q.currency}))`);
    const mine: { shard: number; balance: number }[] = await db.query(sql`
      SELECT shard, balance FROM account_shards WHERE registrar_id = ${c.registrarId} AND currency = ${q.currency} ORDER BY shard FOR UPDATE SKIP LOCKED`);
    const [acct] = await db.query(sql`
      SELECT a.credit_limit, a.low_balance_threshold, a.low_balance_notified,
             (SELECT coalesce(sum(least(s.balance, 0)), 0) FROM account_shards s
               WHERE s.registrar_id = a.registrar_id AND s.currency = a.currency AND s.shard <> ALL(${mine.map((m) => m.shard)}::smallint[])) AS held
        FROM accounts a WHERE a.registrar_id = ${c.registrarId} AND a.currency = ${q.currency}`);
    if (!acct) throw new BillingFailureError(`no ${q.currency} account for this registrar`);
    const free = mine.reduce((t, m) => t + Number(m.balance), 0);
    const available = free + Number(acct.held) + Number(acct.credit_limit);
    if (!mine.length || (!c.ignoreCreditLimit && available - q.amount < 0)) {
      throw new BillingFailureError(mine.length
        ? `insufficient funds: ${formatAmount(q.amount, q.currency)} ${q.currency} needed, ${formatAmount(available, q.currency)} ${q.currency} available`
        : 'insufficient funds right now: the account is in use by concurrent commands; try again');
    }
    // What is left of the shards taken, spread evenly over them.
    const left = free - q.amount;
    const base = Math.floor(left / mine.length);
    const rest = left - base * mine.length;
    await db.query(sql`
      UPDATE account_shards s SET balance = ${base} + CASE WHEN k.i <= ${rest} THEN 1 ELSE 0 END
        FROM unnest(${mine.map((m) => m.shard)}::smallint[]) WITH ORDINALITY AS k(shard, i)
       WHERE s.registrar_id = ${c.registrarId} AND s.currency = ${q.currency} AND s.shard = k.shard`);
    const [e] = await db.query(sql`
      WITH entry AS (INSERT INTO ledger_entries (${entryCols}) VALUES (${entryVals(total)}) RETURNING id, balance_after)${grace(sql`entry`)}
      SELECT id, balance_after FROM entry`);
    r = { id: e.id, balance_after: e.balance_after, credit_limit: acct.credit_limit, threshold: acct.low_balance_threshold, notified: acct.low_balance_notified };
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
  const [c] = await db.query(sql`
    SELECT * FROM ledger_entries
     WHERE id = ${chargeId} AND kind = 'charge' AND NOT EXISTS (SELECT 1 FROM ledger_entries r WHERE r.refund_of = ${chargeId})`);
  if (!c) return undefined;
  const amount = -Number(c.amount);
  const total = amount ? await addToShard(db, c.registrar_id, c.currency, amount) : await totalOf(db, c.registrar_id, c.currency);
  const [r] = await db.query(sql`
    INSERT INTO ledger_entries (registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, refund_of, sv_trid, description)
    VALUES (${c.registrar_id}, ${c.currency}, ${now}, 'refund', ${c.operation}, ${amount}, ${total}, ${c.zone_id}, ${c.domain_roid}, ${c.domain_name}, ${c.years}, ${c.fee_class}, ${c.id}, ${svTrid}, ${description})
    RETURNING id`);
  if (amount) await rearmLowBalance(db, c.registrar_id, c.currency);
  return { entryId: r.id, amount, currency: c.currency, balance: total, operation: c.operation, years: c.years ?? 0 };
}

async function rearmLowBalance(db: Queryable, registrarId: number, currency: string): Promise<void> {
  await db.query(sql`UPDATE accounts a SET low_balance_notified = false
                      WHERE a.registrar_id = ${registrarId} AND a.currency = ${currency} AND a.low_balance_notified
                        AND (SELECT coalesce(sum(s.balance), 0) FROM account_shards s WHERE s.registrar_id = a.registrar_id AND s.currency = a.currency)
                            + a.credit_limit >= a.low_balance_threshold`);
}

/** A top-up (money received) or a staff adjustment (either sign), with its entry. */
export async function credit(db: Queryable, a: { registrarId: number; currency: string; amount: number; kind: 'topup' | 'adjustment'; now: Date; description?: string; svTrid?: string }): Promise<LedgerEntry> {
  if (!Number.isSafeInteger(a.amount) || (a.kind === 'topup' && a.amount <= 0) || a.amount === 0) throw new RangeError(`a ${a.kind} needs a non-zero amount${a.kind === 'topup' ? ' above zero' : ''}`);
  await ensureAccount(db, a.registrarId, a.currency);
  // Spread, so the new money (or the debt) lands on every shard (the fast path's invariant).
  const total = (await lockShards(db, a.registrarId, a.currency))! + a.amount;
  await spread(db, a.registrarId, a.currency, total);
  const rows = await db.query(sql`
    INSERT INTO ledger_entries (registrar_id, currency, at, kind, amount, balance_after, sv_trid, description)
    VALUES (${a.registrarId}, ${a.currency}, ${a.now}, ${a.kind}, ${a.amount}, ${total}, ${a.svTrid ?? null}, ${a.description ?? null})
    RETURNING *`);
  await rearmLowBalance(db, a.registrarId, a.currency);
  return toEntry(rows[0]);
}

export async function ensureAccount(db: Queryable, registrarId: number, currency: string): Promise<void> {
  await db.query(sql`INSERT INTO accounts (registrar_id, currency) VALUES (${registrarId}, ${currency}) ON CONFLICT DO NOTHING`);
}

export async function accountOf(db: Queryable, registrarId: number, currency: string): Promise<Account | undefined> {
  const [r] = await db.query(sql`SELECT * FROM account_balances WHERE registrar_id = ${registrarId} AND currency = ${currency}`);
  return r ? toAccount(r) : undefined;
}

export async function accountsOf(db: Queryable, registrarId: number): Promise<Account[]> {
  const rows = await db.query(sql`SELECT * FROM account_balances WHERE registrar_id = ${registrarId} ORDER BY currency`);
  return rows.map(toAccount);
}

export async function setAccountLimits(db: Queryable, registrarId: number, currency: string, limits: { creditLimit?: number; lowBalanceThreshold?: number | null }): Promise<Account> {
  await ensureAccount(db, registrarId, currency);
  // A new credit limit re-spreads the balance (the fast path's invariant is relative to the limit).
  await spread(db, registrarId, currency, (await lockShards(db, registrarId, currency))!);
  await db.query(sql`
    UPDATE accounts SET credit_limit = coalesce(${limits.creditLimit ?? null}::bigint, credit_limit),
           low_balance_threshold = CASE WHEN ${limits.lowBalanceThreshold !== undefined} THEN ${limits.lowBalanceThreshold ?? null}::bigint ELSE low_balance_threshold END,
           low_balance_notified = false
     WHERE registrar_id = ${registrarId} AND currency = ${currency}`);
  return (await accountOf(db, registrarId, currency))!;
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
