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

export class ZoneCache implements CacheListener {
  private loading: Promise<Map<string, Zone>> | undefined;
  private generation = 0;

  constructor(private readonly db: () => Queryable) {}

  all(): Promise<Map<string, Zone>> {
    if (!this.loading) {
      const gen = this.generation;
      const p = this.db().query(sql`SELECT id, name, policy FROM zones`).then((rows) =>
        new Map(rows.map((r: { id: number; name: string; policy: Partial<ZonePolicy> }) =>
          [r.name, { id: r.id, name: r.name, policy: { ...DEFAULT_POLICY, ...r.policy } }] as const)));
      this.loading = p;
      p.then(() => { if (gen !== this.generation && this.loading === p) this.loading = undefined; },
        () => { if (this.loading === p) this.loading = undefined; });
    }
    return this.loading;
  }

  invalidate(key: string): void {
    if (key.startsWith('zone:')) { this.generation++; this.loading = undefined; }
  }

  flushAll(): void { this.generation++; this.loading = undefined; }
}
