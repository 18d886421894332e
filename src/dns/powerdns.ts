/**
 * The PowerDNS side: its gpgsql database (records written in transactions, one row lock per zone
 * serialising every writer), its HTTP API (NOTIFY at once), and pdnsutil (DNSSEC keys).
 * PowerDNS's schema gets one extra column, records.registry_unit, naming the unit a row belongs
 * to, so a unit is replaced by one indexed DELETE and rows the registry did not write stand out.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { createConnectionPool, sql, type ConnectionPool, type Transaction } from '../db/pool.js';
import type { Rec } from './zone-content.js';

const run = promisify(execFile);

export interface PdnsZone { id: number; name: string; kind: string }

export class PowerDnsDb {
  readonly pool: ConnectionPool;

  constructor(connectionString: string, poolSize = 3) {
    this.pool = createConnectionPool({ connectionString, poolSize, applicationName: 'registry-dns', onError: () => {} });
  }

  /** Our additions to PowerDNS's schema: idempotent, harmless to PowerDNS (it names the columns it reads). */
  async ensureSchema(): Promise<void> {
    const [t] = await this.pool.query(sql`SELECT to_regclass('records') AS t`);
    if (!t.t) throw new Error('the PowerDNS database has no records table: load the schema of pdns-backend-pgsql (schema.pgsql.sql) first');
    await this.pool.query(sql`ALTER TABLE records ADD COLUMN IF NOT EXISTS registry_unit text`);
    await this.pool.query(sql`CREATE INDEX IF NOT EXISTS records_registry_unit ON records (domain_id, registry_unit COLLATE "C")`);
  }

  async zone(name: string): Promise<PdnsZone | undefined> {
    const [r] = await this.pool.query(sql`SELECT id, name, type FROM domains WHERE name = ${name}`);
    return r ? { id: r.id, name: r.name, kind: r.type } : undefined;
  }

  /** A primary zone (PowerDNS sends NOTIFY for MASTER zones, RFC 1996), with per-zone also-notify targets. */
  async createZone(name: string, alsoNotify: string[]): Promise<PdnsZone> {
    return this.pool.tx(async (tx) => {
      const [r] = await tx.query(sql`INSERT INTO domains (name, type) VALUES (${name}, 'MASTER')
        ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id, name, type`);
      await setMetadata(tx, r.id, 'ALSO-NOTIFY', alsoNotify);
      return { id: r.id, name: r.name, kind: r.type };
    });
  }

  async setAlsoNotify(zoneId: number, targets: string[]): Promise<boolean> {
    return this.pool.tx(async (tx) => {
      const have: string[] = (await tx.query(sql`SELECT content FROM domainmetadata WHERE domain_id = ${zoneId} AND kind = 'ALSO-NOTIFY' ORDER BY content`)).map((r: { content: string }) => r.content);
      if (JSON.stringify(have) === JSON.stringify([...targets].sort())) return false;
      await setMetadata(tx, zoneId, 'ALSO-NOTIFY', targets);
      return true;
    });
  }

  /** Runs fn in one PowerDNS transaction holding the zone's row lock (publisher and resync exclude each other). */
  withZone<T>(zoneId: number, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pool.tx(async (tx) => {
      await tx.query(sql`SELECT id FROM domains WHERE id = ${zoneId} FOR UPDATE`);
      return fn(tx);
    });
  }

  async security(zoneId: number): Promise<{ activeKeys: number; nsec3param?: string }> {
    const [k] = await this.pool.query(sql`SELECT count(*)::int AS n FROM cryptokeys WHERE domain_id = ${zoneId} AND active`);
    const [m] = await this.pool.query(sql`SELECT content FROM domainmetadata WHERE domain_id = ${zoneId} AND kind = 'NSEC3PARAM'`);
    return { activeKeys: k.n, ...(m ? { nsec3param: m.content } : {}) };
  }

  async dispose(): Promise<void> { await this.pool.dispose(); }
}

async function setMetadata(tx: Transaction, zoneId: number, kind: string, values: string[]): Promise<void> {
  await tx.query(sql`DELETE FROM domainmetadata WHERE domain_id = ${zoneId} AND kind = ${kind}`);
  for (const v of values) await tx.query(sql`INSERT INTO domainmetadata (domain_id, kind, content) VALUES (${zoneId}, ${kind}, ${v})`);
}

/** Replaces the records of the given units of a zone with recs (each tagged with its unit). */
export async function replaceUnits(tx: Transaction, zoneId: number, units: string[], recs: (Rec & { unit: string })[]): Promise<void> {
  if (units.length) await tx.query(sql`DELETE FROM records WHERE domain_id = ${zoneId} AND registry_unit COLLATE "C" = ANY(${units}::text[])`);
  for (let i = 0; i < recs.length; i += 5000) {
    const part = recs.slice(i, i + 5000);
    await tx.query(sql`
      INSERT INTO records (domain_id, name, type, content, ttl, prio, disabled, ordername, auth, registry_unit)
      SELECT ${zoneId}, n, t, c, ttl, CASE WHEN t IS NULL THEN NULL ELSE 0 END, false, o, a, u
        FROM unnest(${part.map((r) => r.name)}::text[], ${part.map((r) => r.type)}::text[], ${part.map((r) => r.content)}::text[],
                    ${part.map((r) => r.ttl)}::int[], ${part.map((r) => r.ordername)}::text[], ${part.map((r) => r.auth)}::boolean[],
                    ${part.map((r) => r.unit)}::text[]) AS x(n, t, c, ttl, o, a, u)`);
  }
}

/**
 * The serial in the zone's published SOA, if any. By name as well as zone: PowerDNS indexes
 * records by (name, type) and by domain_id alone, and every record of a zone has its domain_id,
 * so without the name this read scanned the zone (a second per publisher batch at a million names).
 */
export async function publishedSerial(tx: Transaction | ConnectionPool, zone: PdnsZone): Promise<number | undefined> {
  const [r] = await tx.query(sql`SELECT content FROM records WHERE name = ${zone.name} AND type = 'SOA' AND domain_id = ${zone.id} LIMIT 1`);
  if (!r) return undefined;
  const n = Number(String(r.content).split(/\s+/)[2]);
  return Number.isInteger(n) ? n : undefined;
}

export async function setSoa(tx: Transaction, zoneId: number, zone: string, content: string): Promise<void> {
  await tx.query(sql`UPDATE records SET content = ${content} WHERE domain_id = ${zoneId} AND type = 'SOA' AND name = ${zone}`);
}

/** Rows as stored, with their unit (null: not written by the registry). */
export interface StoredRec extends Rec { unit: string | null }

/** Rows of the units in (after, through] of a zone (apex excluded), in unit order; through undefined: to the end. */
export async function unitRecordsInRange(tx: Transaction, zoneId: number, zone: string, after: string | undefined, through: string | undefined): Promise<StoredRec[]> {
  const rows = await tx.query(sql`
    SELECT name, type, content, ttl, auth, ordername, registry_unit FROM records
     WHERE domain_id = ${zoneId} AND registry_unit IS NOT NULL AND registry_unit <> ${zone}
       ${after !== undefined ? sql`AND registry_unit COLLATE "C" > ${after}` : sql``}
       ${through !== undefined ? sql`AND registry_unit COLLATE "C" <= ${through}` : sql``}
     ORDER BY registry_unit COLLATE "C"`);
  return rows.map(toStored);
}

export async function unitRecords(tx: Transaction, zoneId: number, unit: string): Promise<StoredRec[]> {
  return (await tx.query(sql`SELECT name, type, content, ttl, auth, ordername, registry_unit FROM records WHERE domain_id = ${zoneId} AND registry_unit COLLATE "C" = ${unit}`)).map(toStored);
}

/** Rows nobody in the registry wrote (hand edits, pdnsutil rectify-zone's own empty non-terminals). */
export async function strayRecords(tx: Transaction, zoneId: number): Promise<StoredRec[]> {
  return (await tx.query(sql`SELECT name, type, content, ttl, auth, ordername, registry_unit FROM records WHERE domain_id = ${zoneId} AND registry_unit IS NULL`)).map(toStored);
}

export async function deleteStray(tx: Transaction, zoneId: number): Promise<void> {
  await tx.query(sql`DELETE FROM records WHERE domain_id = ${zoneId} AND registry_unit IS NULL`);
}

function toStored(r: { name: string; type: string | null; content: string | null; ttl: number | null; auth: boolean; ordername: string | null; registry_unit: string | null }): StoredRec {
  return { name: r.name, type: r.type || null, content: r.type ? r.content : null, ttl: r.type ? r.ttl : null, auth: r.auth, ordername: r.ordername, unit: r.registry_unit };
}

/** PowerDNS's HTTP API (undici): NOTIFY now rather than at the next check cycle. */
export class PowerDnsApi {
  constructor(private readonly baseUrl: string, private readonly key: string) {}

  private async call(method: 'GET' | 'PUT', path: string): Promise<unknown> {
    const res = await request(`${this.baseUrl.replace(/\/$/, '')}/api/v1/servers/localhost${path}`, { method, headers: { 'x-api-key': this.key }, headersTimeout: 5000, bodyTimeout: 5000 });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`PowerDNS API ${method} ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** RFC 1996 NOTIFY to the zone's secondaries (NS and ALSO-NOTIFY). */
  async notify(zone: string): Promise<void> { await this.call('PUT', `/zones/${encodeURIComponent(zone + '.')}/notify`); }

  async ping(): Promise<void> { await this.call('GET', ''); }

  /** Settings that would make PowerDNS serve stale data after a direct database write. */
  async cacheSettings(): Promise<Record<string, string>> {
    const all = (await this.call('GET', '/config')) as { name: string; value: string }[];
    const want = new Set(['cache-ttl', 'query-cache-ttl', 'negquery-cache-ttl', 'zone-cache-refresh-interval']);
    return Object.fromEntries(all.filter((c) => want.has(c.name)).map((c) => [c.name, c.value]));
  }
}

/** pdnsutil against the same PowerDNS configuration (keys live in PowerDNS's database). */
export class PdnsUtil {
  constructor(private readonly bin: string, private readonly configDir: string) {}

  async run(...args: string[]): Promise<string> {
    const { stdout, stderr } = await run(this.bin, [`--config-dir=${this.configDir}`, ...args], { timeout: 60_000 });
    return stdout + stderr;
  }

  /** DNSSEC live signing with one ECDSAP256SHA256 key (algorithm 13, RFC 6605) unless the configuration says otherwise. */
  async secureZone(zone: string): Promise<void> { await this.run('secure-zone', zone); }
  /** RFC 9276 §3.1: NSEC3 with no extra iterations and an empty salt; flag 1 is opt-out (RFC 5155 §6). */
  async setNsec3(zone: string, optOut: boolean): Promise<void> { await this.run('set-nsec3', zone, `1 ${optOut ? 1 : 0} 0 -`); }
  async unsetNsec3(zone: string): Promise<void> { await this.run('unset-nsec3', zone); }
  async disableDnssec(zone: string): Promise<void> { await this.run('disable-dnssec', zone); }
  /** Every DS of the zone's keys as pdnsutil prints them (digest types 2 and 4). */
  async exportDs(zone: string): Promise<string> { return this.run('export-zone-ds', zone); }

  /**
   * What the parent needs: the DS records with digest type 2 (SHA-256, RFC 4509; RST refuses 1)
   * and the DNSKEYs of the zone's key-signing keys, for parents that take keys.
   */
  async forParent(zone: string): Promise<{ ds: string[]; dnskey: string[] }> {
    const ds = (await this.exportDs(zone)).split('\n').map((l) => l.replace(/\s*;.*$/, '').trim()).filter((l) => / IN DS \d+ \d+ 2 /.test(l));
    const dnskey = (await this.run('show-zone', zone)).split('\n').map((l) => /^(?:KSK|CSK) DNSKEY = (.*?)\s*(?:;.*)?$/.exec(l)?.[1]).filter((l): l is string => !!l);
    return { ds, dnskey };
  }
}
