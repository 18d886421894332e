/** Queries on hosts. */
import { sql, type Queryable } from '../pool.js';

export async function existingHostNames(db: Queryable, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.query(sql`SELECT name FROM hosts WHERE name = ANY(${names})`);
  return new Set(rows.map((r: { name: string }) => r.name));
}
