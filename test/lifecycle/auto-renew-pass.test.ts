/**
 * One pass renews an expired domain once, however far in the past its expiry lies (the next
 * pass renews it again if it is still expired), and a second pass at the same instant does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/pool.js';
import { addZone } from '../../src/admin/zones.js';
import { createRegistrar } from '../../src/admin/registrars.js';
import { setPrice } from '../../src/admin/catalog.js';
import { runPass } from '../../src/jobs/scheduler.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('auto-renew pass', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await addZone(t.db.primary, 'example');
    await createRegistrar(t.db.primary, { clientId: 'reg-a', name: 'A', password: 'Secret-a-123', zones: ['example'] });
    await setPrice(t.db.primary, 'example', 'autoRenew', '3.00');
    await t.db.primary.query(sql`
      INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at)
      SELECT 'D' || g || '-REG', 'old' || g || '.example', z.id, r.id, r.id, '2020-01-01T00:00:00Z', '2021-01-01T00:00:00Z'
        FROM generate_series(1, 25) g, zones z, registrars r`);
  });
  afterAll(async () => { await t.drop(); });

  it('renews each expired domain once per pass, in batches, even when it stays expired', async () => {
    const at = new Date('2026-06-01T00:00:00.000Z');
    expect((await runPass(t.db, at, { batch: 10 })).autoRenewed).toBe(25);
    const rows = await t.db.primary.query(sql`SELECT DISTINCT expires_at FROM domains`);
    expect(rows.map((r: { expires_at: Date }) => r.expires_at.toISOString())).toEqual(['2022-01-01T00:00:00.000Z']);
    expect((await runPass(t.db, at, { batch: 10 })).autoRenewed).toBe(25);
    const [{ n, total }] = await t.db.primary.query(sql`SELECT count(*)::int AS n, sum(amount)::int AS total FROM ledger_entries WHERE operation = 'autoRenew'`);
    expect([n, total]).toEqual([50, -50 * 300]);
    // Nothing is due any more once the expiry has caught up with the pass's instant.
    expect((await runPass(t.db, new Date('2022-06-01T00:00:00.000Z'))).autoRenewed).toBe(0);
  });
});
