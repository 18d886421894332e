/** Zones and their policy, held in memory by each process and reloaded on NOTIFY (zone:<id>). */
import { sql, type Queryable } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';
import type { ZoneRef } from './names.js';

export interface ZonePolicy {
  minNs: number;
  maxNs: number;
  /** Contact types that must be present on create: e.g. registrant, admin, tech. */
  requiredContacts: ('registrant' | 'admin' | 'tech' | 'billing')[];
  /** Days before an unanswered transfer is approved by the server. */
  transferAutoApproveDays: number;
  /** Days after a create or a transfer during which the domain cannot be transferred (ICANN: 60). */
  transferLockDays: number;
  /** Allowed registration periods in years. */
  minPeriodYears: number;
  maxPeriodYears: number;
  /** Refuse host addresses in private/reserved ranges. */
  rejectPrivateAddresses: boolean;
  /** Whether a domain with subordinate hosts may be deleted (the hosts go with it). */
  deleteWithSubordinateHosts: boolean;
}

export const DEFAULT_POLICY: ZonePolicy = {
  minNs: 0,
  maxNs: 13,
  requiredContacts: ['registrant'],
  transferAutoApproveDays: 5,
  transferLockDays: 60,
  minPeriodYears: 1,
  maxPeriodYears: 10,
  rejectPrivateAddresses: true,
  deleteWithSubordinateHosts: false,
};

export interface Zone extends ZoneRef { policy: ZonePolicy }

/**
 * Zones by name, loaded once and reloaded after an invalidation. A command running inside a
 * transaction passes its own connection (`all(tx)`): it must never wait for a second pooled
 * connection while holding one, or a burst of transactions arriving after an invalidation would
 * hold every connection of the pool while each waits for another (a pool deadlock).
 */
export class ZoneCache implements CacheListener {
  private value: { generation: number; zones: Map<string, Zone> } | undefined;
  private loading: { generation: number; promise: Promise<Map<string, Zone>> } | undefined;
  private generation = 0;

  constructor(private readonly db: () => Queryable) {}

  all(via?: Queryable): Promise<Map<string, Zone>> {
    if (this.value?.generation === this.generation) return Promise.resolve(this.value.zones);
    if (via) return this.load(via);
    if (this.loading?.generation !== this.generation) {
      const promise = this.load(this.db());
      const loading = { generation: this.generation, promise };
      this.loading = loading;
      promise.catch(() => {}).finally(() => { if (this.loading === loading) this.loading = undefined; });
    }
    return this.loading!.promise;
  }

  private async load(db: Queryable): Promise<Map<string, Zone>> {
    const generation = this.generation;
    const rows = await db.query(sql`SELECT id, name, policy FROM zones`);
    const zones = new Map(rows.map((r: { id: number; name: string; policy: Partial<ZonePolicy> }) =>
      [r.name, { id: r.id, name: r.name, policy: { ...DEFAULT_POLICY, ...r.policy } }] as const));
    // A load that an invalidation overtook is answered but not kept.
    if (generation === this.generation) this.value = { generation, zones };
    return zones;
  }

  invalidate(key: string): void {
    if (key.startsWith('zone:')) this.generation++;
  }

  flushAll(): void { this.generation++; }
}
