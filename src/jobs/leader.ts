/**
 * Cluster-wide leader election for a job: leadership is a session-level Postgres advisory lock
 * held on one dedicated connection. Exactly one process leads; if it dies its connection closes,
 * the lock is released, and another process takes over at its next attempt.
 */
import { sql, type ConnectionPool } from '../db/pool.js';
import type { Logger } from '../util/log.js';

export interface LeaderContext {
  /** Aborted when stop() is called: the lead function should return soon after. */
  readonly signal: AbortSignal;
  /** Proves the lock connection (and so the lock) is still ours, on a primary; throws if it is not. */
  heartbeat(): Promise<void>;
  /** Waits ms, or less if stop() is called. */
  sleep(ms: number): Promise<void>;
}

export interface LeadershipOptions {
  pool: ConnectionPool;
  /** Advisory lock key, unique per job kind across the code base. */
  lockId: number;
  /** For log lines: which job this is. */
  name: string;
  log: Logger;
  /** Between attempts to become leader (and after losing the database). */
  retryMs?: number;
}

export class Leadership {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  leader = false;

  constructor(private readonly o: LeadershipOptions) {}

  /** Tries to lead until stopped; while leading, runs lead(ctx) (again if it returns early). */
  start(lead: (ctx: LeaderContext) => Promise<void>): void {
    this.running = this.loop(lead);
  }

  private sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const signal = this.abort.signal;
    if (signal.aborted) return resolve();
    const done = () => { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

  private async loop(lead: (ctx: LeaderContext) => Promise<void>): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        // task() holds one connection for as long as we lead; the lock lives and dies with it.
        await this.o.pool.task(async (conn) => {
          // Only on the primary: advisory locks work on a standby too, where a connection left
          // over from before a failover would make a second leader.
          const [{ locked }] = await conn.query(sql`SELECT CASE WHEN pg_is_in_recovery() THEN false ELSE pg_try_advisory_lock(${this.o.lockId}) END AS locked`);
          if (!locked) return;
          this.leader = true;
          this.o.log.info(`${this.o.name}: leader`);
          try {
            const heartbeat = async () => {
              const [{ standby }] = await conn.query(sql`SELECT pg_is_in_recovery() AS standby`);
              if (standby) throw new Error(`${this.o.name}: the lock connection is on a standby now (failover): stepping down`);
            };
            const ctx: LeaderContext = { signal, sleep: this.sleep, heartbeat };
            while (!signal.aborted) {
              await lead(ctx);
              await ctx.heartbeat();
            }
          } finally {
            this.leader = false;
            await conn.query(sql`SELECT pg_advisory_unlock(${this.o.lockId})`).catch(() => {});
          }
        });
      } catch (err) {
        this.leader = false;
        this.o.log.warn({ err }, `${this.o.name}: lost the database or failed; retrying`);
      }
      if (!signal.aborted) await this.sleep(this.o.retryMs ?? 5000);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }
}
