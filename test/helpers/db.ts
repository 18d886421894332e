/** Each test file gets its own database cloned from the migrated template (fast, isolated). */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createConnectionPool, sql, Database, type ConnectionPool } from '../../src/db/pool.js';

export interface TestDb { url: string; name: string; db: Database; drop(): Promise<void> }

export async function createTestDb(): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
  await admin.query(sql`CREATE DATABASE ${sql.ident(name)} TEMPLATE ${sql.ident(inject('pgTemplate'))}`);
  await admin.dispose();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const db = new Database({ primary: url, poolSize: 5 });
  return {
    url, name, db,
    async drop() {
      await db.dispose();
      const a = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
      await a.query(sql`DROP DATABASE IF EXISTS ${sql.ident(name)} WITH (FORCE)`);
      await a.dispose();
    },
  };
}

/** A pool that records the text of every statement it sends (as Postgres receives it) in `sent`. */
export function recordingPool(url: string): { pool: ConnectionPool; sent: string[] } {
  const sent: string[] = [];
  return { pool: createConnectionPool({ connectionString: url, poolSize: 2, onQueryStart: (_q, f) => { sent.push(f.text); } }), sent };
}

/** A zone, a registrar and one contact of it, for tests that write domains with plain SQL. */
export async function seedSponsor(pool: ConnectionPool, o: { zone: string; clientId: string; name: string; contactRoid: string; contactId: string }):
  Promise<{ zoneId: number; registrarId: number; contactId: number }> {
  const [z] = await pool.query(sql`INSERT INTO zones (name) VALUES (${o.zone}) RETURNING id`);
  const [r] = await pool.query(sql`INSERT INTO registrars (client_id, name, password_hash) VALUES (${o.clientId}, ${o.name}, 'x') RETURNING id`);
  const [c] = await pool.query(sql`INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, email, auth_pw, created_at)
    VALUES (${o.contactRoid}, ${o.contactId}, ${r.id}, ${r.id}, '{"name":"N","city":"C","cc":"US"}', 'a@b.example', 'x', now()) RETURNING id`);
  return { zoneId: z.id, registrarId: r.id, contactId: c.id };
}
