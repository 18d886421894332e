/**
 * Follows the rdds_changes log (migration 0006) on the primary and hands each changed key to the
 * caches: a poll every few hundred milliseconds at most, ordered by transaction id so that a
 * transaction still running at one poll is caught by the next one, whatever order the commits
 * come in. After an error (the primary may have crashed or failed over, emptying the unlogged
 * log) everything is flushed.
 */
import { sql, type Queryable } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';
import type { Logger } from '../util/log.js';

export interface ChangeFeedOptions {
  db: () => Queryable;
  listeners: CacheListener[];
  pollMs: number;
  log: Logger;
  /** More changes than this since the last poll: flush everything instead of going through them. */
  maxBatch?: number;
  /** Rows of transactions older than this are deleted (every process may do it; it is idempotent). */
  retentionMinutes?: number;
  onPoll?: (changes: number) => void;
  /** Milliseconds, for the retention (tests move it). */
  clock?: () => number;
}

export class ChangeFeed {
  /** xmin of the previous poll's snapshot: rows of transactions not visible then have an xid at or above it. */
  private since: string | undefined;
  /** Rows already handed on whose transactions may still be ahead of `since` ("xid:key"). */
  private seen = new Map<string, bigint>();
  private failed = false;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** xmin values seen, oldest first: rows below one seen long enough ago may go. */
  private horizons: { at: number; xmin: string }[] = [];
  private readonly maxBatch: number;

  constructor(private readonly opts: ChangeFeedOptions) {
    this.maxBatch = opts.maxBatch ?? 50_000;
  }

  /** Starts from now: nothing is cached yet, so nothing earlier matters. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => { void this.poll(); }, this.opts.pollMs);
    this.timer.unref();
  }

  private flush(): void {
    for (const l of this.opts.listeners) l.flushAll();
  }

  /** One poll (exported for tests, which do not wait for the timer). */
  poll(): Promise<void> {
    if (!this.polling) this.polling = this.pollOnce().finally(() => { this.polling = undefined; });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const db = this.opts.db();
      if (this.since === undefined) {
        const [r] = await db.query(sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`);
        this.since = r.xmin;
        this.flush();
        return;
      }
      // One statement, one snapshot: the rows visible and the xmin that bounds what is not.
      const [r] = await db.query(sql`
        SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
               (SELECT coalesce(json_agg(json_build_object('x', c.xid::text, 'k', c.key)), '[]')
                  FROM (SELECT xid, key FROM rdds_changes WHERE xid >= ${this.since}::xid8 ORDER BY xid LIMIT ${this.maxBatch + 1}) c) AS rows`);
      const rows = r.rows as { x: string; k: string }[];
      const xmin = BigInt(r.xmin);
      if (this.failed) {
        // The log may have lost rows while we could not read it: start afresh.
        this.failed = false;
        this.seen.clear();
        this.flush();
      } else if (rows.length > this.maxBatch) {
        this.opts.log.warn({ changes: rows.length }, 'more RDDS changes than one poll handles: flushing the caches');
        this.seen.clear();
        this.flush();
      } else {
        let fresh = 0;
        for (const row of rows) {
          const id = `${row.x}:${row.k}`;
          if (this.seen.has(id)) continue;
          this.seen.set(id, BigInt(row.x));
          fresh++;
          for (const l of this.opts.listeners) l.invalidate(row.k);
        }
        this.opts.onPoll?.(fresh);
      }
      for (const [id, x] of this.seen) if (x < xmin) this.seen.delete(id);
      this.since = r.xmin;
      await this.trim(db, r.xmin);
    } catch (err) {
      if (!this.failed) this.opts.log.warn({ err }, 'could not read the RDDS change log; caches will be flushed when it is back');
      this.failed = true;
    }
  }

  /**
   * Deletes rows of transactions that ended before the retention period (by xid, through the
   * index): every poller has long read them. Once a minute at most.
   */
  private async trim(db: Queryable, xmin: string): Promise<void> {
    const now = (this.opts.clock ?? Date.now)();
    const last = this.horizons.at(-1);
    if (!last || now - last.at >= 60_000) this.horizons.push({ at: now, xmin });
    const keepMs = (this.opts.retentionMinutes ?? 10) * 60_000;
    let old: string | undefined;
    while (this.horizons.length > 1 && now - this.horizons[0]!.at >= keepMs) old = this.horizons.shift()!.xmin;
    if (old !== undefined) await db.query(sql`DELETE FROM rdds_changes WHERE xid < ${old}::xid8`);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }
}
