/** Queries on hosts. */
import { sql, type Queryable } from '../pool.js';

export async function existingHostNames(db: Queryable, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.query(sql`SELECT name FROM hosts WHERE name = ANY(${names})`);
  return new Set(rows.map((r: { name: string }) => r.name));
}

export interface HostRow {
  id: number; roid: string; name: string; sponsorId: number; sponsorClid: string; creatorClid: string; updaterClid?: string;
  superordinateId?: number; statuses: string[]; addrs: string[]; createdAt: Date; updatedAt?: Date; transferredAt?: Date; linked: boolean;
}

export async function findHost(db: Queryable, name: string, forUpdate = false): Promise<HostRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE OF h` : sql``;
  const [r] = await db.query(sql`
    SELECT h.*, s.client_id AS sponsor_clid, cr.client_id AS creator_clid, up.client_id AS updater_clid,
           coalesce((SELECT array_agg(host(a.addr) ORDER BY family(a.addr), a.addr) FROM host_addrs a WHERE a.host_id = h.id), '{}') AS addrs,
           EXISTS (SELECT 1 FROM domain_hosts dh WHERE dh.host_id = h.id) AS linked
      FROM hosts h JOIN registrars s ON s.id = h.sponsor_id JOIN registrars cr ON cr.id = h.creator_id
      LEFT JOIN registrars up ON up.id = h.updater_id
     WHERE h.name = ${name} ${lock}`);
  if (!r) return undefined;
  return {
    id: r.id, roid: r.roid, name: r.name, sponsorId: r.sponsor_id, sponsorClid: r.sponsor_clid, creatorClid: r.creator_clid,
    ...(r.updater_clid ? { updaterClid: r.updater_clid } : {}), ...(r.superordinate_id ? { superordinateId: r.superordinate_id } : {}),
    statuses: r.statuses, addrs: r.addrs, createdAt: r.created_at, ...(r.updated_at ? { updatedAt: r.updated_at } : {}),
    ...(r.transferred_at ? { transferredAt: r.transferred_at } : {}), linked: r.linked,
  };
}

export async function hostIdsByName(db: Queryable, names: string[]): Promise<Map<string, number>> {
  if (names.length === 0) return new Map();
  const rows = await db.query(sql`SELECT id, name FROM hosts WHERE name = ANY(${names})`);
  return new Map(rows.map((r: { id: number; name: string }) => [r.name, r.id]));
}
