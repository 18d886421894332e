/**
 * When RDDS reads from standbys: measures each standby's replication lag (a metric, and the age
 * of the data RDAP/WHOIS report as "last update"), samples the primary's WAL position after
 * change notices so the caches know when a standby has caught up, and prunes what is settled.
 */
import { createConnectionPool, sql, type ConnectionPool, type Queryable } from '../db/pool.js';
import type { Logger } from '../util/log.js';
import { parseLsn, type Invalidations } from './cache.js';

export interface StandbyLag { index: number; seconds: number; bytes: number; replayLsn?: bigint }

export interface ReplicationMonitorOptions {
  primary: Queryable;
  standbys: string[];
  inv: Invalidations;
  pollMs: number;
  log: Logger;
  onLag?: (lag: StandbyLag) => void;
  /** How often pending notices get a WAL position (they wait at most this long before standby reads may be cached again). */
  stampMs?: number;
  /** Milliseconds (monotonic), for the lag in seconds. */
  now?: () => number;
}

export class ReplicationMonitor {
  private readonly pools: ConnectionPool[];
  private pollTimer: NodeJS.Timeout | undefined;
  private stampTimer: NodeJS.Timeout | undefined;
  private lags: StandbyLag[] = [];
  private stamping = false;
  private polling = false;
  /** When the primary was first seen at each WAL position still unreplayed somewhere (oldest first). */
  private positions: { lsn: bigint; at: number }[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: ReplicationMonitorOptions) {
    this.now = opts.now ?? (() => performance.now());
    this.pools = opts.standbys.map((cs) => createConnectionPool({ connectionString: cs, poolSize: 1, applicationName: 'registry-rdds-lag', onError: () => {} }));
  }

  /** The largest lag seen at the last poll, in seconds (0 without standbys). */
  get maxLagSeconds(): number { return this.lags.reduce((m, l) => Math.max(m, l.seconds), 0); }

  start(): void {
    if (this.pools.length === 0) {
      // Reading from the primary: nothing to wait for, only in-flight loads to let finish.
      this.pollTimer = setInterval(() => this.opts.inv.prune(), 50);
      this.pollTimer.unref();
      return;
    }
    void this.poll();
    this.pollTimer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.pollTimer.unref();
    this.stampTimer = setInterval(() => void this.stamp(), this.opts.stampMs ?? 50);
    this.stampTimer.unref();
  }

  /** Gives notices that arrived so far the primary's current WAL insert position (at least their commits'). */
  async stamp(): Promise<void> {
    if (this.stamping || !this.opts.inv.needsLsn()) return;
    this.stamping = true;
    const upTo = this.opts.inv.current;
    try {
      const [r] = await this.opts.primary.query(sql`SELECT pg_current_wal_insert_lsn()::text AS lsn`);
      const lsn = parseLsn(r.lsn);
      if (lsn !== undefined) this.opts.inv.stamp(lsn, upTo);
      this.opts.inv.prune(this.minReplay());
    } catch (err) {
      this.opts.log.warn({ err }, 'could not read the primary WAL position');
    } finally {
      this.stamping = false;
    }
  }

  private minReplay(): bigint | undefined {
    if (this.lags.length < this.pools.length || this.lags.some((l) => l.replayLsn === undefined)) return undefined;
    return this.lags.reduce<bigint | undefined>((m, l) => (m === undefined || l.replayLsn! < m ? l.replayLsn : m), undefined);
  }

  /**
   * Lag per standby. Seconds are measured against the primary's WAL position as this monitor saw
   * it over time: a standby whose replay position the primary passed at time T is (now - T)
   * behind, to the resolution of the poll interval. (The age of the last replayed commit is no
   * measure: it grows on an idle primary and is unknown before the first commit is replayed.)
   */
  async poll(): Promise<StandbyLag[]> {
    if (this.polling) return this.lags;
    this.polling = true;
    try {
      const [p] = await this.opts.primary.query(sql`SELECT pg_current_wal_lsn()::text AS lsn`);
      const primaryLsn = parseLsn(p.lsn) ?? 0n;
      const at = this.now();
      if (this.positions.at(-1)?.lsn !== primaryLsn) this.positions.push({ lsn: primaryLsn, at });
      const lags = await Promise.all(this.pools.map(async (pool, index): Promise<StandbyLag> => {
        try {
          const [s] = await pool.query(sql`SELECT pg_last_wal_replay_lsn()::text AS lsn`);
          const replayLsn = parseLsn(s.lsn);
          if (replayLsn === undefined) return { index, seconds: 0, bytes: 0 }; // not in recovery: a primary
          if (replayLsn >= primaryLsn) return { index, seconds: 0, bytes: 0, replayLsn };
          const passed = this.positions.find((x) => x.lsn > replayLsn);
          return { index, seconds: passed ? Math.max(0, (at - passed.at) / 1000) : 0, bytes: Number(primaryLsn - replayLsn), replayLsn };
        } catch (err) {
          this.opts.log.warn({ err, standby: index }, 'could not measure replication lag');
          return { index, seconds: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY };
        }
      }));
      this.lags = lags;
      for (const l of lags) this.opts.onLag?.(l);
      const min = this.minReplay();
      // Positions every standby has replayed are no longer needed to date anything.
      if (min !== undefined) this.positions = this.positions.filter((x, i, all) => x.lsn > min || i === all.length - 1);
      if (this.positions.length > 10_000) this.positions.splice(0, this.positions.length - 10_000);
      this.opts.inv.prune(min);
    } catch (err) {
      this.opts.log.warn({ err }, 'could not read the primary WAL position');
    } finally {
      this.polling = false;
    }
    return this.lags;
  }

  async close(): Promise<void> {
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.stampTimer) clearInterval(this.stampTimer);
    await Promise.all(this.pools.map((p) => p.dispose()));
  }
}
