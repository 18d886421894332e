/**
 * What a domain transfer does to money and grace periods. The gaining registrar pays with the
 * request and is refunded if the transfer does not complete. On completion, a transfer within the
 * auto-renew grace period undoes the auto-renewal (the losing registrar is refunded and the
 * transfer's year replaces it, ICANN practice); add and renew grace periods simply end; the
 * transfer grace period starts.
 */
import { sql, type Queryable } from '../db/pool.js';
import type { TransferRow } from '../db/queries/transfers.js';
import { refund } from '../billing/ledger.js';
import { DEFAULT_POLICY, type ZonePolicy } from '../registry/zone-cache.js';
import { addYears } from '../util/time.js';
import { activeGraces, endGraces, startGrace, undoGraces } from './grace.js';

/** Settles a completing domain transfer; returns the domain's new expiry. */
export async function settleDomainTransfer(db: Queryable, t: TransferRow, now: Date, svTrid: string): Promise<Date> {
  const [d] = await db.query(sql`SELECT d.expires_at, z.policy FROM domains d JOIN zones z ON z.id = d.zone_id WHERE d.id = ${t.objectId}`);
  const policy: ZonePolicy = { ...DEFAULT_POLICY, ...d.policy };
  const graces = await activeGraces(db, t.objectId, now);
  const autoRenew = graces.filter((g) => g.kind === 'autoRenewPeriod');
  const undone = await undoGraces(db, autoRenew, now, svTrid, 'transferred');
  await endGraces(db, graces.filter((g) => g.kind !== 'autoRenewPeriod'));
  const years = t.periodUnit === 'm' ? Math.round((t.periodValue ?? 12) / 12) : t.periodValue ?? 1;
  const expires = addYears(addYears(d.expires_at, -undone.years), years);
  await startGrace(db, { domainId: t.objectId, kind: 'transferPeriod', start: now, days: policy.transferGraceDays, registrarId: t.gainingId, ...(t.chargeId ? { chargeId: t.chargeId } : {}), years });
  return expires;
}

/** A rejected, cancelled or server-cancelled transfer returns its fee to the gaining registrar. */
export async function refundTransfer(db: Queryable, t: TransferRow, now: Date, svTrid: string, why: string): Promise<void> {
  if (t.chargeId) await refund(db, t.chargeId, now, svTrid, why);
}
