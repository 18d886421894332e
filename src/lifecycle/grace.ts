/**
 * Grace periods (RFC 3915 §1, ICANN practice): after a create, renew, auto-renew or transfer, the
 * operation can be undone for a few days with a refund of what it cost. Each running grace period
 * is a row naming the charge to refund and the years to take back.
 */
import { sql, type Queryable } from '../db/pool.js';
import { refund, type Refunded } from '../billing/ledger.js';
import { addDays, addYears } from '../util/time.js';

export const GRACE_KINDS = ['addPeriod', 'renewPeriod', 'autoRenewPeriod', 'transferPeriod'] as const;
export type GraceKind = (typeof GRACE_KINDS)[number];

export interface Grace { id: number; kind: GraceKind; startsAt: Date; endsAt: Date; registrarId: number; chargeId?: number; years: number }

export async function startGrace(db: Queryable, g: { domainId: number; kind: GraceKind; start: Date; days: number; registrarId: number; chargeId?: number; years?: number }): Promise<void> {
  if (g.days <= 0) return;
  await db.query(sql`INSERT INTO domain_grace_periods (domain_id, kind, starts_at, ends_at, registrar_id, charge_id, years)
                     VALUES (${g.domainId}, ${g.kind}, ${g.start}, ${addDays(g.start, g.days)}, ${g.registrarId}, ${g.chargeId ?? null}, ${g.years ?? 0})`);
}

/** Grace periods still running at `now`, oldest first. */
export async function activeGraces(db: Queryable, domainId: number, now: Date): Promise<Grace[]> {
  const rows = await db.query(sql`SELECT * FROM domain_grace_periods WHERE domain_id = ${domainId} AND ends_at > ${now} ORDER BY starts_at, id`);
  return rows.map((r: { id: number; kind: GraceKind; starts_at: Date; ends_at: Date; registrar_id: number; charge_id: number | null; years: number }) => ({
    id: r.id, kind: r.kind, startsAt: r.starts_at, endsAt: r.ends_at, registrarId: r.registrar_id, years: r.years,
    ...(r.charge_id !== null ? { chargeId: r.charge_id } : {}),
  }));
}

export async function endGraces(db: Queryable, graces: readonly Grace[]): Promise<void> {
  if (graces.length) await db.query(sql`DELETE FROM domain_grace_periods WHERE id = ANY(${graces.map((g) => g.id)})`);
}

export interface Undone { refunds: Refunded[]; years: number }

/**
 * Uses grace periods: refunds their charges, ends them, and returns the years to take off the
 * expiry. Refunds are idempotent, so a rerun after a crash refunds nothing twice.
 */
export async function undoGraces(db: Queryable, graces: readonly Grace[], now: Date, svTrid: string, why: string): Promise<Undone> {
  const refunds: Refunded[] = [];
  let years = 0;
  for (const g of graces) {
    if (g.chargeId !== undefined) {
      const r = await refund(db, g.chargeId, now, svTrid, `${why} within the ${g.kind}`);
      if (r) refunds.push(r);
    }
    years += g.years;
  }
  await endGraces(db, graces);
  return { refunds, years };
}

/** Takes refunded years back off a domain's expiry. */
export async function rollBackExpiry(db: Queryable, domainId: number, expiresAt: Date, years: number): Promise<Date> {
  if (years === 0) return expiresAt;
  const back = addYears(expiresAt, -years);
  await db.query(sql`UPDATE domains SET expires_at = ${back} WHERE id = ${domainId}`);
  return back;
}
