/** The poll queue (RFC 5730 §2.9.2.3): enqueue, oldest message, count, acknowledge. */
import { sql, type Queryable } from '../pool.js';
import type { XmlObj } from '../../xml/render.js';

export interface PollMessage { id: number; createdAt: Date; msg: string; resData?: XmlObj; extension?: XmlObj }

/** Queues one message for one registrar, or the same message for several (one statement). */
export async function enqueuePoll(db: Queryable, registrarId: number | readonly number[], at: Date, msg: string, resData?: XmlObj, extension?: XmlObj): Promise<void> {
  const ids = typeof registrarId === 'number' ? [registrarId] : [...registrarId];
  await db.query(sql`INSERT INTO poll_messages (registrar_id, created_at, msg, res_data, extension)
                     SELECT r, ${at}, ${msg}, ${resData ? JSON.stringify(resData) : null}::json, ${extension ? JSON.stringify(extension) : null}::json
                       FROM unnest(${ids}::int[]) WITH ORDINALITY AS x(r, n) ORDER BY n`);
}

export async function oldestPoll(db: Queryable, registrarId: number): Promise<{ message?: PollMessage; count: number }> {
  const rows = await db.query(sql`
    SELECT id, created_at, msg, res_data, extension, count(*) OVER ()::int AS total
      FROM poll_messages WHERE registrar_id = ${registrarId} ORDER BY id LIMIT 1`);
  const r = rows[0];
  if (!r) return { count: 0 };
  return { count: r.total, message: { id: r.id, createdAt: r.created_at, msg: r.msg, ...(r.res_data ? { resData: r.res_data } : {}), ...(r.extension ? { extension: r.extension } : {}) } };
}

/** Deletes the message if it is this registrar's; returns the remaining count, or undefined if not found. */
export async function ackPoll(db: Queryable, registrarId: number, id: number): Promise<number | undefined> {
  // One statement: the count reads the snapshot from before the delete, hence the subtraction.
  const [r] = await db.query(sql`
    WITH del AS (DELETE FROM poll_messages WHERE id = ${id} AND registrar_id = ${registrarId} RETURNING id)
    SELECT (SELECT count(*) FROM del)::int AS deleted,
           ((SELECT count(*) FROM poll_messages WHERE registrar_id = ${registrarId}) - (SELECT count(*) FROM del))::int AS remaining`);
  return r.deleted ? r.remaining : undefined;
}
