/** Front-end instances (heartbeats) and EPP sessions, for session limits that hold across processes and nodes. */
import { hostname } from 'node:os';
import { sql, type Queryable } from '../pool.js';

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

export type OpenOutcome =
  | { outcome: 'opened'; sessionId: number }
  | { outcome: 'locked'; failures: number }
  | { outcome: 'full' };

/**
 * Opens a session for a login whose credentials passed, in one round trip (migration 0008):
 * 'locked' when the failed-login limit is reached for this address or clID, 'full' when the
 * registrar has maxSessions live sessions across every process, else the new session's id.
 * With newPasswordHash the password changes in the same (durable) transaction.
 */
export async function openSession(db: Queryable, s: {
  instanceId: string; registrarId: number; clientId: string; clientIp: string; maxSessions: number;
  failuresSince: Date; maxFailures: number; newPasswordHash?: string;
}): Promise<OpenOutcome> {
  const [row] = await db.query(sql`
    SELECT outcome, session_id, failures FROM epp_session_open(
      ${s.instanceId}::uuid, ${s.registrarId}, ${s.clientId}, ${s.clientIp}::inet, ${s.maxSessions},
      make_interval(secs => ${STALE_AFTER_SECONDS}), ${s.failuresSince}, ${s.maxFailures}, ${s.newPasswordHash ?? null})`);
  switch (row.outcome) {
    case 'opened': return { outcome: 'opened', sessionId: row.session_id };
    case 'locked': return { outcome: 'locked', failures: row.failures };
    case 'full': return { outcome: 'full' };
    default: throw new Error(`epp_session_open returned ${String(row.outcome)}`);
  }
}

/** Ends a session (logout or a dropped connection) in one round trip, without waiting for the WAL flush. */
export async function closeSession(db: Queryable, sessionId: number): Promise<void> {
  await db.query(sql`SELECT epp_session_close(${sessionId})`);
}
