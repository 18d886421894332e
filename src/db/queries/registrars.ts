/** Queries on registrars and their security settings (allow-lists, certificates, accreditation). */
import { sql, type Queryable } from '../pool.js';

export interface RegistrarAuth {
  id: number;
  clientId: string;
  name: string;
  passwordHash: string;
  enabled: boolean;
  maxSessions: number;
  cidrs: string[];
  certFingerprints: string[];
}

export async function findRegistrarAuth(db: Queryable, clientId: string): Promise<RegistrarAuth | undefined> {
  const [row] = await db.query(sql`
    SELECT r.id, r.client_id, r.name, r.password_hash, r.enabled, r.max_sessions,
           coalesce((SELECT array_agg(host(i.cidr) || '/' || masklen(i.cidr)) FROM registrar_ips i WHERE i.registrar_id = r.id), '{}') AS cidrs,
           coalesce((SELECT array_agg(c.fingerprint) FROM registrar_certs c
                      WHERE c.registrar_id = r.id AND c.revoked_at IS NULL AND (c.not_after IS NULL OR c.not_after > now())), '{}') AS certs
      FROM registrars r WHERE r.client_id = ${clientId}`);
  if (!row) return undefined;
  return {
    id: row.id, clientId: row.client_id, name: row.name, passwordHash: row.password_hash, enabled: row.enabled,
    maxSessions: row.max_sessions, cidrs: row.cidrs, certFingerprints: row.certs,
  };
}

/** Every CIDR on any enabled registrar's allow-list: a connection from elsewhere is closed at once. */
export async function allAllowedCidrs(db: Queryable): Promise<string[]> {
  const rows = await db.query(sql`
    SELECT DISTINCT host(i.cidr) || '/' || masklen(i.cidr) AS cidr
      FROM registrar_ips i JOIN registrars r ON r.id = i.registrar_id WHERE r.enabled`);
  return rows.map((r: { cidr: string }) => r.cidr);
}

export async function createRegistrar(db: Queryable, r: { clientId: string; name: string; passwordHash: string; email?: string; ianaId?: number; maxSessions?: number }): Promise<number> {
  const [row] = await db.query(sql`
    INSERT INTO registrars (client_id, name, password_hash, email, iana_id, max_sessions)
    VALUES (${r.clientId}, ${r.name}, ${r.passwordHash}, ${r.email ?? null}, ${r.ianaId ?? null}, ${r.maxSessions ?? 10})
    RETURNING id`);
  return row.id;
}

export async function setPasswordHash(db: Queryable, registrarId: number, passwordHash: string): Promise<void> {
  await db.query(sql`UPDATE registrars SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${registrarId}`);
}

export async function registrarIdOf(db: Queryable, clientId: string): Promise<number | undefined> {
  const [row] = await db.query(sql`SELECT id FROM registrars WHERE client_id = ${clientId}`);
  return row?.id;
}
