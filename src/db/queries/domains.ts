/** Queries on domains. */
import { sql, type Queryable } from '../pool.js';

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
  };
}

export interface NewDomain {
  roidSuffix: string; name: string; zoneId: number; registrarId: number; registrant?: string; authPw: string;
  now: Date; expires: Date; contacts: { id: string; type: string }[]; ns: string[];
  ds: { keyTag: number; alg: number; digestType: number; digest: string }[];
  svTrid: string; snapshot: unknown;
}

/** What a create found: whether it wrote the domain, and otherwise what stood in the way. */
export interface CreateOutcome {
  created?: { id: number; roid: string };
  accredited: boolean; taken: boolean; contactsFound: Set<string>; hostsFound: Set<string>;
}

/**
 * domain:create in one statement (one round trip): it looks up what the command refers to
 * (accreditation, the name, contacts, hosts) and, only when all of it checks out, inserts the
 * domain with its contacts, name servers, DS records and object_history row. Either way it
 * answers what it found, so the flow can name the first failed guard; when it wrote nothing,
 * nothing was written. ON CONFLICT DO NOTHING lets a concurrent create of the same name win
 * without aborting this transaction (then `created` is absent although nothing else failed).
 */
export async function createDomain(db: Queryable, d: NewDomain): Promise<CreateOutcome> {
  const handles = [...new Set([...(d.registrant ? [d.registrant] : []), ...d.contacts.map((c) => c.id)])];
  const [row] = await db.query(sql`
    WITH c_found AS (SELECT id, contact_id FROM contacts WHERE contact_id = ANY(${handles}::text[])),
    h_found AS (SELECT id, name FROM hosts WHERE name = ANY(${d.ns}::text[])),
    refs AS (
      SELECT EXISTS (SELECT 1 FROM registrar_zones WHERE registrar_id = ${d.registrarId} AND zone_id = ${d.zoneId}) AS accredited,
             EXISTS (SELECT 1 FROM domains WHERE name = ${d.name}) AS taken,
             (SELECT count(*) FROM c_found) = ${handles.length} AND (SELECT count(*) FROM h_found) = ${d.ns.length} AS resolved),
    d AS (
      INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
      SELECT 'D' || nextval('roid_seq') || ${'-' + d.roidSuffix}, ${d.name}, ${d.zoneId}, ${d.registrarId}, ${d.registrarId},
             (SELECT id FROM c_found WHERE contact_id = ${d.registrant ?? null}), ${d.authPw}, ${d.now}, ${d.expires}
        FROM refs WHERE accredited AND NOT taken AND resolved
      ON CONFLICT (name) DO NOTHING
      RETURNING id, roid),
    c AS (INSERT INTO domain_contacts (domain_id, contact_id, type)
          SELECT d.id, f.id, x.type FROM d, unnest(${d.contacts.map((c) => c.id)}::text[], ${d.contacts.map((c) => c.type)}::text[]) AS x(handle, type)
            JOIN c_found f ON f.contact_id = x.handle
          ON CONFLICT DO NOTHING),
    h AS (INSERT INTO domain_hosts (domain_id, host_id) SELECT d.id, f.id FROM d, h_found f),
    s AS (INSERT INTO domain_ds (domain_id, key_tag, alg, digest_type, digest)
          SELECT d.id, x.key_tag, x.alg, x.digest_type, x.digest
            FROM d, unnest(${d.ds.map((x) => x.keyTag)}::int[], ${d.ds.map((x) => x.alg)}::int[], ${d.ds.map((x) => x.digestType)}::int[], ${d.ds.map((x) => x.digest)}::text[])
                 AS x(key_tag, alg, digest_type, digest)),
    o AS (INSERT INTO object_history (object_type, object_roid, at, registrar_id, sv_trid, action, snapshot)
          SELECT 'domain', d.roid, ${d.now}, ${d.registrarId}, ${d.svTrid}, 'create', ${JSON.stringify(d.snapshot)}::jsonb FROM d)
    SELECT refs.accredited, refs.taken, d.id, d.roid,
           (SELECT array_agg(contact_id) FROM c_found) AS contacts, (SELECT array_agg(name) FROM h_found) AS hosts
      FROM refs LEFT JOIN d ON true`);
  return {
    ...(row.id ? { created: { id: row.id, roid: row.roid } } : {}),
    accredited: row.accredited, taken: row.taken,
    contactsFound: new Set(row.contacts ?? []), hostsFound: new Set(row.hosts ?? []),
  };
}

export async function isAccredited(db: Queryable, registrarId: number, zoneId: number): Promise<boolean> {
  const rows = await db.query(sql`SELECT 1 FROM registrar_zones WHERE registrar_id = ${registrarId} AND zone_id = ${zoneId}`);
  return rows.length > 0;
}
