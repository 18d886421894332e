/**
 * The lifecycle's scheduled steps: auto-renew (or delete) at expiry, the end of a pending
 * restore, redemption → pendingDelete → purge, expiring allocation tokens, ended grace periods.
 * Each works in small batches, one transaction each, on rows locked SKIP LOCKED and selected by
 * a condition the step itself makes false: a crash at any point loses nothing and a rerun
 * repeats nothing (no charge twice, no message twice).
 */
import { sql, type Database, type Queryable } from '../db/pool.js';
import { recordHistory } from '../db/queries/history.js';
import { enqueuePoll } from '../db/queries/poll.js';
import { premiumPrices, priceOf, type PriceCache } from '../billing/prices.js';
import { lockShards, refund, spread } from '../billing/ledger.js';
import { formatAmount } from '../billing/money.js';
import { DEFAULT_POLICY, type Zone } from '../registry/zone-cache.js';
import { NS } from '../xml/namespaces.js';
import { addDays, addYears } from '../util/time.js';
import { enterRedemption, panData, purgeDomain } from './rgp.js';

export interface LifecycleDeps { db: Database; prices: PriceCache; batch?: number }

/** Every zone with its policy (a pass reads them afresh: the job runner keeps no cache). */
export async function loadZones(db: Queryable): Promise<Map<number, Zone>> {
  const rows = await db.query(sql`SELECT id, name, policy FROM zones`);
  return new Map(rows.map((r: { id: number; name: string; policy: object }) => [r.id, { id: r.id, name: r.name, policy: { ...DEFAULT_POLICY, ...r.policy } }]));
}

/** Runs `step` in one transaction per batch until a batch comes back short. */
async function inBatches(db: Database, batch: number, step: (tx: Queryable) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await db.tx(step);
    total += n;
    if (n < batch) return total;
  }
}

interface DueDomain { id: number; roid: string; name: string; zone_id: number; sponsor_id: number; expires_at: Date; statuses: string[] }

/**
 * At expiry: zones with auto-renew renew the domain by one year, billed at the auto-renew price
 * (a premium name's renew price) even beyond the credit limit, refundable during the
 * auto-renew grace period; other zones delete it into the redemption period.
 */
export async function autoRenewExpired(deps: LifecycleDeps, zones: Map<number, Zone>, now: Date): Promise<{ renewed: number; deleted: number }> {
  const batch = deps.batch ?? 500;
  let renewed = 0;
  let deleted = 0;
  // Keyset by id: a domain renewed in this pass is not picked again by a later batch even if it
  // is still expired (a pass as of a far-off instant renews once, not until the expiry catches up).
  let after = 0;
  await inBatches(deps.db, batch, async (tx) => {
    const due: DueDomain[] = await tx.query(sql`
      SELECT id, roid, name, zone_id, sponsor_id, expires_at, statuses FROM domains
       WHERE expires_at <= ${now} AND rgp_status IS NULL AND id > ${after}
       ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`);
    if (due.length) after = due[due.length - 1]!.id;
    const renew = due.filter((d) => (zones.get(d.zone_id)?.policy ?? DEFAULT_POLICY).autoRenew);
    const svTrid = `job-autorenew-${now.getTime().toString(36)}`;
    for (const d of due) {
      if (renew.includes(d)) continue;
      await enterRedemption(tx, { id: d.id, roid: d.roid, name: d.name, sponsorId: d.sponsor_id, statuses: d.statuses }, zones.get(d.zone_id)!.policy, now, `${svTrid}-${d.id}`, null, 'expired; the zone does not auto-renew');
      deleted++;
    }
    if (renew.length) await renewBatch(tx, deps.prices, zones, renew, now, svTrid);
    renewed += renew.length;
    return due.length;
  });
  return { renewed, deleted };
}

async function renewBatch(tx: Queryable, prices: PriceCache, zones: Map<number, Zone>, due: DueDomain[], now: Date, svTrid: string): Promise<void> {
  const premium = await premiumPrices(tx, due.map((d) => d.name));
  const items = [];
  for (const d of due) {
    const zone = zones.get(d.zone_id)!;
    const q = priceOf(zone, await prices.standard(zone.id, tx), premium.get(d.name), 'autoRenew', 1);
    items.push({ d, zone, q, newExpiry: addYears(d.expires_at, 1) });
  }
  // Lock the accounts involved (creating missing ones; in key order, so two runners never
  // deadlock), then give every entry its running balance.
  const keys = [...new Set(items.map((i) => `${i.d.sponsor_id}/${i.q.currency}`))].sort().map((k) => k.split('/'));
  const regIds = keys.map((k) => Number(k[0]));
  const currencies = keys.map((k) => k[1]!);
  await tx.query(sql`INSERT INTO accounts (registrar_id, currency) SELECT * FROM unnest(${regIds}::int[], ${currencies}::text[]) ON CONFLICT DO NOTHING`);
  const balance = new Map<string, number>();
  for (const [r, c] of keys) balance.set(`${r}/${c}`, (await lockShards(tx, Number(r), c!))!);
  const accts = await tx.query(sql`
    SELECT a.registrar_id, a.currency, a.credit_limit, a.low_balance_threshold, a.low_balance_notified
      FROM accounts a JOIN unnest(${regIds}::int[], ${currencies}::text[]) AS k(r, c) ON a.registrar_id = k.r AND a.currency = k.c`);
  const after = items.map((i) => {
    const k = `${i.d.sponsor_id}/${i.q.currency}`;
    const b = balance.get(k)! - i.q.amount;
    balance.set(k, b);
    return b;
  });
  const entries: { id: number; domain_roid: string }[] = await tx.query(sql`
    INSERT INTO ledger_entries (registrar_id, currency, at, kind, operation, amount, balance_after, zone_id, domain_roid, domain_name, years, fee_class, sv_trid, description)
    SELECT r, c, ${now}, 'charge', 'autoRenew', -a, b, z, roid, name, 1, fc, ${svTrid}, 'auto-renew at expiry'
      FROM unnest(${items.map((i) => i.d.sponsor_id)}::int[], ${items.map((i) => i.q.currency)}::text[], ${items.map((i) => i.q.amount)}::bigint[],
                  ${after}::bigint[], ${items.map((i) => i.zone.id)}::int[], ${items.map((i) => i.d.roid)}::text[], ${items.map((i) => i.d.name)}::text[],
                  ${items.map((i) => i.q.feeClass)}::text[]) AS t(r, c, a, b, z, roid, name, fc)
    RETURNING id, domain_roid`);
  const entryOf = new Map(entries.map((e) => [e.domain_roid, e.id]));
  for (const [k, total] of balance) await spread(tx, Number(k.split('/')[0]), k.split('/')[1]!, total);
  await tx.query(sql`
    UPDATE domains d SET expires_at = k.e FROM unnest(${items.map((i) => i.d.id)}::bigint[], ${items.map((i) => i.newExpiry)}::timestamptz[]) AS k(id, e)
     WHERE d.id = k.id`);
  // The auto-renew grace period runs from the old expiry (RFC 3915 §1: autoRenewPeriod).
  await tx.query(sql`
    INSERT INTO domain_grace_periods (domain_id, kind, starts_at, ends_at, registrar_id, charge_id, years)
    SELECT id, 'autoRenewPeriod', s, e, r, c, 1
      FROM unnest(${items.map((i) => i.d.id)}::bigint[], ${items.map((i) => i.d.expires_at)}::timestamptz[],
                  ${items.map((i) => addDays(i.d.expires_at, i.zone.policy.autoRenewGraceDays))}::timestamptz[],
                  ${items.map((i) => i.d.sponsor_id)}::int[], ${items.map((i) => entryOf.get(i.d.roid)!)}::bigint[]) AS t(id, s, e, r, c)
     WHERE e > s`);
  await tx.query(sql`
    INSERT INTO poll_messages (registrar_id, created_at, msg, res_data)
    SELECT r, ${now}, m, json_build_object('domain:renData', json_build_object('@_xmlns:domain', ${NS.domain}::text, 'domain:name', n, 'domain:exDate', e))
      FROM unnest(${items.map((i) => i.d.sponsor_id)}::int[], ${items.map((i) => `${i.d.name} auto-renewed until ${i.newExpiry.toISOString()}: ${formatAmount(i.q.amount, i.q.currency)} ${i.q.currency} charged, refundable for ${i.zone.policy.autoRenewGraceDays} days.`)}::text[],
                  ${items.map((i) => i.d.name)}::text[], ${items.map((i) => i.newExpiry.toISOString())}::text[]) AS t(r, m, n, e)`);
  await tx.query(sql`
    INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
    SELECT 'domain', roid, ${now}, NULL, ${svTrid}, 'autoRenew', json_build_object('name', n, 'expires', e)::jsonb
      FROM unnest(${items.map((i) => i.d.roid)}::text[], ${items.map((i) => i.d.name)}::text[], ${items.map((i) => i.newExpiry.toISOString())}::text[]) AS t(roid, n, e)`);
  for (const a of accts as { registrar_id: number; currency: string; credit_limit: number; low_balance_threshold: number | null; low_balance_notified: boolean }[]) {
    const b = balance.get(`${a.registrar_id}/${a.currency}`)!;
    if (a.low_balance_threshold === null || a.low_balance_notified || b + Number(a.credit_limit) >= Number(a.low_balance_threshold)) continue;
    await tx.query(sql`UPDATE accounts SET low_balance_notified = true WHERE registrar_id = ${a.registrar_id} AND currency = ${a.currency}`);
    await enqueuePoll(tx, a.registrar_id, now, `Low balance after auto-renewals: ${formatAmount(b + Number(a.credit_limit), a.currency)} ${a.currency} available.`);
  }
}

/** A restore request with no report before its deadline: back to redemption, fee refunded (RFC 3915 §3.4). */
export async function expireRestores(deps: LifecycleDeps, zones: Map<number, Zone>, now: Date): Promise<number> {
  const batch = deps.batch ?? 500;
  return inBatches(deps.db, batch, async (tx) => {
    const due = await tx.query(sql`
      SELECT id, roid, name, zone_id, sponsor_id, deleted_at, restore_charge_id FROM domains
       WHERE rgp_status = 'pendingRestore' AND rgp_until <= ${now}
       ORDER BY rgp_until, id LIMIT ${batch} FOR UPDATE SKIP LOCKED`);
    for (const d of due) {
      const policy = zones.get(d.zone_id)?.policy ?? DEFAULT_POLICY;
      const svTrid = `job-restore-${now.getTime().toString(36)}-${d.id}`;
      // What is left of the redemption period, if anything (the next pass moves it on otherwise).
      const until = new Date(Math.max(now.getTime(), addDays(d.deleted_at, policy.redemptionDays).getTime()));
      await tx.query(sql`UPDATE domains SET rgp_status = 'redemptionPeriod', rgp_until = ${until}, restore_charge_id = NULL WHERE id = ${d.id}`);
      const r = d.restore_charge_id ? await refund(tx, d.restore_charge_id, now, svTrid, 'restore report not received in time') : undefined;
      await recordHistory(tx, { type: 'domain', roid: d.roid, at: now, registrarId: null, svTrid, action: 'restore-expired', snapshot: { name: d.name, until } });
      await enqueuePoll(tx, d.sponsor_id, now,
        `Restore of ${d.name} not completed: no restore report within ${policy.pendingRestoreDays} days; back in the redemption period until ${until.toISOString()}`
        + (r ? `, restore fee ${formatAmount(r.amount, r.currency)} ${r.currency} refunded.` : '.'),
        panData(d.name, false, svTrid, now));
    }
    return due.length;
  });
}

/** redemptionPeriod ends → pendingDelete (no restore possible any more); pendingDelete ends → purge. */
export async function advanceRedemption(deps: LifecycleDeps, zones: Map<number, Zone>, now: Date): Promise<{ pendingDelete: number; purged: number }> {
  const batch = deps.batch ?? 500;
  let pendingDelete = 0;
  let purged = 0;
  await inBatches(deps.db, batch, async (tx) => {
    const due = await tx.query(sql`
      SELECT id, roid, name, zone_id, sponsor_id, rgp_status, rgp_until, delete_sv_trid FROM domains
       WHERE rgp_status IN ('redemptionPeriod', 'pendingDelete') AND rgp_until <= ${now}
       ORDER BY rgp_until, id LIMIT ${batch} FOR UPDATE SKIP LOCKED`);
    for (const d of due) {
      const policy = zones.get(d.zone_id)?.policy ?? DEFAULT_POLICY;
      const svTrid = `job-rgp-${now.getTime().toString(36)}-${d.id}`;
      if (d.rgp_status === 'redemptionPeriod') {
        const until = addDays(d.rgp_until, policy.pendingDeleteDays);
        await tx.query(sql`UPDATE domains SET rgp_status = 'pendingDelete', rgp_until = ${until} WHERE id = ${d.id}`);
        await recordHistory(tx, { type: 'domain', roid: d.roid, at: now, registrarId: null, svTrid, action: 'pending-delete', snapshot: { name: d.name, purgeAt: until } });
        pendingDelete++;
      } else {
        await purgeDomain(tx, { id: d.id, roid: d.roid, name: d.name, sponsorId: d.sponsor_id }, now, svTrid, null,
          { paTrid: d.delete_sv_trid ?? svTrid, msg: `${d.name} purged: the redemption period ended without a restore; the name is available again.` });
        purged++;
      }
    }
    return due.length;
  });
  return { pendingDelete, purged };
}

/** An allocation token past its expiry no longer allocates: the name stays reserved (blocked). */
export async function expireAllocationTokens(deps: LifecycleDeps, now: Date): Promise<number> {
  return deps.db.tx(async (tx) => {
    const rows = await tx.query(sql`
      UPDATE reserved_names r SET registrar_id = NULL, token_sha256 = NULL, token_expires_at = NULL
        FROM (SELECT name, registrar_id FROM reserved_names WHERE token_expires_at <= ${now} FOR UPDATE SKIP LOCKED) old
       WHERE r.name = old.name RETURNING r.name, old.registrar_id`);
    for (const r of rows) {
      if (r.registrar_id !== null) await enqueuePoll(tx, r.registrar_id, now, `The allocation token for the reserved name ${r.name} expired; the name is no longer allocatable to you.`);
    }
    return rows.length;
  });
}

/** Grace periods that have run out are only history; drop them so the table stays small. */
export async function pruneEndedGraces(deps: LifecycleDeps, now: Date): Promise<number> {
  const rows = await deps.db.primary.query(sql`DELETE FROM domain_grace_periods WHERE ends_at <= ${now} RETURNING 1`);
  return rows.length;
}
