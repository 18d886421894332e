/** Front-end instances (heartbeats) and EPP sessions, for session limits that hold across processes and nodes. */
import { hostname } from 'node:os';
import { sql, type Queryable, type Transaction } from '../pool.js';

/** A session counts while its process's heartbeat is younger than this. */
export const STALE_AFTER_SECONDS = 30;

export async function registerInstance(db: Queryable, instanceId: string, kind: string): Promise<void> {
  await db.query(sql`INSERT INTO frontend_instances (instance_id, kind, hostname, pid) VALUES (${instanceId}, ${kind}, ${hostname()}, ${process.pid})`);
  // Instances dead for an hour are history; their sessions go with them (ON DELETE CASCADE).
  await db.query(sql`DELETE FROM frontend_instances WHERE heartbeat_at < now() - interval '1 hour'`);
}

export async function heartbeat(db: Queryable, instanceId: string): Promise<void> {
  await db.query(sql`UPDATE frontend_instances SET heartbeat_at = now() WHERE instance_id = ${instanceId}`);
}

export async function unregisterInstance(db: Queryable, instanceId: string): Promise<void> {
  await db.query(sql`DELETE FROM frontend_instances WHERE instance_id = ${instanceId}`);
}

/**
 * Opens a session if the registrar is under its limit. The registrar row lock serialises
 * concurrent logins of one registrar across every process, so the count cannot be overshot.
 * NO KEY UPDATE does not block foreign-key checks (audit and session rows) on the registrar.
 */
export async function openSession(tx: Transaction, s: { instanceId: string; registrarId: number; clientIp: string; maxSessions: number }): Promise<number | undefined> {
  await tx.query(sql`SELECT 1 FROM registrars WHERE id = ${s.registrarId} FOR NO KEY UPDATE`);
  const [c] = await tx.query(sql`
    SELECT count(*)::int AS n FROM epp_sessions e JOIN frontend_instances f USING (instance_id)
     WHERE e.registrar_id = ${s.registrarId}
       AND f.heartbeat_at > now() - make_interval(secs => ${STALE_AFTER_SECONDS})`);
  if (c.n >= s.maxSessions) return undefined;
  const [row] = await tx.query(sql`
    INSERT INTO epp_sessions (instance_id, registrar_id, client_ip) VALUES (${s.instanceId}, ${s.registrarId}, ${s.clientIp}::inet) RETURNING id`);
  return row.id;
}

/**
 * Session rows are bookkeeping for limits, not registry data: a row lost in a crash is harmless
 * (its process's heartbeat stops, so it no longer counts). Committing them without waiting for
 * the WAL flush keeps the per-registrar lock short.
 */
export async function relaxDurability(tx: Transaction): Promise<void> {
  await tx.query(sql`SET LOCAL synchronous_commit = off`);
}

export async function closeSession(db: Queryable, sessionId: number): Promise<void> {
  await db.tx(async (tx) => {
    await relaxDurability(tx);
    await tx.query(sql`DELETE FROM epp_sessions WHERE id = ${sessionId}`);
  });
}
