/** Transfer records of domains and contacts (RFC 5731 §3.2.4, RFC 5733 §3.2.4). */
import { sql, type Queryable } from '../pool.js';

export type TrStatus = 'pending' | 'clientApproved' | 'clientCancelled' | 'clientRejected' | 'serverApproved' | 'serverCancelled';

export interface TransferRow {
  id: number; objectType: 'domain' | 'contact'; objectId: number; gainingId: number; losingId: number;
  gainingClid: string; losingClid: string; status: TrStatus; requestedAt: Date; actionAt: Date;
  periodValue?: number; periodUnit?: 'y' | 'm'; newExpiresAt?: Date;
  /** The gaining registrar's charge for a domain transfer (refunded unless it completes). */
  chargeId?: number;
}

function toRow(r: Record<string, never>): TransferRow {
  return {
    id: r.id, objectType: r.object_type, objectId: r.object_id, gainingId: r.gaining_id, losingId: r.losing_id,
    gainingClid: r.gaining_clid, losingClid: r.losing_clid, status: r.status, requestedAt: r.requested_at, actionAt: r.action_at,
    ...(r.period_value ? { periodValue: r.period_value, periodUnit: r.period_unit } : {}),
    ...(r.new_expires_at ? { newExpiresAt: r.new_expires_at } : {}),
    ...(r.charge_id ? { chargeId: r.charge_id } : {}),
  };
}

/** The latest transfer of an object (pending or finished), for query and for approve/reject/cancel. */
export async function latestTransfer(db: Queryable, objectType: 'domain' | 'contact', objectId: number, forUpdate = false): Promise<TransferRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE OF t` : sql``;
  const [r] = await db.query(sql`
    SELECT t.*, g.client_id AS gaining_clid, l.client_id AS losing_clid
      FROM transfers t JOIN registrars g ON g.id = t.gaining_id JOIN registrars l ON l.id = t.losing_id
     WHERE t.object_type = ${objectType} AND t.object_id = ${objectId}
     ORDER BY t.id DESC LIMIT 1 ${lock}`);
  return r ? toRow(r) : undefined;
}

export async function insertTransfer(db: Queryable, t: { objectType: 'domain' | 'contact'; objectId: number; gainingId: number; losingId: number; requestedAt: Date; actionAt: Date; periodValue?: number; periodUnit?: string; newExpiresAt?: Date; chargeId?: number }): Promise<number> {
  const [r] = await db.query(sql`
    INSERT INTO transfers (object_type, object_id, gaining_id, losing_id, status, requested_at, action_at, period_value, period_unit, new_expires_at, charge_id)
    VALUES (${t.objectType}, ${t.objectId}, ${t.gainingId}, ${t.losingId}, 'pending', ${t.requestedAt}, ${t.actionAt},
            ${t.periodValue ?? null}, ${t.periodUnit ?? null}, ${t.newExpiresAt ?? null}, ${t.chargeId ?? null}) RETURNING id`);
  return r.id;
}

export async function finishTransfer(db: Queryable, id: number, status: Exclude<TrStatus, 'pending'>, at: Date): Promise<void> {
  await db.query(sql`UPDATE transfers SET status = ${status}, action_at = ${at} WHERE id = ${id} AND status = 'pending'`);
}

/**
 * Pending transfers whose auto-approve time has come, oldest first, with the transferred object's
 * row and the transfer's row locked. Rows another transaction holds are skipped, not waited for:
 * an EPP transfer command locks the object and then the transfer, so a runner that waited here
 * (or locked only the transfer and then updated the object) could deadlock with it. A skipped
 * transfer is picked up by the next pass.
 */
export async function dueTransfers(db: Queryable, now: Date, limit: number): Promise<TransferRow[]> {
  const domains = await db.query(sql`
    SELECT t.*, g.client_id AS gaining_clid, l.client_id AS losing_clid
      FROM transfers t JOIN domains o ON o.id = t.object_id JOIN registrars g ON g.id = t.gaining_id JOIN registrars l ON l.id = t.losing_id
     WHERE t.object_type = 'domain' AND t.status = 'pending' AND t.action_at <= ${now}
     ORDER BY t.action_at, t.id LIMIT ${limit} FOR UPDATE OF o, t SKIP LOCKED`);
  if (domains.length >= limit) return domains.map(toRow);
  const contacts = await db.query(sql`
    SELECT t.*, g.client_id AS gaining_clid, l.client_id AS losing_clid
      FROM transfers t JOIN contacts o ON o.id = t.object_id JOIN registrars g ON g.id = t.gaining_id JOIN registrars l ON l.id = t.losing_id
     WHERE t.object_type = 'contact' AND t.status = 'pending' AND t.action_at <= ${now}
     ORDER BY t.action_at, t.id LIMIT ${limit - domains.length} FOR UPDATE OF o, t SKIP LOCKED`);
  return [...domains, ...contacts].map(toRow);
}
