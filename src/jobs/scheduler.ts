/**
 * The cluster-wide job runner. Leadership (src/jobs/leader.ts) is a session-level Postgres
 * advisory lock held on a dedicated connection to the primary: exactly one process runs the jobs,
 * and if it dies its connection closes, the lock is released, and another process takes over at
 * its next attempt.
 */
import type { Database } from '../db/pool.js';
import { Leadership } from './leader.js';
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
  private readonly leadership: Leadership;

  constructor(private readonly o: SchedulerOptions) {
    this.leadership = new Leadership({ pool: o.db.primary, lockId: LEADER_LOCK, name: 'job runner', log: o.log, retryMs: o.intervalMs ?? 10_000 });
  }

  /** True while this process holds the cluster's job lock (on the primary). */
  get leader(): boolean { return this.leadership.leader; }

  start(): void {
    const interval = this.o.intervalMs ?? 10_000;
    // One pass, then a pause; Leadership proves the lock is still ours (on a primary) before the next.
    this.leadership.start(async (ctx) => {
      this.o.onPassStart?.();
      const r = await runPass(this.o.db, (this.o.clock ?? (() => new Date()))(), this.o.batch ? { batch: this.o.batch } : {});
      this.o.onPass?.(r);
      if (passDidWork(r)) this.o.log.info(r, 'job pass');
      await ctx.sleep(interval);
    });
  }

  stop(): Promise<void> { return this.leadership.stop(); }
}
