/** Queries on domains. */
import { sql, type Queryable } from '../pool.js';
import type { PremiumPrice } from '../../billing/prices.js';
import type { Reservation } from '../../lifecycle/reserved.js';

/** Which of these A-label names are registered. */
export async function existingDomainNames(db: Queryable, names: string[]): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db.query(sql`SELECT name FROM domains WHERE name = ANY(${names})`);
  return new Set(rows.map((r: { name: string }) => r.name));
}

export interface DomainRow {
  id: number; roid: string; name: string; zoneId: number; sponsorId: number; sponsorClid: string; creatorClid: string; updaterClid?: string;
  registrantId?: number; registrantHandle?: string; authPw: string; statuses: string[];
  createdAt: Date; updatedAt?: Date; expiresAt: Date; transferredAt?: Date;
  contacts: { type: string; id: string }[]; ns: string[]; subordinates: string[];
  ds: { keyTag: number; alg: number; digestType: number; digest: string }[];
  pendingTransfer: boolean;
  /** RGP state (RFC 3915) of a deleted domain, with its deadline and the delete's svTRID. */
  rgpStatus?: 'redemptionPeriod' | 'pendingRestore' | 'pendingDelete';
  rgpUntil?: Date;
  deletedAt?: Date;
  restoreChargeId?: number;
}

export async function findDomain(db: Queryable, name: string, forUpdate = false): Promise<DomainRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE OF d` : sql``;
  const [r] = await db.query(sql`
    SELECT d.*, s.client_id AS sponsor_clid, cr.client_id AS creator_clid, up.client_id AS updater_clid, rc.contact_id AS registrant_handle,
           coalesce((SELECT json_agg(json_build_object('type', dc.type, 'id', c.contact_id) ORDER BY dc.type, c.contact_id)
                       FROM domain_contacts dc JOIN contacts c ON c.id = dc.contact_id WHERE dc.domain_id = d.id), '[]') AS contacts,
           coalesce((SELECT array_agg(h.name ORDER BY h.name) FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id WHERE dh.domain_id = d.id), '{}') AS ns,
           coalesce((SELECT array_agg(h.name ORDER BY h.name) FROM hosts h WHERE h.superordinate_id = d.id), '{}') AS subordinates,
           coalesce((SELECT json_agg(json_build_object('keyTag', x.key_tag, 'alg', x.alg, 'digestType', x.digest_type, 'digest', x.digest)
                                     ORDER BY x.key_tag, x.alg, x.digest_type, x.digest) FROM domain_ds x WHERE x.domain_id = d.id), '[]') AS ds,
           EXISTS (SELECT 1 FROM transfers t WHERE t.object_type = 'domain' AND t.object_id = d.id AND t.status = 'pending') AS pending_transfer
      FROM domains d JOIN registrars s ON s.id = d.sponsor_id JOIN registrars cr ON cr.id = d.creator_id
      LEFT JOIN registrars up ON up.id = d.updater_id LEFT JOIN contacts rc ON rc.id = d.registrant_id
     WHERE d.name = ${name} ${lock}`);
  if (!r) return undefined;
  return {
    id: r.id, roid: r.roid, name: r.name, zoneId: r.zone_id, sponsorId: r.sponsor_id, sponsorClid: r.sponsor_clid, creatorClid: r.creator_clid,
    ...(r.updater_clid ? { updaterClid: r.updater_clid } : {}),
    ...(r.registrant_id ? { registrantId: r.registrant_id, registrantHandle: r.registrant_handle } : {}),
    authPw: r.auth_pw, statuses: r.statuses, createdAt: r.created_at, ...(r.updated_at ? { updatedAt: r.updated_at } : {}),
    expiresAt: r.expires_at, ...(r.transferred_at ? { transferredAt: r.transferred_at } : {}),
    contacts: r.contacts, ns: r.ns, subordinates: r.subordinates, ds: r.ds, pendingTransfer: r.pending_transfer,
    ...(r.rgp_status ? { rgpStatus: r.rgp_status, rgpUntil: r.rgp_until, deletedAt: r.deleted_at } : {}),
    ...(r.restore_charge_id ? { restoreChargeId: r.restore_charge_id } : {}),
  };
}

export interface NewDomain {
  roidSuffix: string; name: string; zoneId: number; registrarId: number; registrant?: string; authPw: string;
  now: Date; expires: Date; contacts: { id: string; type: string }[]; ns: string[];
  ds: { keyTag: number; alg: number; digestType: number; digest: string }[];
  svTrid: string; snapshot: unknown;
  /** SHA-256 (hex) of the allocation token the client presented, if any (RFC 8495). */
  tokenSha256?: string;
}

/** What a create found: whether it wrote the domain, and otherwise what stood in the way. */
export interface CreateOutcome {
  created?: { id: number; roid: string };
  accredited: boolean; taken: boolean; contactsFound: Set<string>; hostsFound: Set<string>;
  /** The name's reservation and premium price (issue 4); `allocated` when the token used the reservation up. */
  reservation?: Reservation; premium?: PremiumPrice; allocated: boolean;
}

/**
 * domain:create in one round trip, through domain_create() (db/migrations/0003-objects-fixes.sql:
 * a PL/pgSQL function, so its statements are planned once per connection). It looks up what the
 * command refers to (accreditation, the name, contacts, hosts) and, only when all of it checks
 * out, inserts the domain with its contacts, name servers, DS records and object_history row.
 * Either way it answers what it found, so the flow can name the first failed guard. A
 * concurrent create of the same name wins without aborting this transaction (then `created` is
 * absent although nothing else failed). Through domain_create_reserved() (migration 0009) the
 * same round trip reads the name's reservation and premium price, and a reserved name is written
 * only when the presented allocation token allocates it.
 */
export async function createDomain(db: Queryable, d: NewDomain): Promise<CreateOutcome> {
  const [row] = await db.query(sql`
    SELECT * FROM domain_create_reserved(${d.registrarId}, ${d.zoneId}, ${d.name}, ${d.roidSuffix}, ${d.registrant ?? null}, ${d.authPw},
      ${d.now}, ${d.expires}, ${d.contacts.map((c) => c.id)}::text[], ${d.contacts.map((c) => c.type)}::text[], ${d.ns}::text[],
      ${d.ds.map((x) => x.keyTag)}::int[], ${d.ds.map((x) => x.alg)}::int[], ${d.ds.map((x) => x.digestType)}::int[], ${d.ds.map((x) => x.digest)}::text[],
      ${d.svTrid}, ${JSON.stringify(d.snapshot)}::jsonb, ${d.tokenSha256 ?? null})`);
  const res = row.reservation;
  const pre = row.premium;
  return {
    ...(row.created_id ? { created: { id: row.created_id, roid: row.created_roid } } : {}),
    accredited: !!row.is_accredited, taken: !!row.is_taken,
    contactsFound: new Set(row.found_contacts ?? []), hostsFound: new Set(row.found_hosts ?? []),
    ...(res ? { reservation: {
      name: res.name, zoneId: res.zone_id, reason: res.reason, ...(res.registrar_id !== null ? { registrarId: res.registrar_id } : {}),
      ...(res.token_sha256 ? { tokenSha256: res.token_sha256 } : {}), ...(res.token_expires_at ? { tokenExpiresAt: new Date(res.token_expires_at) } : {}),
    } } : {}),
    ...(pre ? { premium: {
      name: pre.name, feeClass: pre.class, create: Number(pre.create_amount), renew: Number(pre.renew_amount), transfer: Number(pre.transfer_amount),
      ...(pre.restore_amount !== null ? { restore: Number(pre.restore_amount) } : {}),
    } } : {}),
    allocated: !!row.allocated,
  };
}

export async function isAccredited(db: Queryable, registrarId: number, zoneId: number): Promise<boolean> {
  const rows = await db.query(sql`SELECT 1 FROM registrar_zones WHERE registrar_id = ${registrarId} AND zone_id = ${zoneId}`);
  return rows.length > 0;
}
