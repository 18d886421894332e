/** object_history: one row per transform with the object's state after it. */
import { sql, type Queryable } from '../pool.js';

export async function recordHistory(db: Queryable, h: { type: 'domain' | 'host' | 'contact'; roid: string; at: Date; registrarId: number | null; svTrid: string; action: string; snapshot: unknown }): Promise<void> {
  await db.query(sql`INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
                     VALUES (${h.type}, ${h.roid}, ${h.at}, ${h.registrarId}, ${h.svTrid}, ${h.action}, ${JSON.stringify(h.snapshot)}::jsonb)`);
}

/** A repository object identifier "<letter><number>-<REPOID>" (RFC 5730 §2.8). */
export async function nextRoid(db: Queryable, letter: 'D' | 'H' | 'C', repoId: string): Promise<string> {
  const [r] = await db.query(sql`SELECT nextval('roid_seq')::bigint AS n`);
  return `${letter}${r.n}-${repoId}`;
}
