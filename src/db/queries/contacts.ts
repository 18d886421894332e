/** Queries on contacts. */
import { sql, type Queryable } from '../pool.js';

export async function existingContactIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query(sql`SELECT contact_id FROM contacts WHERE contact_id = ANY(${ids})`);
  return new Set(rows.map((r: { contact_id: string }) => r.contact_id));
}
