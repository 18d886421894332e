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

/**
 * What a domain:create refers to, read in one round trip: accreditation, the name, contacts and
 * hosts, and the name's reservation (RFC 8495) and premium price (RFC 8748), if any.
 */
export interface CreateRefs {
  accredited: boolean; taken: boolean; contacts: Map<string, number>; hosts: Map<string, number>;
  reservation?: Reservation; premium?: PremiumPrice;
}

export async function resolveCreateRefs(db: Queryable, r: { registrarId: number; zoneId: number; name: string; contacts: string[]; hosts: string[] }): Promise<CreateRefs> {
  const [row] = await db.query(sql`
    SELECT EXISTS (SELECT 1 FROM registrar_zones WHERE registrar_id = ${r.registrarId} AND zone_id = ${r.zoneId}) AS accredited,
           EXISTS (SELECT 1 FROM domains WHERE name = ${r.name}) AS taken,
           (SELECT json_object_agg(contact_id, id) FROM contacts WHERE contact_id = ANY(${r.contacts}::text[])) AS contacts,
           (SELECT json_object_agg(name, id) FROM hosts WHERE name = ANY(${r.hosts}::text[])) AS hosts,
           (SELECT row_to_json(x) FROM reserved_names x WHERE x.name = ${r.name}) AS reservation,
           (SELECT row_to_json(p) FROM premium_names p WHERE p.name = ${r.name}) AS premium`);
  const res = row.reservation;
  const pre = row.premium;
  return {
    accredited: row.accredited, taken: row.taken,
    ...(res ? { reservation: {
      name: res.name, zoneId: res.zone_id, reason: res.reason, ...(res.registrar_id !== null ? { registrarId: res.registrar_id } : {}),
      ...(res.token_sha256 ? { tokenSha256: res.token_sha256 } : {}), ...(res.token_expires_at ? { tokenExpiresAt: new Date(res.token_expires_at) } : {}),
    } } : {}),
    ...(pre ? { premium: {
      name: pre.name, feeClass: pre.class, create: Number(pre.create_amount), renew: Number(pre.renew_amount), transfer: Number(pre.transfer_amount),
      ...(pre.restore_amount !== null ? { restore: Number(pre.restore_amount) } : {}),
    } } : {}),
    contacts: new Map(Object.entries((row.contacts ?? {}) as Record<string, number>)),
    hosts: new Map(Object.entries((row.hosts ?? {}) as Record<string, number>)),
  };
}

export interface NewDomain {
  roidSuffix: string; name: string; zoneId: number; registrarId: number; registrantId: number | null; authPw: string;
  now: Date; expires: Date; contacts: { id: number; type: string }[]; hostIds: number[];
  ds: { keyTag: number; alg: number; digestType: number; digest: string }[];
  svTrid: string; snapshot: unknown;
}

/**
 * Inserts a domain with its contacts, name servers, DS records and object_history row in one
 * statement (one round trip). ON CONFLICT DO NOTHING lets a concurrent create of the same name
 * win without aborting this transaction: then nothing is written and undefined is returned.
 */
export async function insertDomain(db: Queryable, d: NewDomain): Promise<{ id: number; roid: string } | undefined> {
  const [row] = await db.query(sql`
    WITH d AS (
      INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
      VALUES ('D' || nextval('roid_seq') || ${'-' + d.roidSuffix}, ${d.name}, ${d.zoneId}, ${d.registrarId}, ${d.registrarId}, ${d.registrantId},
              ${d.authPw}, ${d.now}, ${d.expires})
      ON CONFLICT (name) DO NOTHING
      RETURNING id, roid),
    c AS (INSERT INTO domain_contacts (domain_id, contact_id, type)
          SELECT d.id, x.contact_id, x.type FROM d, unnest(${d.contacts.map((c) => c.id)}::bigint[], ${d.contacts.map((c) => c.type)}::text[]) AS x(contact_id, type)
          ON CONFLICT DO NOTHING),
    h AS (INSERT INTO domain_hosts (domain_id, host_id) SELECT d.id, x.host_id FROM d, unnest(${d.hostIds}::bigint[]) AS x(host_id)),
    s AS (INSERT INTO domain_ds (domain_id, key_tag, alg, digest_type, digest)
          SELECT d.id, x.key_tag, x.alg, x.digest_type, x.digest
            FROM d, unnest(${d.ds.map((x) => x.keyTag)}::int[], ${d.ds.map((x) => x.alg)}::int[], ${d.ds.map((x) => x.digestType)}::int[], ${d.ds.map((x) => x.digest)}::text[])
                 AS x(key_tag, alg, digest_type, digest)),
    o AS (INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
          SELECT 'domain', d.roid, ${d.now}, ${d.registrarId}, ${d.svTrid}, 'create', ${JSON.stringify(d.snapshot)}::jsonb FROM d)
    SELECT id, roid FROM d`);
  return row ? { id: row.id, roid: row.roid } : undefined;
}

export async function isAccredited(db: Queryable, registrarId: number, zoneId: number): Promise<boolean> {
  const rows = await db.query(sql`SELECT 1 FROM registrar_zones WHERE registrar_id = ${registrarId} AND zone_id = ${zoneId}`);
  return rows.length > 0;
}
