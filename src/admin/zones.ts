/** Registry-staff operations on zones and accreditation. */
import { sql, type Queryable } from '../db/pool.js';
import { AdminError } from './registrars.js';

/** A zone name: lower-case LDH labels (A-labels for IDN TLDs), no trailing dot. */
export function normaliseZoneName(name: string): string {
  const z = name.trim().toLowerCase().replace(/\.$/, '');
  if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(z)) throw new AdminError(`not a valid zone name: ${name}`);
  return z;
}

export async function addZone(db: Queryable, name: string, policy: Record<string, unknown> = {}): Promise<number> {
  const z = normaliseZoneName(name);
  const rows = await db.query(sql`INSERT INTO zones (name, policy) VALUES (${z}, ${JSON.stringify(policy)}::jsonb) ON CONFLICT (name) DO NOTHING RETURNING id`);
  if (rows.length === 0) throw new AdminError(`zone ${z} exists`);
  return rows[0].id;
}

export async function listZones(db: Queryable): Promise<{ name: string; registrars: number }[]> {
  const rows = await db.query(sql`SELECT z.name, (SELECT count(*)::int FROM registrar_zones rz WHERE rz.zone_id = z.id) AS registrars FROM zones z ORDER BY z.name`);
  return rows.map((r: { name: string; registrars: number }) => ({ name: r.name, registrars: r.registrars }));
}

export async function accredit(db: Queryable, clientId: string, zone: string): Promise<void> {
  const rows = await db.query(sql`
    INSERT INTO registrar_zones (registrar_id, zone_id)
    SELECT r.id, z.id FROM registrars r, zones z WHERE r.client_id = ${clientId} AND z.name = ${normaliseZoneName(zone)}
    ON CONFLICT DO NOTHING RETURNING 1`);
  if (rows.length === 0) {
    const [exists] = await db.query(sql`SELECT 1 FROM registrar_zones rz JOIN registrars r ON r.id = rz.registrar_id JOIN zones z ON z.id = rz.zone_id WHERE r.client_id = ${clientId} AND z.name = ${normaliseZoneName(zone)}`);
    if (!exists) throw new AdminError(`no registrar ${clientId} or no zone ${zone}`);
  }
}
