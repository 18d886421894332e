/** Registry-staff operations on registrars: used by the admin CLI, the bootstrap seed, and tests. */
import { sql, type Queryable } from '../db/pool.js';
import { createRegistrar as insertRegistrar, registrarIdOf, setPasswordHash } from '../db/queries/registrars.js';
import { signClientCsr, type IssuedClientCert, type KeyAndCert } from '../pki/ca.js';
import { isValidCidr } from '../security/allowlist.js';
import { generatePassword, hashPassword, passwordPolicyError } from '../security/password.js';

export class AdminError extends Error {}

async function idOf(db: Queryable, clientId: string): Promise<number> {
  const id = await registrarIdOf(db, clientId);
  if (id === undefined) throw new AdminError(`no registrar with client id ${clientId}`);
  return id;
}

function checkPassword(pw: string): void {
  const problem = passwordPolicyError(pw);
  if (problem) throw new AdminError(problem);
}

export interface NewRegistrar {
  clientId: string; name: string; password?: string; email?: string; ianaId?: number;
  maxSessions?: number; ips?: string[]; zones?: string[];
}

/** Creates a registrar; returns the password (generated when none was given) for printing once. */
export async function createRegistrar(db: Queryable, r: NewRegistrar): Promise<{ id: number; password: string }> {
  if (!/^[A-Za-z0-9._-]{3,16}$/.test(r.clientId)) throw new AdminError('client id must be 3-16 characters of A-Z a-z 0-9 . _ -');
  const password = r.password ?? generatePassword();
  checkPassword(password);
  for (const ip of r.ips ?? []) if (!isValidCidr(ip)) throw new AdminError(`not a CIDR: ${ip}`);
  const passwordHash = await hashPassword(password);
  return db.tx(async (tx) => {
    const id = await insertRegistrar(tx, { clientId: r.clientId, name: r.name, passwordHash, ...(r.email ? { email: r.email } : {}), ...(r.ianaId ? { ianaId: r.ianaId } : {}), ...(r.maxSessions ? { maxSessions: r.maxSessions } : {}) });
    for (const ip of r.ips ?? []) await tx.query(sql`INSERT INTO registrar_ips (registrar_id, cidr) VALUES (${id}, ${ip}::cidr)`);
    for (const z of r.zones ?? []) {
      const rows = await tx.query(sql`INSERT INTO registrar_zones (registrar_id, zone_id) SELECT ${id}, id FROM zones WHERE name = ${z} RETURNING zone_id`);
      if (rows.length === 0) throw new AdminError(`no zone ${z}`);
    }
    return { id, password };
  });
}

export async function setPassword(db: Queryable, clientId: string, password = generatePassword()): Promise<string> {
  checkPassword(password);
  const id = await idOf(db, clientId);
  await setPasswordHash(db, id, await hashPassword(password));
  return password;
}

export async function addIp(db: Queryable, clientId: string, cidr: string): Promise<void> {
  if (!isValidCidr(cidr)) throw new AdminError(`not a CIDR: ${cidr}`);
  const id = await idOf(db, clientId);
  await db.query(sql`INSERT INTO registrar_ips (registrar_id, cidr) VALUES (${id}, ${cidr}::cidr) ON CONFLICT DO NOTHING`);
}

export async function removeIp(db: Queryable, clientId: string, cidr: string): Promise<boolean> {
  if (!isValidCidr(cidr)) throw new AdminError(`not a CIDR: ${cidr}`);
  const id = await idOf(db, clientId);
  const rows = await db.query(sql`DELETE FROM registrar_ips WHERE registrar_id = ${id} AND cidr = ${cidr}::cidr RETURNING 1`);
  return rows.length > 0;
}

export async function listIps(db: Queryable, clientId: string): Promise<string[]> {
  const id = await idOf(db, clientId);
  const rows = await db.query(sql`SELECT host(cidr) || '/' || masklen(cidr) AS cidr FROM registrar_ips WHERE registrar_id = ${id} ORDER BY cidr`);
  return rows.map((r: { cidr: string }) => r.cidr);
}

export async function setEnabled(db: Queryable, clientId: string, enabled: boolean): Promise<void> {
  const id = await idOf(db, clientId);
  await db.query(sql`UPDATE registrars SET enabled = ${enabled}, updated_at = now() WHERE id = ${id}`);
  // A disabled registrar's open sessions end at their next command (credentials are re-read).
}

export async function setMaxSessions(db: Queryable, clientId: string, n: number): Promise<void> {
  const id = await idOf(db, clientId);
  await db.query(sql`UPDATE registrars SET max_sessions = ${n}, updated_at = now() WHERE id = ${id}`);
}

/** Signs a registrar's CSR with the registry CA and binds the certificate's fingerprint to it. */
export async function issueCert(db: Queryable, ca: KeyAndCert, clientId: string, csrPem: string, days?: number): Promise<IssuedClientCert> {
  const id = await idOf(db, clientId);
  const cert = signClientCsr(ca, csrPem, { clientId, ...(days ? { days } : {}) });
  await db.query(sql`INSERT INTO registrar_certs (registrar_id, fingerprint, subject, serial, not_after)
                     VALUES (${id}, ${cert.fingerprint}, ${cert.subject}, ${cert.serial}, ${cert.notAfter})`);
  return cert;
}

export async function revokeCert(db: Queryable, clientId: string, fingerprint: string): Promise<boolean> {
  const id = await idOf(db, clientId);
  const rows = await db.query(sql`UPDATE registrar_certs SET revoked_at = now() WHERE registrar_id = ${id} AND fingerprint = ${fingerprint.toUpperCase()} AND revoked_at IS NULL RETURNING 1`);
  return rows.length > 0;
}

export async function listRegistrars(db: Queryable): Promise<{ clientId: string; name: string; enabled: boolean; maxSessions: number; ips: string[]; zones: string[]; certs: number }[]> {
  const rows = await db.query(sql`
    SELECT r.client_id, r.name, r.enabled, r.max_sessions,
           coalesce((SELECT array_agg(host(cidr) || '/' || masklen(cidr) ORDER BY cidr) FROM registrar_ips i WHERE i.registrar_id = r.id), '{}') AS ips,
           coalesce((SELECT array_agg(z.name ORDER BY z.name) FROM registrar_zones rz JOIN zones z ON z.id = rz.zone_id WHERE rz.registrar_id = r.id), '{}') AS zones,
           (SELECT count(*)::int FROM registrar_certs c WHERE c.registrar_id = r.id AND c.revoked_at IS NULL) AS certs
      FROM registrars r ORDER BY r.client_id`);
  return rows.map((r: Record<string, never>) => ({ clientId: r.client_id, name: r.name, enabled: r.enabled, maxSessions: r.max_sessions, ips: r.ips, zones: r.zones, certs: r.certs }));
}
