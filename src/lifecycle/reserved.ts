/**
 * Reserved names: blocked outright, or allocatable to one registrar that presents the allocation
 * token (RFC 8495). Tokens are random, shown once, and stored only as a SHA-256.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Queryable } from '../db/pool.js';
import { AuthorizationError, StatusProhibitsOperationError } from '../epp/errors.js';
import { NS } from '../xml/namespaces.js';

export interface Reservation { name: string; zoneId: number; reason: string; registrarId?: number; tokenSha256?: string; tokenExpiresAt?: Date }

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 160 random bits, URL-safe: far beyond guessing (RFC 8495 §6 asks for tokens that are hard to guess). */
export function newAllocationToken(): string {
  return randomBytes(20).toString('base64url');
}

export async function reservations(db: Queryable, names: readonly string[]): Promise<Map<string, Reservation>> {
  if (names.length === 0) return new Map();
  const rows = await db.query(sql`SELECT name, zone_id, reason, registrar_id, token_sha256, token_expires_at FROM reserved_names WHERE name = ANY(${names})`);
  return new Map(rows.map((r: { name: string; zone_id: number; reason: string; registrar_id: number | null; token_sha256: string | null; token_expires_at: Date | null }) => [r.name, {
    name: r.name, zoneId: r.zone_id, reason: r.reason,
    ...(r.registrar_id !== null ? { registrarId: r.registrar_id } : {}),
    ...(r.token_sha256 !== null ? { tokenSha256: r.token_sha256 } : {}),
    ...(r.token_expires_at !== null ? { tokenExpiresAt: r.token_expires_at } : {}),
  }]));
}

function tokenMatches(r: Reservation, registrarId: number, token: string, now: Date): boolean {
  if (r.registrarId !== registrarId || !r.tokenSha256) return false;
  if (r.tokenExpiresAt && r.tokenExpiresAt <= now) return false;
  return timingSafeEqual(Buffer.from(tokenDigest(token), 'hex'), Buffer.from(r.tokenSha256, 'hex'));
}

/** Whether a check should show the name available to this registrar (reserved names are not, unless its token is given). */
export function reservedFor(r: Reservation | undefined, registrarId: number, token: string | undefined, now: Date): boolean {
  if (!r) return false;
  return !(token !== undefined && tokenMatches(r, registrarId, token, now));
}

/**
 * Create of a name: a blocked reservation, or an allocatable one without its token, is 2304; a
 * token that does not allocate this name to this registrar is 2201 (RFC 8495 §3.2.4).
 * Returns true when the name was allocated by its token (the reservation is then used up).
 */
export function verifyAllocation(r: Reservation | undefined, name: string, registrarId: number, token: string | undefined, now: Date): boolean {
  const tokenEl = { ns: NS.allocationToken, local: 'allocationToken', ...(token !== undefined ? { text: token } : {}) };
  if (token !== undefined) {
    if (!r || !tokenMatches(r, registrarId, token, now)) throw new AuthorizationError(`the allocation token does not allocate ${name} to you`, tokenEl);
    return true;
  }
  if (r) {
    throw new StatusProhibitsOperationError(r.registrarId !== undefined ? `${name} is reserved: allocatable only with its allocation token` : `${name} is reserved (${r.reason})`,
      { ns: NS.domain, local: 'name', text: name });
  }
  return false;
}

export async function consumeReservation(db: Queryable, name: string): Promise<void> {
  await db.query(sql`DELETE FROM reserved_names WHERE name = ${name}`);
}
