/** Zones and their policy, held in memory by each process and reloaded on NOTIFY (zone:<id>). */
import { sql, type Queryable } from '../db/pool.js';
import { ReloadingValue } from '../util/reloading-cache.js';
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
  // Lifecycle and accounting (issue 4): lengths in days, RFC 3915 §2 and ICANN practice.
  /** ISO 4217 currency of the zone's prices and of the accounts they are charged to. */
  currency: string;
  addGraceDays: number;
  renewGraceDays: number;
  autoRenewGraceDays: number;
  transferGraceDays: number;
  redemptionDays: number;
  pendingRestoreDays: number;
  pendingDeleteDays: number;
  /** At expiry: renew automatically (billed, refundable in the auto-renew grace) or delete. */
  autoRenew: boolean;
  // RDDS (issue 5)
  /**
   * Contact data in WHOIS and RDAP: 'personal' redacts the personal fields (ICANN Registration
   * Data Policy: handle, name, street, city, postal code, phone, fax, email); 'none' publishes them.
   */
  rddsRedaction: 'personal' | 'none';
  /** Contacts' <contact:disclose> flags (RFC 5733 §2.9) override the default per field: flag=1 publishes under 'personal', flag=0 withholds under 'none'. */
  rddsHonourDisclose: boolean;
  /** Withhold the organisation too under 'personal' (the Registration Data Policy publishes it). */
  rddsRedactOrganization: boolean;
  /** A web form to reach a contact whose email is withheld ({domain}, {role} and {handle} are filled in); empty: the registrar's URL. */
  rddsContactFormUrl: string;
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
  currency: 'USD',
  addGraceDays: 5,
  renewGraceDays: 5,
  autoRenewGraceDays: 45,
  transferGraceDays: 5,
  redemptionDays: 30,
  pendingRestoreDays: 7,
  pendingDeleteDays: 5,
  autoRenew: true,
  // RDDS (issue 5)
  rddsRedaction: 'personal',
  rddsHonourDisclose: true,
  rddsRedactOrganization: false,
  rddsContactFormUrl: '',
};

export interface Zone extends ZoneRef { policy: ZonePolicy }

/**
 * Zones by name, loaded once and reloaded after an invalidation. A command running inside a
 * transaction passes its own connection (`all(tx)`), never waiting for a second pooled one
 * (see ReloadingValue).
 */
export class ZoneCache implements CacheListener {
  private readonly value: ReloadingValue<Map<string, Zone>>;

  constructor(db: () => Queryable) {
    this.value = new ReloadingValue(db, async (via) => {
      const rows = await via.query(sql`SELECT id, name, policy FROM zones`);
      return new Map(rows.map((r: { id: number; name: string; policy: Partial<ZonePolicy> }) =>
        [r.name, { id: r.id, name: r.name, policy: { ...DEFAULT_POLICY, ...r.policy } }] as const));
    });
  }

  all(via?: Queryable): Promise<Map<string, Zone>> {
    return this.value.get(via);
  }

  invalidate(key: string): void {
    if (key.startsWith('zone:')) this.value.invalidate();
  }

  flushAll(): void { this.value.invalidate(); }
}
