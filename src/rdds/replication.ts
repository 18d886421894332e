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
}

export class ReplicationMonitor {
  private readonly pools: ConnectionPool[];
  private pollTimer: NodeJS.Timeout | undefined;
  private stampTimer: NodeJS.Timeout | undefined;
  private lags: StandbyLag[] = [];
  private stamping = false;
  private polling = false;

  constructor(private readonly opts: ReplicationMonitorOptions) {
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

  /** Lag per standby: zero bytes behind is zero seconds; otherwise the age of the last replayed commit. */
  async poll(): Promise<StandbyLag[]> {
    if (this.polling) return this.lags;
    this.polling = true;
    try {
      const [p] = await this.opts.primary.query(sql`SELECT pg_current_wal_lsn()::text AS lsn`);
      const primaryLsn = parseLsn(p.lsn) ?? 0n;
      const lags = await Promise.all(this.pools.map(async (pool, index): Promise<StandbyLag> => {
        try {
          const [s] = await pool.query(sql`SELECT pg_last_wal_replay_lsn()::text AS lsn, extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS age`);
          const replayLsn = parseLsn(s.lsn);
          if (replayLsn === undefined) return { index, seconds: 0, bytes: 0 }; // not in recovery: a primary
          const bytes = primaryLsn > replayLsn ? Number(primaryLsn - replayLsn) : 0;
          return { index, seconds: bytes === 0 ? 0 : Math.max(0, Number(s.age ?? 0)), bytes, replayLsn };
        } catch (err) {
          this.opts.log.warn({ err, standby: index }, 'could not measure replication lag');
          return { index, seconds: Number.POSITIVE_INFINITY, bytes: Number.POSITIVE_INFINITY };
        }
      }));
      this.lags = lags;
      for (const l of lags) this.opts.onLag?.(l);
      this.opts.inv.prune(this.minReplay());
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
