/**
 * The statements the publisher runs per batch against PowerDNS's `records` table must probe an
 * index, never scan the zone: replacing and reading one unit's records go through the
 * registry's index (domain_id, registry_unit COLLATE "C"), which a comparison under the column's
 * default collation cannot use; reading the published SOA goes through PowerDNS's (name, type)
 * index, which a read by domain_id and type alone cannot use. Either scan cost a million-domain
 * zone's publisher far more than the batch itself.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createConnectionPool, sql } from '../../src/db/pool.js';
import { ensurePdnsDatabase } from '../../src/dns/powerdns-server.js';
import { PowerDnsDb, publishedSerial, replaceUnits, unitRecords } from '../../src/dns/powerdns.js';

describe('PowerDNS records: per-unit statements', () => {
  const adminUrl = inject('pgAdminUrl');
  const name = `pdns_${randomBytes(5).toString('hex')}`;
  let pdns: PowerDnsDb;
  let zoneId: number;

  beforeAll(async () => {
    // A database with PowerDNS's own schema (pdns-backend-pgsql), then the registry's additions.
    pdns = new PowerDnsDb(await ensurePdnsDatabase(adminUrl, name));
    await pdns.ensureSchema();
    [{ id: zoneId }] = await pdns.pool.query(sql`INSERT INTO domains (name, type) VALUES ('example', 'NATIVE') RETURNING id`);
    // Enough units that a scan of the zone costs far more than the index probe, so the planner's
    // choice is the index wherever the index can serve the comparison.
    await pdns.pool.query(sql`
      INSERT INTO records (domain_id, name, type, content, ttl, auth, registry_unit)
      SELECT ${zoneId}, 'd' || g || '.example', 'NS', 'ns' || (g % 2) || '.dns.example', 3600, false, 'd' || g || '.example'
        FROM generate_series(1, 20000) g`);
    await pdns.pool.query(sql`INSERT INTO records (domain_id, name, type, content, ttl, auth)
      VALUES (${zoneId}, 'example', 'SOA', 'ns1.dns.example hostmaster.example 2026120601 10800 3600 604800 3600', 3600, true)`);
    await pdns.pool.query(sql`ANALYZE records`);
  });
  afterAll(async () => {
    await pdns?.dispose();
    const admin = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
    await admin.query(sql`DROP DATABASE IF EXISTS ${sql.ident(name)} WITH (FORCE)`);
    await admin.dispose();
  });

  // This transaction's own counters (pg_stat_xact_*): what exactly the statements between two
  // readings did (an INSERT's own checks are left out by replacing with no records).
  const scanCounters = (tx: Parameters<Parameters<PowerDnsDb['pool']['tx']>[0]>[0]) => async () => {
    const [s] = await tx.query(sql`SELECT seq_scan, idx_scan FROM pg_stat_xact_user_tables WHERE relname = 'records'`);
    return { seq: Number(s.seq_scan), idx: Number(s.idx_scan) };
  };

  it('reads the published serial through the (name, type) index', async () => {
    const stats = await pdns.pool.tx(async (tx) => {
      const counters = scanCounters(tx);
      const before = await counters();
      const serial = await publishedSerial(tx, { id: zoneId, name: 'example', kind: 'NATIVE' });
      const after = await counters();
      return { serial, seqScans: after.seq - before.seq, indexScans: after.idx - before.idx };
    });
    expect(stats.serial).toBe(2026120601);
    expect(stats.seqScans).toBe(0);
    expect(stats.indexScans).toBe(1);
  });

  it('replaces and reads a unit through the index, without scanning the zone', async () => {
    const stats = await pdns.pool.tx(async (tx) => {
      const counters = scanCounters(tx);
      const before = await counters();
      await replaceUnits(tx, zoneId, ['d8.example', 'd9.example'], []);
      const read = await unitRecords(tx, zoneId, 'd7.example');
      const after = await counters();
      return { read, seqScans: after.seq - before.seq, indexScans: after.idx - before.idx };
    });
    expect(stats.read.map((r) => [r.name, r.type, r.content, r.unit])).toEqual([['d7.example', 'NS', 'ns1.dns.example', 'd7.example']]);
    expect(stats.seqScans).toBe(0);
    expect(stats.indexScans).toBeGreaterThanOrEqual(2); // an ANY() probe may count once per element
    const left = await pdns.pool.query(sql`SELECT registry_unit FROM records WHERE registry_unit IN ('d7.example', 'd8.example', 'd9.example')`);
    expect(left.map((r) => r.registry_unit)).toEqual(['d7.example']);
  });
});
