/**
 * NameLookup (src/db/queries/name-lookup.ts): the names asked for by commands in one event-loop
 * turn go to Postgres as one statement, each caller gets the rows for its own names, and nothing
 * is cached between turns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type ConnectionPool } from '../../../src/db/pool.js';
import { NameLookup, type NameRow } from '../../../src/db/queries/name-lookup.js';
import { createTestDb, recordingPool, seedSponsor, type TestDb } from '../../helpers/db.js';

describe('NameLookup', () => {
  let t: TestDb;
  let pool: ConnectionPool;
  let sent: string[];
  let zoneId: number;
  let registrarId: number;
  let contactId: number;

  beforeAll(async () => {
    t = await createTestDb();
    ({ pool, sent } = recordingPool(t.url));
    ({ zoneId, registrarId, contactId } = await seedSponsor(pool, { zone: 'look', clientId: 'looker', name: 'L', contactRoid: 'C800-REG', contactId: 'look-c' }));
    await addDomain('taken.look', 801);
    await pool.query(sql`INSERT INTO reserved_names (name, zone_id, reason) VALUES ('blocked.look', ${zoneId}, 'Blocked by policy')`);
    await pool.query(sql`INSERT INTO reserved_names (name, zone_id, registrar_id, token_sha256, token_expires_at)
      VALUES ('promised.look', ${zoneId}, ${registrarId}, ${'ab'.repeat(32)}, '2030-01-01T00:00:00Z')`);
  });
  afterAll(async () => {
    await pool.dispose();
    await t.drop();
  });

  async function addDomain(name: string, roid: number): Promise<void> {
    await pool.query(sql`INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
      VALUES (${`D${roid}-REG`}, ${name}, ${zoneId}, ${registrarId}, ${registrarId}, ${contactId}, now(), now() + interval '1 year')`);
  }
  const lookups = () => sent.filter((s) => s.includes('FROM reserved_names'));
  const summary = (rows: NameRow[]) => rows.map((r) => `${r.name}:${r.kind}`).sort();

  it('returns registered and reserved names with what a check needs, and nothing for free ones', async () => {
    sent.length = 0;
    const rows = await new NameLookup(() => pool).rows(['taken.look', 'blocked.look', 'promised.look', 'free.look']);
    expect(summary(rows)).toEqual(['blocked.look:reserved', 'promised.look:reserved', 'taken.look:domain']);
    expect(rows.find((r) => r.name === 'blocked.look')).toMatchObject({ zone_id: zoneId, reason: 'Blocked by policy', registrar_id: null, token_sha256: null });
    expect(rows.find((r) => r.name === 'promised.look')).toMatchObject({ registrar_id: registrarId, token_sha256: 'ab'.repeat(32), token_expires_at: new Date('2030-01-01T00:00:00Z') });
    expect(rows.find((r) => r.name === 'taken.look')).toMatchObject({ zone_id: zoneId, reason: null });
    expect(lookups()).toHaveLength(1);
  });

  it('sends the names of callers in the same turn as one statement and gives each its own rows', async () => {
    const stats = { statements: 0, names: 0 };
    const lookup = new NameLookup(() => pool, (n) => { stats.statements++; stats.names += n; });
    sent.length = 0;
    const [a, b, c, d] = await Promise.all([
      lookup.rows(['taken.look']),
      lookup.rows(['free.look', 'blocked.look']),
      lookup.rows(['taken.look', 'promised.look']),
      lookup.rows(['nothing.look']),
    ]);
    expect(summary(a)).toEqual(['taken.look:domain']);
    expect(summary(b)).toEqual(['blocked.look:reserved']);
    expect(summary(c)).toEqual(['promised.look:reserved', 'taken.look:domain']);
    expect(d).toEqual([]);
    expect(lookups()).toHaveLength(1);
    expect(stats).toEqual({ statements: 1, names: 6 });
    // Callers in a later turn get a statement of their own.
    await lookup.rows(['taken.look']);
    expect(lookups()).toHaveLength(2);
  });

  it('caches nothing: a name registered after one lookup shows in the next', async () => {
    const lookup = new NameLookup(() => pool);
    expect(await lookup.rows(['later.look'])).toEqual([]);
    await addDomain('later.look', 802);
    expect(summary(await lookup.rows(['later.look']))).toEqual(['later.look:domain']);
  });

  it('splits more names than one statement carries, and asks nothing for no names', async () => {
    const lookup = new NameLookup(() => pool);
    sent.length = 0;
    expect(await lookup.rows([])).toEqual([]);
    expect(lookups()).toHaveLength(0);
    const many = Array.from({ length: 700 }, (_, i) => `n${i}.look`).concat('taken.look');
    expect(summary(await lookup.rows(many))).toEqual(['taken.look:domain']);
    expect(lookups()).toHaveLength(2);
  });

  it('fails every caller of a failed statement, and the next turn works again', async () => {
    const lookup = new NameLookup(() => pool);
    await pool.query(sql`ALTER TABLE reserved_names RENAME TO reserved_names_away`);
    try {
      const results = await Promise.allSettled([lookup.rows(['taken.look']), lookup.rows(['free.look'])]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/reserved_names/);
    } finally {
      await pool.query(sql`ALTER TABLE reserved_names_away RENAME TO reserved_names`);
    }
    expect(summary(await lookup.rows(['taken.look', 'blocked.look']))).toEqual(['blocked.look:reserved', 'taken.look:domain']);
  });
});
