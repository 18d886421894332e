/**
 * The registration data WHOIS and RDAP serve, in one place: name normalisation, lookups through
 * caches fed by the change log (reads from a standby when one is configured), the registrar and zone
 * policy each answer needs, and searches. Both front-ends render what this returns.
 */
import DataLoader from 'dataloader';
import type { ConnectionPool } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';
import { isRegistrable, toALabel, zoneOf, type NameProblem } from '../registry/names.js';
import { DEFAULT_POLICY, type Zone, type ZoneCache, type ZonePolicy } from '../registry/zone-cache.js';
import { depsOfNotice, Invalidations, RecordCache, type Loaded } from './cache.js';
import { loadContact, loadDomains, loadHost, searchDomainNames, searchHostNames, type ContactRecord, type DomainRecord, type HostRecord, type NameMatch } from './data.js';
import type { RddsMetrics } from './metrics.js';
import { strictestPolicy, type RddsPolicy } from './redaction.js';
import type { RegistrarDirectory, RegistrarInfo, RegistrarSet } from './registrars.js';

export interface DomainView { record: DomainRecord; registrar: RegistrarInfo; zone: Zone; policy: ZonePolicy }
export interface HostView { record: HostRecord; registrar: RegistrarInfo }
export interface ContactEntityView { record: ContactRecord; registrar?: RegistrarInfo; policy: RddsPolicy }

/** A name as asked for: its A-label form, or why it is not a name. */
export type NameQuery = { name: string; idn: boolean } | { problem: NameProblem };

export interface SearchResult<T> { items: T[]; truncated: boolean }

export interface RegistrationDataOptions {
  reader: () => ConnectionPool;
  zones: ZoneCache;
  registrars: RegistrarDirectory;
  inv: Invalidations;
  cacheEntries: number;
  searchMaxResults: number;
  metrics?: RddsMetrics;
  clock?: () => Date;
  /** Seconds the data read may be behind the primary (the standby's replication lag). */
  lagSeconds?: () => number;
  /**
   * Domain lookup statements on the way at a time (default 2). While that many are out, new
   * misses wait and leave together when one returns: the busier the process, the larger the
   * batches; an idle one sends at once.
   */
  maxLookupsInFlight?: number;
}

/** Most domains one lookup statement carries. */
const DOMAIN_BATCH = 200;

export function normaliseName(input: string): NameQuery {
  // Lookups may name the domain fully qualified ("example.com."); EPP names never carry the root dot.
  const r = toALabel(input.trim().replace(/(?<=.)\.$/, ''));
  if ('problem' in r) return r;
  return { name: r.name, idn: /[^\x00-\x7f]/.test(input.trim()) };
}

export class RegistrationData implements CacheListener {
  private readonly domains: RecordCache<DomainRecord | null>;
  private readonly hosts: RecordCache<HostRecord | null>;
  private readonly contacts: RecordCache<ContactRecord | null>;
  private readonly clock: () => Date;
  /**
   * Domain misses of one event-loop turn go to Postgres in one statement (its cache off: every
   * load reads after its query arrived, and RecordCache decides what may be kept), and so do
   * those of the turns that pass while maxLookupsInFlight statements are out. WHOIS needs the
   * latter: its queries arrive one per connection, spread over turns (1.03 names per statement
   * when each turn sent its own).
   */
  private readonly domainLoads: DataLoader<string, Loaded<DomainRecord | null>>;
  private lookupsInFlight = 0;
  private readonly heldBatches: (() => void)[] = [];

  constructor(private readonly opts: RegistrationDataOptions) {
    const per = Math.max(1, Math.floor(opts.cacheEntries));
    this.domains = new RecordCache(opts.inv, per, opts.metrics?.cacheStats('rdds_domain'));
    this.hosts = new RecordCache(opts.inv, Math.max(1, Math.floor(per / 4)), opts.metrics?.cacheStats('rdds_host'));
    this.contacts = new RecordCache(opts.inv, Math.max(1, Math.floor(per / 4)), opts.metrics?.cacheStats('rdds_contact'));
    this.clock = opts.clock ?? (() => new Date());
    const maxInFlight = opts.maxLookupsInFlight ?? 2;
    if (!(maxInFlight >= 1)) throw new TypeError('maxLookupsInFlight must be at least 1');
    this.domainLoads = new DataLoader(async (names) => {
      this.lookupsInFlight++;
      try {
        opts.metrics?.domainLookup(names.length);
        const got = await loadDomains(this.opts.reader(), names, this.clock());
        return names.map((n) => got.get(n) ?? new Error(`no lookup row for ${n}`));
      } finally {
        this.lookupsInFlight--;
        this.heldBatches.shift()?.();
      }
    }, {
      cache: false, maxBatchSize: DOMAIN_BATCH,
      // After the poll phase, not at the end of this callback's microtasks: every HTTP request
      // and WHOIS query is its own socket callback, and the batch is those read in one turn.
      // A batch that finds the statements all out stays open (and collects) until one returns;
      // a full one (maxBatchSize) waits its turn in order.
      batchScheduleFn: (run) => setImmediate(() => {
        if (this.lookupsInFlight < maxInFlight) run();
        else this.heldBatches.push(run);
      }),
    });
  }

  /** Entries held, for the metrics. */
  get cacheSizes(): Record<string, number> {
    return { rdds_domain: this.domains.size, rdds_host: this.hosts.size, rdds_contact: this.contacts.size };
  }

  invalidate(key: string): void {
    for (const dep of depsOfNotice(key)) {
      this.opts.inv.note(dep);
      this.domains.invalidate(dep);
      this.hosts.invalidate(dep);
      this.contacts.invalidate(dep);
    }
  }

  flushAll(): void {
    this.opts.inv.noteAll();
    this.domains.flush();
    this.hosts.flush();
    this.contacts.flush();
  }

  /**
   * As of when the data is known to be current: now when reading from the primary (the caches
   * are kept current by the change log), now minus the replication lag when reading from a standby.
   */
  asOf(): Date {
    const lag = this.opts.lagSeconds?.() ?? 0;
    const now = this.clock();
    return Number.isFinite(lag) && lag > 0 ? new Date(now.getTime() - Math.round(lag * 1000)) : now;
  }

  private async registrarSet(id?: number): Promise<RegistrarSet> {
    let set = await this.opts.registrars.all();
    // A registrar created after the directory was loaded, before its notice arrived.
    if (id !== undefined && !set.byId.has(id)) {
      this.opts.registrars.flushAll();
      set = await this.opts.registrars.all();
    }
    return set;
  }

  /** The zone a registrable name is in; undefined for names we cannot hold (other TLDs, sub-domains). */
  async zoneFor(aLabel: string): Promise<Zone | undefined> {
    const zones = await this.opts.zones.all();
    const z = zoneOf(aLabel, zones.values());
    if (!z || !isRegistrable(aLabel, z)) return undefined;
    return zones.get(z.name);
  }

  async domain(aLabel: string): Promise<DomainView | undefined> {
    const zone = await this.zoneFor(aLabel);
    if (!zone) return undefined;
    const record = await this.domains.get(`dn:${aLabel}`, () => this.domainLoads.load(aLabel));
    if (!record) return undefined;
    const registrar = (await this.registrarSet(record.sponsorId)).byId.get(record.sponsorId)!;
    const zones = await this.opts.zones.all();
    const z = [...zones.values()].find((x) => x.id === record.zoneId) ?? zone;
    return { record, registrar, zone: z, policy: z.policy };
  }

  async host(aLabel: string): Promise<HostView | undefined> {
    const record = await this.hosts.get(`hn:${aLabel}`, () => loadHost(this.opts.reader(), aLabel));
    if (!record) return undefined;
    const registrar = (await this.registrarSet(record.sponsorId)).byId.get(record.sponsorId)!;
    return { record, registrar };
  }

  /** A contact by ROID, under the strictest policy of the registry's zones (contacts are registry-wide). */
  async contact(roid: string): Promise<ContactEntityView | undefined> {
    const record = await this.contacts.get(`cr:${roid}`, () => loadContact(this.opts.reader(), roid));
    if (!record) return undefined;
    const registrar = (await this.registrarSet(record.sponsorId)).byId.get(record.sponsorId);
    const zones = await this.opts.zones.all();
    return { record, ...(registrar ? { registrar } : {}), policy: strictestPolicy([...zones.values()].map((z) => z.policy), DEFAULT_POLICY) };
  }

  /** A registrar by its RDAP handle: the IANA ID, or the client id of a registrar without one. */
  async registrarByHandle(handle: string): Promise<RegistrarInfo | undefined> {
    const set = await this.registrarSet();
    if (/^[0-9]{1,10}$/.test(handle)) {
      const r = set.byIanaId.get(Number(handle));
      if (r) return r;
    }
    const r = set.byClientId.get(handle);
    return r && r.ianaId === undefined ? r : undefined;
  }

  /** WHOIS "registrar X": by name (case-insensitive) or IANA ID. */
  async registrarByNameOrId(q: string): Promise<RegistrarInfo | undefined> {
    const set = await this.registrarSet();
    if (/^[0-9]{1,10}$/.test(q)) return set.byIanaId.get(Number(q));
    const lower = q.toLowerCase();
    return set.list.find((r) => r.name.toLowerCase() === lower);
  }

  async hostsByIp(ip: string): Promise<HostView[]> {
    const names = await searchHostNames(this.opts.reader(), { ip }, this.opts.searchMaxResults);
    return (await Promise.all(names.slice(0, this.opts.searchMaxResults).map((n) => this.host(n)))).filter((h): h is HostView => !!h);
  }

  async searchDomains(by: { name: NameMatch } | { nsName: NameMatch } | { nsIp: string }): Promise<SearchResult<DomainView>> {
    const limit = this.opts.searchMaxResults;
    const names = await searchDomainNames(this.opts.reader(), by, limit);
    const found = await Promise.all(names.slice(0, limit).map((n) => this.domain(n)));
    return { items: found.filter((d): d is DomainView => !!d), truncated: names.length > limit };
  }

  async searchHosts(by: { name: NameMatch } | { ip: string }): Promise<SearchResult<HostView>> {
    const limit = this.opts.searchMaxResults;
    const names = await searchHostNames(this.opts.reader(), by, limit);
    const found = await Promise.all(names.slice(0, limit).map((n) => this.host(n)));
    return { items: found.filter((h): h is HostView => !!h), truncated: names.length > limit };
  }

  /**
   * Entity searches cover registrars (by name, or by handle: IANA ID or client id), with "*" as
   * a trailing wildcard. Contacts are not searchable: a search by name would let anyone find
   * whose data is behind a redaction (RFC 9082 §3.2.3 leaves entity search policy to the server).
   */
  async searchRegistrars(by: { fn: string } | { handle: string }): Promise<SearchResult<RegistrarInfo>> {
    const set = await this.registrarSet();
    const pattern = 'fn' in by ? by.fn : by.handle;
    const star = pattern.endsWith('*');
    const stem = (star ? pattern.slice(0, -1) : pattern).toLowerCase();
    const hit = (s: string | undefined) => s !== undefined && (star ? s.toLowerCase().startsWith(stem) : s.toLowerCase() === stem);
    const all = set.list.filter((r) => ('fn' in by ? hit(r.name) : hit(r.ianaId !== undefined ? String(r.ianaId) : r.clientId)));
    return { items: all.slice(0, this.opts.searchMaxResults), truncated: all.length > this.opts.searchMaxResults };
  }
}
