/** Queries on contacts. */
import { sql, type Queryable } from '../pool.js';

export async function existingContactIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.query(sql`SELECT contact_id FROM contacts WHERE contact_id = ANY(${ids})`);
  return new Set(rows.map((r: { contact_id: string }) => r.contact_id));
}

export interface ContactRow {
  id: number; roid: string; contactId: string; sponsorId: number; sponsorClid: string; creatorClid: string; updaterClid?: string;
  postalInt?: Record<string, unknown>; postalLoc?: Record<string, unknown>; voice?: string; voiceExt?: string; fax?: string; faxExt?: string;
  email: string; authPw: string; disclose?: { flag: boolean; fields: string[] }; statuses: string[];
  createdAt: Date; updatedAt?: Date; transferredAt?: Date; linked: boolean; pendingTransfer: boolean;
}

/** One contact with its sponsor, creator and updater client ids; FOR UPDATE when forUpdate. */
export async function findContact(db: Queryable, contactId: string, forUpdate = false): Promise<ContactRow | undefined> {
  const lock = forUpdate ? sql`FOR UPDATE OF c` : sql``;
  const [r] = await db.query(sql`
    SELECT c.*, s.client_id AS sponsor_clid, cr.client_id AS creator_clid, up.client_id AS updater_clid,
           (EXISTS (SELECT 1 FROM domain_contacts dc WHERE dc.contact_id = c.id) OR EXISTS (SELECT 1 FROM domains d WHERE d.registrant_id = c.id)) AS linked,
           EXISTS (SELECT 1 FROM transfers t WHERE t.object_type = 'contact' AND t.object_id = c.id AND t.status = 'pending') AS pending_transfer
      FROM contacts c JOIN registrars s ON s.id = c.sponsor_id JOIN registrars cr ON cr.id = c.creator_id
      LEFT JOIN registrars up ON up.id = c.updater_id
     WHERE c.contact_id = ${contactId} ${lock}`);
  if (!r) return undefined;
  return {
    id: r.id, roid: r.roid, contactId: r.contact_id, sponsorId: r.sponsor_id, sponsorClid: r.sponsor_clid, creatorClid: r.creator_clid,
    ...(r.updater_clid ? { updaterClid: r.updater_clid } : {}),
    ...(r.postal_int ? { postalInt: r.postal_int } : {}), ...(r.postal_loc ? { postalLoc: r.postal_loc } : {}),
    ...(r.voice ? { voice: r.voice } : {}), ...(r.voice_ext ? { voiceExt: r.voice_ext } : {}),
    ...(r.fax ? { fax: r.fax } : {}), ...(r.fax_ext ? { faxExt: r.fax_ext } : {}),
    email: r.email, authPw: r.auth_pw, ...(r.disclose ? { disclose: r.disclose } : {}), statuses: r.statuses,
    createdAt: r.created_at, ...(r.updated_at ? { updatedAt: r.updated_at } : {}), ...(r.transferred_at ? { transferredAt: r.transferred_at } : {}),
    linked: r.linked, pendingTransfer: r.pending_transfer,
  };
}

/** Contact ids → row ids, for linking; missing ids are absent from the map. */
export async function contactIdsByHandle(db: Queryable, handles: string[]): Promise<Map<string, number>> {
  if (handles.length === 0) return new Map();
  const rows = await db.query(sql`SELECT id, contact_id FROM contacts WHERE contact_id = ANY(${handles})`);
  return new Map(rows.map((r: { id: number; contact_id: string }) => [r.contact_id, r.id]));
}
