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
  // A disabled registrar's open sessions end at their next command (2501, src/epp/dispatcher.ts).
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

/** What WHOIS and RDAP publish about a registrar (RA Spec 4, gTLD RDAP Profile §2.4, §3); undefined keeps a field, null clears it. */
export interface RegistrarRddsData {
  name?: string; ianaId?: number | null; url?: string | null; whoisServer?: string | null; rdapBaseUrl?: string | null;
  email?: string | null; abuseEmail?: string | null; abusePhone?: string | null; voice?: string | null; fax?: string | null;
  street?: string[]; city?: string | null; sp?: string | null; pc?: string | null; cc?: string | null;
}

const E164 = /^\+[0-9]{1,3}\.[0-9]{1,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function checkRddsData(d: RegistrarRddsData): RegistrarRddsData {
  const out: RegistrarRddsData = { ...d };
  const url = (v: string | null | undefined, what: string) => {
    if (v == null) return;
    let u: URL;
    try { u = new URL(v); } catch { throw new AdminError(`${what} is not a URL: ${v}`); }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new AdminError(`${what} must be an http(s) URL`);
  };
  if (d.name !== undefined && !d.name.trim()) throw new AdminError('the name must not be empty');
  if (d.ianaId != null && (!Number.isInteger(d.ianaId) || d.ianaId < 1)) throw new AdminError('the IANA ID must be a positive integer');
  url(d.url, 'the URL');
  url(d.rdapBaseUrl, 'the RDAP base URL');
  // RFC 9082 §3.1: a base URL ends in "/" so that "domain/NAME" can be appended.
  if (d.rdapBaseUrl) out.rdapBaseUrl = d.rdapBaseUrl.endsWith('/') ? d.rdapBaseUrl : `${d.rdapBaseUrl}/`;
  if (d.whoisServer != null) {
    out.whoisServer = d.whoisServer.toLowerCase().replace(/\.$/, '');
    if (!HOSTNAME.test(out.whoisServer)) throw new AdminError(`the WHOIS server must be a host name: ${d.whoisServer}`);
  }
  for (const [k, what] of [['email', 'email'], ['abuseEmail', 'abuse email']] as const) {
    const v = d[k];
    if (v != null && !EMAIL.test(v)) throw new AdminError(`the ${what} is not an email address: ${v}`);
  }
  for (const [k, what] of [['abusePhone', 'abuse phone'], ['voice', 'phone'], ['fax', 'fax']] as const) {
    const v = d[k];
    if (v != null && !E164.test(v)) throw new AdminError(`the ${what} must be +CC.NUMBER (RFC 5733 §2.5), got ${v}`);
  }
  if (d.street && d.street.length > 3) throw new AdminError('at most 3 street lines');
  if (d.cc != null) {
    out.cc = d.cc.toUpperCase();
    if (!/^[A-Z]{2}$/.test(out.cc)) throw new AdminError(`the country must be a two-letter ISO 3166 code, got ${d.cc}`);
  }
  return out;
}

/** Sets the registrar's published data; the registrars trigger nudges every cache (WHOIS and RDAP show it within a second). */
export async function setRegistrarRddsData(db: Queryable, clientId: string, data: RegistrarRddsData): Promise<void> {
  const d = checkRddsData(data);
  const id = await idOf(db, clientId);
  const keep = <T>(v: T | undefined, column: ReturnType<typeof sql.ident>) => (v === undefined ? column : sql`${v}`);
  try {
    await db.query(sql`
      UPDATE registrars SET
        name = ${keep(d.name, sql.ident('name'))}, iana_id = ${keep(d.ianaId, sql.ident('iana_id'))}, url = ${keep(d.url, sql.ident('url'))},
        whois_server = ${keep(d.whoisServer, sql.ident('whois_server'))}, rdap_base_url = ${keep(d.rdapBaseUrl, sql.ident('rdap_base_url'))},
        email = ${keep(d.email, sql.ident('email'))}, abuse_email = ${keep(d.abuseEmail, sql.ident('abuse_email'))},
        abuse_phone = ${keep(d.abusePhone, sql.ident('abuse_phone'))}, voice = ${keep(d.voice, sql.ident('voice'))}, fax = ${keep(d.fax, sql.ident('fax'))},
        street = ${d.street === undefined ? sql.ident('street') : sql`${d.street}::text[]`}, city = ${keep(d.city, sql.ident('city'))},
        sp = ${keep(d.sp, sql.ident('sp'))}, pc = ${keep(d.pc, sql.ident('pc'))}, cc = ${keep(d.cc, sql.ident('cc'))},
        updated_at = now()
      WHERE id = ${id}`);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new AdminError(`IANA ID ${d.ianaId} belongs to another registrar`);
    throw err;
  }
}

export interface RegistrarContact { type: 'admin' | 'tech'; name: string; voice?: string; fax?: string; email: string }

/** Adds an admin or technical contact of the registrar (Spec 4 registrar record; RDAP Profile §3.2). */
export async function addRegistrarContact(db: Queryable, clientId: string, c: RegistrarContact): Promise<void> {
  if (c.type !== 'admin' && c.type !== 'tech') throw new AdminError('the contact type must be admin or tech');
  if (!c.name.trim()) throw new AdminError('the contact needs a name');
  if (!EMAIL.test(c.email)) throw new AdminError(`not an email address: ${c.email}`);
  for (const v of [c.voice, c.fax]) if (v !== undefined && !E164.test(v)) throw new AdminError(`phone numbers are +CC.NUMBER (RFC 5733 §2.5), got ${v}`);
  const id = await idOf(db, clientId);
  const entry = { type: c.type, name: c.name.trim(), email: c.email, ...(c.voice ? { voice: c.voice } : {}), ...(c.fax ? { fax: c.fax } : {}) };
  await db.query(sql`UPDATE registrars SET rdds_contacts = rdds_contacts || ${JSON.stringify([entry])}::jsonb, updated_at = now() WHERE id = ${id}`);
}

export async function clearRegistrarContacts(db: Queryable, clientId: string): Promise<void> {
  const id = await idOf(db, clientId);
  await db.query(sql`UPDATE registrars SET rdds_contacts = '[]', updated_at = now() WHERE id = ${id}`);
}
