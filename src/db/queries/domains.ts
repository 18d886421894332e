/** Queries on domains. */
import { sql, type Queryable } from '../pool.js';

/** Which of these A-label names are registered. */
export async function existingDomainNames(db: Queryable, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.query(sql`SELECT name FROM domains WHERE name = ANY(${names})`);
  return new Set(rows.map((r: { name: string }) => r.name));
}
