/** The poll queue (RFC 5730 §2.9.2.3): enqueue, oldest message, count, acknowledge. */
import { sql, type Queryable } from '../pool.js';
import type { XmlObj } from '../../xml/render.js';

export interface PollMessage { id: number; createdAt: Date; msg: string; resData?: XmlObj; extension?: XmlObj }

export async function enqueuePoll(db: Queryable, registrarId: number, at: Date, msg: string, resData?: XmlObj, extension?: XmlObj): Promise<void> {
  await db.query(sql`INSERT INTO poll_messages (registrar_id, created_at, msg, res_data, extension)
                     VALUES (${registrarId}, ${at}, ${msg}, ${resData ? JSON.stringify(resData) : null}::json, ${extension ? JSON.stringify(extension) : null}::json)`);
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
  const del = await db.query(sql`DELETE FROM poll_messages WHERE id = ${id} AND registrar_id = ${registrarId} RETURNING id`);
  if (del.length === 0) return undefined;
  const [c] = await db.query(sql`SELECT count(*)::int AS n FROM poll_messages WHERE registrar_id = ${registrarId}`);
  return c.n;
}
