/**
 * What an operation costs: the zone's standard price list (cached per process, reloaded on
 * NOTIFY zone:<id>) or a premium name's own prices (read with the command, RFC 8748 §3.7).
 */
import { sql, type Queryable } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';
import type { Zone } from '../registry/zone-cache.js';
import { ReloadingValue } from '../util/reloading-cache.js';

export const OPERATIONS = ['create', 'renew', 'autoRenew', 'transfer', 'restore'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Per-year operations are priced per year of the period; a restore is priced once. */
export const PER_YEAR: ReadonlySet<Operation> = new Set(['create', 'renew', 'autoRenew', 'transfer']);

export interface PremiumPrice { name: string; feeClass: string; create: number; renew: number; transfer: number; restore?: number }

export interface Quote {
  operation: Operation;
  years: number;
  /** Total for the period, in minor units of `currency`. */
  amount: number;
  currency: string;
  /** RFC 8748 §3.7 fee class: "standard", or the premium name's class. */
  feeClass: string;
  premium: boolean;
}

export class PriceCache implements CacheListener {
  private readonly value: ReloadingValue<Map<number, Map<Operation, number>>>;

  constructor(db: () => Queryable) {
    this.value = new ReloadingValue(db, async (via) => {
      const rows: { zone_id: number; operation: Operation; amount: number }[] = await via.query(sql`SELECT zone_id, operation, amount FROM prices`);
      const out = new Map<number, Map<Operation, number>>();
      for (const r of rows) {
        if (!out.has(r.zone_id)) out.set(r.zone_id, new Map());
        out.get(r.zone_id)!.set(r.operation, Number(r.amount));
      }
      return out;
    });
  }

  /** The zone's standard prices; an operation without a price is free. Inside a transaction pass it (see ReloadingValue). */
  async standard(zoneId: number, via?: Queryable): Promise<ReadonlyMap<Operation, number>> {
    return (await this.value.get(via)).get(zoneId) ?? new Map();
  }

  invalidate(key: string): void { if (key.startsWith('zone:')) this.value.invalidate(); }
  flushAll(): void { this.value.invalidate(); }
}

export async function premiumPrices(db: Queryable, names: readonly string[]): Promise<Map<string, PremiumPrice>> {
  if (names.length === 0) return new Map();
  const rows = await db.query(sql`SELECT name, class, create_amount, renew_amount, transfer_amount, restore_amount FROM premium_names WHERE name = ANY(${names})`);
  return new Map(rows.map((r: { name: string; class: string; create_amount: number; renew_amount: number; transfer_amount: number; restore_amount: number | null }) => [r.name, {
    name: r.name, feeClass: r.class, create: Number(r.create_amount), renew: Number(r.renew_amount), transfer: Number(r.transfer_amount),
    ...(r.restore_amount !== null ? { restore: Number(r.restore_amount) } : {}),
  }]));
}

/** The price of one operation on one name, given its premium entry (if any) and the zone's list. */
export function priceOf(zone: Zone, standard: ReadonlyMap<Operation, number>, premium: PremiumPrice | undefined, operation: Operation, years: number): Quote {
  let unit: number;
  if (premium && operation !== 'restore') unit = operation === 'autoRenew' ? premium.renew : premium[operation];
  else if (premium?.restore !== undefined) unit = premium.restore;
  else unit = standard.get(operation) ?? 0;
  const n = PER_YEAR.has(operation) ? years : 1;
  return { operation, years: PER_YEAR.has(operation) ? years : 0, amount: unit * n, currency: zone.policy.currency, feeClass: premium?.feeClass ?? 'standard', premium: !!premium };
}

/** Quotes one operation on one name, reading its premium entry. */
export async function quote(db: Queryable, prices: PriceCache, zone: Zone, name: string, operation: Operation, years: number): Promise<Quote> {
  const standard = await prices.standard(zone.id, db);
  const premium = await premiumPrices(db, [name]);
  return priceOf(zone, standard, premium.get(name), operation, years);
}
