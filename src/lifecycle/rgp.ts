/**
 * The redemption grace period (RFC 3915 §2): a deleted domain waits in redemptionPeriod (out of
 * the DNS, EPP status pendingDelete) where its sponsor may restore it, then in pendingDelete,
 * then is purged and the name is free again. These transitions are shared by the EPP flows and
 * the scheduler; each is a guarded UPDATE, so running one twice changes nothing the second time.
 */
import { sql, type Queryable } from '../db/pool.js';
import { recordHistory } from '../db/queries/history.js';
import { enqueuePoll } from '../db/queries/poll.js';
import type { ZonePolicy } from '../registry/zone-cache.js';
import { NS } from '../xml/namespaces.js';
import type { XmlObj } from '../xml/render.js';
import { addDays } from '../util/time.js';
import type { GraceKind } from './grace.js';

export type RgpState = 'redemptionPeriod' | 'pendingRestore' | 'pendingDelete';

/** The rgpStatus values of RFC 3915 §3.1 for a domain: its RGP state, or its running grace periods. */
export function rgpStatuses(rgpState: RgpState | undefined, graces: readonly { kind: GraceKind }[]): string[] {
  if (rgpState) return [rgpState];
  return [...new Set(graces.map((g) => g.kind))];
}

export function rgpInfData(statuses: readonly string[]): XmlObj | undefined {
  if (!statuses.length) return undefined;
  return { 'rgp:infData': { '@_xmlns:rgp': NS.rgp, 'rgp:rgpStatus': statuses.map((s) => ({ '@_s': s })) } };
}

/** RFC 5731 §3.3 pending action notification, for a delete (purge) or restore outcome. */
export function panData(name: string, ok: boolean, svTrid: string, at: Date): XmlObj {
  return {
    'domain:panData': {
      '@_xmlns:domain': NS.domain,
      'domain:name': { '@_paResult': ok ? '1' : '0', '#text': name },
      'domain:paTRID': { 'epp:svTRID': svTrid, '@_xmlns:epp': NS.epp },
      'domain:paDate': at.toISOString(),
    },
  };
}

export interface DeletedDomain { id: number; roid: string; name: string; sponsorId: number; statuses: readonly string[] }

/**
 * Puts a domain into redemptionPeriod (RFC 3915 §3.2): status pendingDelete, out of the DNS,
 * restorable by its sponsor until the period ends.
 */
export async function enterRedemption(db: Queryable, d: DeletedDomain, policy: ZonePolicy, now: Date, svTrid: string, actorId: number | null, why: string): Promise<Date> {
  const until = addDays(now, policy.redemptionDays);
  const statuses = [...new Set([...d.statuses, 'pendingDelete'])];
  await db.query(sql`
    UPDATE domains SET statuses = ${statuses}, rgp_status = 'redemptionPeriod', rgp_until = ${until}, deleted_at = ${now},
           delete_sv_trid = ${svTrid}, updater_id = coalesce(${actorId}::int, updater_id), updated_at = ${now}
     WHERE id = ${d.id} AND rgp_status IS NULL`);
  await db.query(sql`DELETE FROM domain_grace_periods WHERE domain_id = ${d.id}`);
  await recordHistory(db, { type: 'domain', roid: d.roid, at: now, registrarId: actorId, svTrid, action: 'delete', snapshot: { name: d.name, rgp: 'redemptionPeriod', until, why } });
  await enqueuePoll(db, d.sponsorId, now, `${d.name} deleted (${why}): in the redemption period until ${until.toISOString()}, restorable until then.`);
  return until;
}

/**
 * Removes a domain for good: its subordinate hosts, transfers and links go with it and the name
 * becomes available. The ledger keeps the name (it has no foreign key to domains).
 */
export async function purgeDomain(db: Queryable, d: { id: number; roid: string; name: string; sponsorId: number }, now: Date, svTrid: string, actorId: number | null, notice: { paTrid: string; msg: string } | undefined): Promise<void> {
  // Subordinate hosts cannot outlive their superordinate domain (RFC 5732 §1.1); links other
  // domains still had to them go too, since the name could no longer resolve.
  await db.query(sql`DELETE FROM domain_hosts WHERE host_id IN (SELECT id FROM hosts WHERE superordinate_id = ${d.id})`);
  await db.query(sql`DELETE FROM hosts WHERE superordinate_id = ${d.id}`);
  await db.query(sql`DELETE FROM transfers WHERE object_type = 'domain' AND object_id = ${d.id}`);
  await db.query(sql`DELETE FROM domains WHERE id = ${d.id}`);
  await recordHistory(db, { type: 'domain', roid: d.roid, at: now, registrarId: actorId, svTrid, action: 'purge', snapshot: { name: d.name } });
  if (notice) await enqueuePoll(db, d.sponsorId, now, notice.msg, panData(d.name, true, notice.paTrid, now));
}

/** Leaves RGP: the domain is live again with the statuses it had before the delete. */
export async function restoreDomain(db: Queryable, d: DeletedDomain, now: Date, actorId: number): Promise<void> {
  await db.query(sql`
    UPDATE domains SET statuses = ${d.statuses.filter((s) => s !== 'pendingDelete')}, rgp_status = NULL, rgp_until = NULL, deleted_at = NULL,
           delete_sv_trid = NULL, restore_charge_id = NULL, updater_id = ${actorId}, updated_at = ${now}
     WHERE id = ${d.id}`);
}
