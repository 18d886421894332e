/**
 * Registry-staff operations on what a zone sells and how: its lifecycle policy, standard prices,
 * premium names and reserved names (with allocation tokens). Used by the admin CLI and tests.
 */
import { sql, type Queryable } from '../db/pool.js';
import { minorDigits, parseAmount } from '../billing/money.js';
import { OPERATIONS, type Operation } from '../billing/prices.js';
import { ensureAccount } from '../billing/ledger.js';
import { newAllocationToken, tokenDigest } from '../lifecycle/reserved.js';
import { isRegistrable, toALabel } from '../registry/names.js';
import { DEFAULT_POLICY, type ZonePolicy } from '../registry/zone-cache.js';
import { addDays } from '../util/time.js';
import { AdminError } from './registrars.js';
import { normaliseZoneName } from './zones.js';

async function zoneRow(db: Queryable, zone: string): Promise<{ id: number; name: string; policy: ZonePolicy }> {
  const [z] = await db.query(sql`SELECT id, name, policy FROM zones WHERE name = ${normaliseZoneName(zone)}`);
  if (!z) throw new AdminError(`no zone ${zone}`);
  return { id: z.id, name: z.name, policy: { ...DEFAULT_POLICY, ...z.policy } };
}

/** The effective policy (defaults filled in). */
export async function zonePolicy(db: Queryable, zone: string): Promise<ZonePolicy> {
  return (await zoneRow(db, zone)).policy;
}

/**
 * Sets policy keys from text ("addGraceDays=5", "requiredContacts=registrant,tech"), each checked
 * against the type of its default; unknown keys and bad values are refused before anything is written.
 */
export async function setZonePolicy(db: Queryable, zone: string, assignments: string[]): Promise<ZonePolicy> {
  const z = await zoneRow(db, zone);
  const patch: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new AdminError(`expected key=value, got ${a}`);
    const key = a.slice(0, eq) as keyof ZonePolicy;
    const raw = a.slice(eq + 1);
    if (!(key in DEFAULT_POLICY)) throw new AdminError(`unknown policy key ${key}; known: ${Object.keys(DEFAULT_POLICY).join(', ')}`);
    const def = DEFAULT_POLICY[key];
    if (typeof def === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new AdminError(`${key} must be a whole number >= 0`);
      patch[key] = n;
    } else if (typeof def === 'boolean') {
      if (!['true', 'false'].includes(raw)) throw new AdminError(`${key} must be true or false`);
      patch[key] = raw === 'true';
    } else if (Array.isArray(def)) {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      if (key === 'requiredContacts' && items.some((i) => !['registrant', 'admin', 'tech', 'billing'].includes(i))) throw new AdminError('requiredContacts: registrant, admin, tech, billing');
      patch[key] = items;
    } else {
      if (key === 'currency') {
        if (!/^[A-Z]{3}$/.test(raw)) throw new AdminError('currency must be an ISO 4217 code such as USD');
        const [{ n }] = await db.query(sql`SELECT count(*)::int AS n FROM prices WHERE zone_id = ${z.id}`);
        if (n > 0 && raw !== z.policy.currency) throw new AdminError(`the zone has prices in ${z.policy.currency}: remove them before changing the currency`);
      }
      patch[key] = raw;
    }
  }
  const merged = { ...z.policy, ...patch };
  if (merged.minPeriodYears < 1 || merged.maxPeriodYears > 10 || merged.minPeriodYears > merged.maxPeriodYears) throw new AdminError('periods must satisfy 1 <= minPeriodYears <= maxPeriodYears <= 10');
  if (merged.minNs > merged.maxNs) throw new AdminError('minNs must not exceed maxNs');
  await db.query(sql`UPDATE zones SET policy = policy || ${JSON.stringify(patch)}::jsonb, updated_at = now() WHERE id = ${z.id}`);
  if (patch.currency) {
    // Every accredited registrar needs an account in the zone's (new) currency.
    const regs = await db.query(sql`SELECT registrar_id FROM registrar_zones WHERE zone_id = ${z.id}`);
    for (const r of regs) await ensureAccount(db, r.registrar_id, String(patch.currency));
  }
  return merged;
}

function amountOf(text: string, currency: string, what: string): number {
  const v = parseAmount(text, currency);
  if (v === undefined || v < 0) throw new AdminError(`${what}: not an amount in ${currency} with at most ${minorDigits(currency)} decimals: ${text}`);
  return v;
}

export async function setPrice(db: Queryable, zone: string, operation: string, amount: string): Promise<number> {
  if (!(OPERATIONS as readonly string[]).includes(operation)) throw new AdminError(`operation must be one of ${OPERATIONS.join(', ')}`);
  const z = await zoneRow(db, zone);
  const minor = amountOf(amount, z.policy.currency, operation);
  await db.query(sql`INSERT INTO prices (zone_id, operation, amount) VALUES (${z.id}, ${operation}, ${minor})
                     ON CONFLICT (zone_id, operation) DO UPDATE SET amount = excluded.amount, updated_at = now()`);
  return minor;
}

export async function removePrice(db: Queryable, zone: string, operation: string): Promise<boolean> {
  const z = await zoneRow(db, zone);
  return (await db.query(sql`DELETE FROM prices WHERE zone_id = ${z.id} AND operation = ${operation} RETURNING 1`)).length > 0;
}

export async function listPrices(db: Queryable, zone: string): Promise<{ currency: string; prices: { operation: Operation; amount: number }[] }> {
  const z = await zoneRow(db, zone);
  const rows = await db.query(sql`SELECT operation, amount FROM prices WHERE zone_id = ${z.id} ORDER BY operation`);
  return { currency: z.policy.currency, prices: rows.map((r: { operation: Operation; amount: number }) => ({ operation: r.operation, amount: Number(r.amount) })) };
}

/** A name of the zone, as an A-label one label below it. */
async function nameIn(db: Queryable, zone: string, label: string): Promise<{ z: Awaited<ReturnType<typeof zoneRow>>; name: string }> {
  const z = await zoneRow(db, zone);
  const full = label.includes('.') ? label : `${label}.${z.name}`;
  const a = toALabel(full);
  if ('problem' in a || !isRegistrable(a.name, z)) throw new AdminError(`${label} is not a registrable name in .${z.name}`);
  return { z, name: a.name };
}

export async function setPremium(db: Queryable, zone: string, label: string, p: { create: string; renew: string; transfer: string; restore?: string; feeClass?: string }): Promise<string> {
  const { z, name } = await nameIn(db, zone, label);
  const c = z.policy.currency;
  await db.query(sql`
    INSERT INTO premium_names (name, zone_id, class, create_amount, renew_amount, transfer_amount, restore_amount)
    VALUES (${name}, ${z.id}, ${p.feeClass ?? 'premium'}, ${amountOf(p.create, c, 'create')}, ${amountOf(p.renew, c, 'renew')}, ${amountOf(p.transfer, c, 'transfer')},
            ${p.restore !== undefined ? amountOf(p.restore, c, 'restore') : null})
    ON CONFLICT (name) DO UPDATE SET class = excluded.class, create_amount = excluded.create_amount, renew_amount = excluded.renew_amount,
      transfer_amount = excluded.transfer_amount, restore_amount = excluded.restore_amount, updated_at = now()`);
  return name;
}

export async function removePremium(db: Queryable, zone: string, label: string): Promise<boolean> {
  const { name } = await nameIn(db, zone, label);
  return (await db.query(sql`DELETE FROM premium_names WHERE name = ${name} RETURNING 1`)).length > 0;
}

export async function listPremium(db: Queryable, zone: string): Promise<{ name: string; feeClass: string; create: number; renew: number; transfer: number; restore?: number }[]> {
  const z = await zoneRow(db, zone);
  const rows = await db.query(sql`SELECT * FROM premium_names WHERE zone_id = ${z.id} ORDER BY name`);
  return rows.map((r: { name: string; class: string; create_amount: number; renew_amount: number; transfer_amount: number; restore_amount: number | null }) => ({
    name: r.name, feeClass: r.class, create: Number(r.create_amount), renew: Number(r.renew_amount), transfer: Number(r.transfer_amount),
    ...(r.restore_amount !== null ? { restore: Number(r.restore_amount) } : {}),
  }));
}

/**
 * Reserves a name. With a registrar, the name is allocatable to it with a fresh allocation token,
 * returned here once (only its digest is stored), valid for `tokenDays` (none: until revoked).
 */
export async function reserveName(db: Queryable, zone: string, label: string, o: { reason?: string; registrar?: string; tokenDays?: number; now?: Date } = {}): Promise<{ name: string; token?: string; expires?: Date }> {
  const { z, name } = await nameIn(db, zone, label);
  let registrarId: number | null = null;
  let token: string | undefined;
  let expires: Date | undefined;
  if (o.registrar) {
    const [r] = await db.query(sql`SELECT id FROM registrars WHERE client_id = ${o.registrar}`);
    if (!r) throw new AdminError(`no registrar ${o.registrar}`);
    registrarId = r.id;
    token = newAllocationToken();
    if (o.tokenDays !== undefined) expires = addDays(o.now ?? new Date(), o.tokenDays);
  }
  await db.query(sql`
    INSERT INTO reserved_names (name, zone_id, reason, registrar_id, token_sha256, token_expires_at)
    VALUES (${name}, ${z.id}, ${o.reason ?? 'Reserved'}, ${registrarId}, ${token ? tokenDigest(token) : null}, ${expires ?? null})
    ON CONFLICT (name) DO UPDATE SET reason = excluded.reason, registrar_id = excluded.registrar_id, token_sha256 = excluded.token_sha256,
      token_expires_at = excluded.token_expires_at`);
  return { name, ...(token ? { token } : {}), ...(expires ? { expires } : {}) };
}

export async function unreserveName(db: Queryable, zone: string, label: string): Promise<boolean> {
  const { name } = await nameIn(db, zone, label);
  return (await db.query(sql`DELETE FROM reserved_names WHERE name = ${name} RETURNING 1`)).length > 0;
}

export async function listReserved(db: Queryable, zone: string): Promise<{ name: string; reason: string; registrar?: string; tokenExpires?: Date }[]> {
  const z = await zoneRow(db, zone);
  const rows = await db.query(sql`SELECT n.name, n.reason, r.client_id, n.token_expires_at FROM reserved_names n LEFT JOIN registrars r ON r.id = n.registrar_id WHERE n.zone_id = ${z.id} ORDER BY n.name`);
  return rows.map((r: { name: string; reason: string; client_id: string | null; token_expires_at: Date | null }) => ({
    name: r.name, reason: r.reason, ...(r.client_id ? { registrar: r.client_id } : {}), ...(r.token_expires_at ? { tokenExpires: r.token_expires_at } : {}),
  }));
}
