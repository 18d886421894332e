/**
 * The cluster-wide job runner. Leadership is a session-level Postgres advisory lock held on a
 * dedicated connection: exactly one process runs the jobs, and if it dies its connection closes,
 * the lock is released, and another process takes over at its next attempt.
 */
import { sql, type Database } from '../db/pool.js';
import type { Logger } from '../util/log.js';
import { PriceCache } from '../billing/prices.js';
import { advanceRedemption, autoRenewExpired, expireAllocationTokens, expireRestores, loadZones, pruneEndedGraces } from '../lifecycle/jobs.js';
import { autoApproveTransfers } from './transfers.js';

const LEADER_LOCK = 0x52454732; // 'REG2'

export interface JobResults {
  transfersApproved: number;
  autoRenewed: number;
  expiredDeleted: number;
  restoresExpired: number;
  pendingDelete: number;
  purged: number;
  tokensExpired: number;
  gracesEnded: number;
}

export interface PassOptions { batch?: number }

/**
 * One pass of every job at the given instant (also what `registry jobs run` and tests call). The
 * order matters only for speed: transfers complete before auto-renew looks at expiries, and a
 * restore that timed out is back in redemption before redemption deadlines are looked at.
 */
export async function runPass(db: Database, now: Date, opts: PassOptions = {}): Promise<JobResults> {
  const deps = { db, prices: new PriceCache(() => db.primary), ...(opts.batch ? { batch: opts.batch } : {}) };
  const zones = await loadZones(db.primary);
  const transfersApproved = await autoApproveTransfers(db, now, opts.batch);
  const renew = await autoRenewExpired(deps, zones, now);
  const restoresExpired = await expireRestores(deps, zones, now);
  const rgp = await advanceRedemption(deps, zones, now);
  const tokensExpired = await expireAllocationTokens(deps, now);
  const gracesEnded = await pruneEndedGraces(deps, now);
  return { transfersApproved, autoRenewed: renew.renewed, expiredDeleted: renew.deleted, restoresExpired, pendingDelete: rgp.pendingDelete, purged: rgp.purged, tokensExpired, gracesEnded };
}

/** True when a pass did anything worth a log line. */
export function passDidWork(r: JobResults): boolean {
  return Object.values(r).some((n) => n > 0);
}

export interface SchedulerOptions {
  db: Database;
  log: Logger;
  clock?: () => Date;
  intervalMs?: number;
  batch?: number;
  onPassStart?: () => void;
  onPass?: (r: JobResults) => void;
}

export class Scheduler {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  leader = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void { this.running = this.loop(); }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => { const t = setTimeout(r, ms); this.wake = () => { clearTimeout(t); r(); }; });
  }

  private async loop(): Promise<void> {
    const interval = this.o.intervalMs ?? 10_000;
    while (!this.stopped) {
      try {
        // task() holds one connection for as long as we lead; the lock lives and dies with it.
        await this.o.db.primary.task(async (conn) => {
          // Only on the primary: advisory locks work on a standby too, where a connection left
          // over from before a failover would make a second leader.
          const [{ locked }] = await conn.query(sql`SELECT CASE WHEN pg_is_in_recovery() THEN false ELSE pg_try_advisory_lock(${LEADER_LOCK}) END AS locked`);
          if (!locked) return;
          this.leader = true;
          this.o.log.info('job runner: leader');
          try {
            while (!this.stopped) {
              this.o.onPassStart?.();
              const r = await runPass(this.o.db, (this.o.clock ?? (() => new Date()))(), this.o.batch ? { batch: this.o.batch } : {});
              this.o.onPass?.(r);
              if (passDidWork(r)) this.o.log.info(r, 'job pass');
              // Prove the connection (and so the lock) is still ours, on a primary, before the next pass.
              const [{ standby }] = await conn.query(sql`SELECT pg_is_in_recovery() AS standby`);
              if (standby) break;
              await this.sleep(interval);
            }
          } finally {
            this.leader = false;
            await conn.query(sql`SELECT pg_advisory_unlock(${LEADER_LOCK})`).catch(() => {});
          }
        });
      } catch (err) {
        this.leader = false;
        this.o.log.warn({ err }, 'job runner: lost the database; retrying');
      }
      if (!this.stopped) await this.sleep(interval);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }
}
