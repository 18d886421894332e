/**
 * Statements with parameters are sent as named prepared statements (src/db/pool.ts): prepared
 * once per connection and reused; parameterless ones (which may hold several commands) are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionPool, sql, type ConnectionPool } from '../../src/db/pool.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('named prepared statements', () => {
  let t: TestDb;
  let pool: ConnectionPool;

  beforeAll(async () => {
    t = await createTestDb();
    pool = createConnectionPool({ connectionString: t.url, poolSize: 1 });
  });
  afterAll(async () => {
    await pool.dispose();
    await t.drop();
  });

  const prepared = async (): Promise<{ name: string; statement: string }[]> =>
    pool.query(sql`SELECT name, statement FROM pg_prepared_statements WHERE statement LIKE '%named-probe%' AND statement NOT LIKE '%pg_prepared_statements%' ORDER BY name`);

  it('prepares a parameterised statement once and reuses it with other values', async () => {
    const probe = (n: number) => pool.query(sql`SELECT ${n}::int + 1 AS v /* named-probe */`);
    expect(await probe(1)).toEqual([{ v: 2 }]);
    expect(await probe(41)).toEqual([{ v: 42 }]);
    const rows = await prepared();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toMatch(/^registry_\d+$/);
  });

  it('gives another text another name, and the same text the same name inside a transaction', async () => {
    await pool.tx(async (tx) => {
      await tx.query(sql`SELECT ${'a'}::text AS s /* named-probe 2 */`);
      await tx.query(sql`SELECT ${'b'}::text AS s /* named-probe 2 */`);
      await tx.query(sql`SELECT ${1}::int + 1 AS v /* named-probe */`);
    });
    const rows = await prepared();
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.name)).size).toBe(2);
  });

  it('leaves parameterless statements unnamed, so several commands in one still run', async () => {
    await pool.query(sql`CREATE TEMP TABLE named_probe_t (x int); INSERT INTO named_probe_t VALUES (1); DROP TABLE named_probe_t`);
    expect(await prepared()).toHaveLength(2);
  });

  it('an error in a named statement leaves the connection usable and the statement reusable', async () => {
    await expect(pool.query(sql`SELECT 1 / ${0}::int AS v /* named-probe 3 */`)).rejects.toThrow(/division by zero/);
    expect(await pool.query(sql`SELECT 1 / ${1}::int AS v /* named-probe 3 */`)).toEqual([{ v: 1 }]);
  });

  it('sends nothing named when turned off (database.namedStatements=false)', async () => {
    const plain = createConnectionPool({ connectionString: t.url, poolSize: 1 }, { namedStatements: false });
    try {
      const rows = await plain.query(sql`SELECT ${7}::int AS v, (SELECT count(*) FROM pg_prepared_statements) AS n /* named-probe 4 */`);
      expect(rows).toEqual([{ v: 7, n: 0 }]);
    } finally {
      await plain.dispose();
    }
  });
});
