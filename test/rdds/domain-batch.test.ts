/**
 * RegistrationData.domain() (src/rdds/service.ts): the cache misses of queries that arrive in one
 * event-loop turn read their domains in one statement, each query gets its own domain (or none),
 * and a cached domain sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type ConnectionPool } from '../../src/db/pool.js';
import { Invalidations } from '../../src/rdds/cache.js';
import { createRddsMetrics } from '../../src/rdds/metrics.js';
import { RegistrarDirectory } from '../../src/rdds/registrars.js';
import { RegistrationData } from '../../src/rdds/service.js';
import { ZoneCache } from '../../src/registry/zone-cache.js';
import { createTestDb, recordingPool, seedSponsor, type TestDb } from '../helpers/db.js';

describe('RDDS domain lookups in batches', () => {
  let t: TestDb;
  let pool: ConnectionPool;
  let sent: string[];

  beforeAll(async () => {
    t = await createTestDb();
    ({ pool, sent } = recordingPool(t.url));
    const s = await seedSponsor(pool, { zone: 'batch', clientId: 'batcher', name: 'Batch Registrar', contactRoid: 'C900-REG', contactId: 'batch-c' });
    for (let i = 1; i <= 3; i++) {
      await pool.query(sql`INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
        VALUES (${`D90${i}-REG`}, ${`d${i}.batch`}, ${s.zoneId}, ${s.registrarId}, ${s.registrarId}, ${s.contactId}, now(), now() + interval '1 year')`);
    }
  });
  afterAll(async () => {
    await pool.dispose();
    await t.drop();
  });

  const lookups = () => sent.filter((s) => s.includes('rdds_domain('));
  const metricValue = async (m: ReturnType<typeof createRddsMetrics>, name: string) =>
    Number(/ (\d+)$/m.exec((await m.registry.getSingleMetricAsString(name)).split('\n').pop()!)?.[1]);

  it('reads the misses of concurrent queries in one statement, each with its own answer', async () => {
    const metrics = createRddsMetrics();
    const data = new RegistrationData({
      reader: () => pool, zones: new ZoneCache(() => pool), registrars: new RegistrarDirectory(() => pool),
      inv: new Invalidations(false), cacheEntries: 100, searchMaxResults: 10, metrics,
    });
    // Zones and registrars load first, so only the domains are left to read below.
    await data.domain('absent.batch');
    sent.length = 0;
    const got = await Promise.all(['d1.batch', 'd2.batch', 'none.batch', 'd3.batch', 'd2.batch'].map((n) => data.domain(n)));
    expect(got.map((v) => v?.record.name ?? null)).toEqual(['d1.batch', 'd2.batch', null, 'd3.batch', 'd2.batch']);
    expect(got[0]!.record.roid).toBe('D901-REG');
    expect(got[0]!.registrar.name).toBe('Batch Registrar');
    expect(got[0]!.record.contacts.map((c) => c.role)).toEqual(['registrant']);
    expect(lookups()).toHaveLength(1);
    // One statement before (absent.batch) and one for the batch, which read the four names once
    // each (the two queries for d2.batch share one load).
    expect(await metricValue(metrics, 'registry_rdds_domain_lookup_statements_total')).toBe(2);
    expect(await metricValue(metrics, 'registry_rdds_domain_lookup_names_total')).toBe(1 + 4);

    // Now cached: nothing goes to Postgres.
    sent.length = 0;
    expect((await data.domain('d1.batch'))?.record.name).toBe('d1.batch');
    expect(lookups()).toHaveLength(0);
  });

  it('lookups in different turns are separate statements (nothing waits for a batch to fill)', async () => {
    const data = new RegistrationData({
      reader: () => pool, zones: new ZoneCache(() => pool), registrars: new RegistrarDirectory(() => pool),
      inv: new Invalidations(false), cacheEntries: 100, searchMaxResults: 10,
    });
    sent.length = 0;
    expect((await data.domain('d1.batch'))?.record.name).toBe('d1.batch');
    expect((await data.domain('d2.batch'))?.record.name).toBe('d2.batch');
    expect(lookups()).toHaveLength(2);
  });

  it('with the statements all out, misses of later turns wait and leave together when one returns', async () => {
    // One statement is held at a gate, so "out" does not depend on how fast Postgres answers.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    let armed = false;
    let heldStarted!: () => void;
    const holding = new Promise<void>((r) => { heldStarted = r; });
    const gated = {
      ...pool,
      query: async (...a: Parameters<ConnectionPool['query']>) => {
        if (armed) { armed = false; heldStarted(); await gate; }
        return pool.query(...a);
      },
    } as unknown as ConnectionPool;
    const metrics = createRddsMetrics();
    const data = new RegistrationData({
      reader: () => gated, zones: new ZoneCache(() => pool), registrars: new RegistrarDirectory(() => pool),
      inv: new Invalidations(false), cacheEntries: 100, searchMaxResults: 10, metrics, maxLookupsInFlight: 1,
    });
    await data.domain('absent.batch');   // zones and registrars loaded: only domains are read below
    armed = true;
    const turn = () => new Promise((r) => setImmediate(r));
    const first = data.domain('d1.batch');
    await holding;
    const later = [data.domain('d2.batch')];
    await turn(); await turn();
    later.push(data.domain('d3.batch'), data.domain('none.batch'));
    await turn(); await turn();
    open();
    const got = await Promise.all([first, ...later]);
    expect(got.map((v) => v?.record.name ?? null)).toEqual(['d1.batch', 'd2.batch', 'd3.batch', null]);
    // absent.batch, then d1 alone, then the three that waited for it in one statement.
    expect(await metricValue(metrics, 'registry_rdds_domain_lookup_statements_total')).toBe(3);
    expect(await metricValue(metrics, 'registry_rdds_domain_lookup_names_total')).toBe(1 + 1 + 3);
  });

  it('a failed statement fails every query in its batch, and the next batch runs', async () => {
    let broken = true;
    const data = new RegistrationData({
      reader: () => (broken ? { ...pool, query: () => Promise.reject(new Error('connection lost')) } as unknown as ConnectionPool : pool),
      zones: new ZoneCache(() => pool), registrars: new RegistrarDirectory(() => pool),
      inv: new Invalidations(false), cacheEntries: 100, searchMaxResults: 10,
    });
    const r = await Promise.allSettled([data.domain('d1.batch'), data.domain('d2.batch')]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    broken = false;
    expect((await data.domain('d1.batch'))?.record.name).toBe('d1.batch');
  });
});
