/**
 * How a pending transfer ends. Approved (by the losing registrar, or by the registry when the
 * auto-approve time passes): the object changes sponsor, a domain's subordinate hosts follow it,
 * its expiry is extended by the requested period and its authInfo is reset (RST epp-19).
 * Rejected or cancelled: nothing changes but the transfer record, and the gaining registrar's
 * transfer fee is refunded. Either way both registrars
 * get a poll message and the object gets a history row.
 */
import { sql, type Queryable } from '../db/pool.js';
import { recordHistory } from '../db/queries/history.js';
import { finishTransfer, type TransferRow } from '../db/queries/transfers.js';
import { refundTransfer, settleDomainTransfer } from '../lifecycle/transfer.js';
import { notifyTransfer } from './transfer-messages.js';

export async function completeTransfer(db: Queryable, t: TransferRow, status: 'clientApproved' | 'serverApproved', now: Date, svTrid: string, actorId: number | null): Promise<{ handle: string; row: TransferRow }> {
  let handle: string;
  let roid: string;
  let done = t;
  if (t.objectType === 'domain') {
    // Grace periods and the fee (src/lifecycle/transfer.ts) decide the new expiry.
    const expires = await settleDomainTransfer(db, t, now, svTrid);
    done = { ...t, newExpiresAt: expires };
    await db.query(sql`UPDATE transfers SET new_expires_at = ${expires} WHERE id = ${t.id}`);
    const [d] = await db.query(sql`
      UPDATE domains SET sponsor_id = ${t.gainingId}, expires_at = ${expires},
             transferred_at = ${now}, auth_pw = '', updater_id = ${actorId}, updated_at = ${now}
       WHERE id = ${t.objectId} RETURNING name, roid`);
    // RFC 5732 §1.1 / RST epp-25: an internal host is sponsored by its superordinate domain's sponsor.
    await db.query(sql`UPDATE hosts SET sponsor_id = ${t.gainingId}, transferred_at = ${now} WHERE superordinate_id = ${t.objectId}`);
    handle = d.name;
    roid = d.roid;
  } else {
    const [c] = await db.query(sql`
      UPDATE contacts SET sponsor_id = ${t.gainingId}, transferred_at = ${now}, updater_id = ${actorId}, updated_at = ${now}
       WHERE id = ${t.objectId} RETURNING contact_id, roid`);
    handle = c.contact_id;
    roid = c.roid;
  }
  await finishTransfer(db, t.id, status, now);
  const row: TransferRow = { ...done, status, actionAt: now };
  await notifyTransfer(db, row, handle, status, now);
  await recordHistory(db, { type: t.objectType, roid, at: now, registrarId: actorId, svTrid, action: `transfer-${status}`, snapshot: { from: t.losingClid, to: t.gainingClid } });
  return { handle, row };
}

/** A rejected or cancelled transfer: the object stays where it is. */
export async function closeTransfer(db: Queryable, t: TransferRow, status: 'clientRejected' | 'clientCancelled' | 'serverCancelled',
  object: { handle: string; roid: string }, now: Date, svTrid: string, actorId: number | null): Promise<TransferRow> {
  await finishTransfer(db, t.id, status, now);
  await refundTransfer(db, t, now, svTrid, `transfer ${status}`);
  const row: TransferRow = { ...t, status, actionAt: now };
  await notifyTransfer(db, row, object.handle, status, now);
  await recordHistory(db, { type: t.objectType, roid: object.roid, at: now, registrarId: actorId, svTrid, action: `transfer-${status}`, snapshot: { from: t.losingClid, to: t.gainingClid } });
  return row;
}
