/**
 * Which configured database node is the primary right now, and which standbys may serve reads
 * that tolerate lag. It only discovers roles (Patroni's REST API and pg_is_in_recovery()); Patroni
 * decides them. Each member is probed by its own loop, so a dead node never delays noticing
 * that another one was promoted.
 */
import { EventEmitter } from 'node:events';
import { request } from 'undici';
import { createConnectionPool, sql, type ConnectionPool } from './pool.js';

export type Role = 'primary' | 'standby' | 'unreachable' | 'unknown';
export const ROLES: readonly Role[] = ['primary', 'standby', 'unreachable', 'unknown'];

export interface MemberSpec {
  /** Connection string of the node (application role and database). */
  url: string;
  /** Patroni REST base URL of the same node (e.g. http://db1:8008). */
  patroni?: string;
}

export interface Member {
  /** host:port of the connection string: for logs and metric labels (bounded by configuration). */
  readonly name: string;
  readonly url: string;
  readonly patroni?: string;
  role: Role;
  /** Standbys: seconds of WAL not yet replayed (0 when caught up). */
  lagSeconds?: number;
  /** When the role was last established (ms since epoch). */
  checkedAt: number;
  error?: string;
}

/** No primary became available within the configured wait. */
export class PrimaryUnavailableError extends Error {
  readonly code = 'REGISTRY_NO_PRIMARY';
  constructor(waitedMs: number) { super(`no database primary available within ${waitedMs} ms`); }
}

export interface TopologyEvents {
  /** The primary changed: `to` is undefined while there is none. */
  primary(to: Member | undefined, from: Member | undefined): void;
  /** A member's role or lag was (re)established. */
  probed(member: Member): void;
}

export interface Topology {
  readonly members: readonly Member[];
  /** The current primary, if one is known. */
  primary(): Member | undefined;
  /** The current primary, waiting up to `deadline` (ms since epoch) for one. */
  waitForPrimary(deadline: number): Promise<Member>;
  /** Standbys fit to serve stale reads: reachable, recently checked, at most `maxLagSeconds` behind. */
  readers(maxLagSeconds: number): Member[];
  /** An operation on `member` failed in a way that says its role may have changed: look again now. */
  suspect(member: Member, reason: string): void;
  /** Primary changes seen since start (one per change from one known primary to another). */
  readonly failovers: number;
  on<E extends keyof TopologyEvents>(event: E, listener: TopologyEvents[E]): unknown;
  off<E extends keyof TopologyEvents>(event: E, listener: TopologyEvents[E]): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** "host:port" of a connection string, without credentials. */
export function memberName(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}`;
  } catch {
    return 'invalid-url';
  }
}

function newMember(spec: MemberSpec, role: Role): Member {
  return { name: memberName(spec.url), url: spec.url, ...(spec.patroni ? { patroni: spec.patroni.replace(/\/+$/, '') } : {}), role, checkedAt: Date.now() };
}

/**
 * The single-URL configuration (database.primary, database.standbys): roles are what the
 * configuration says and nothing is probed, exactly as before high availability existed.
 */
export class StaticTopology extends EventEmitter implements Topology {
  readonly members: Member[];
  readonly failovers = 0;

  constructor(primary: string, standbys: string[] = []) {
    super();
    this.members = [newMember({ url: primary }, 'primary'), ...standbys.map((url) => newMember({ url }, 'standby'))];
  }

  primary(): Member { return this.members[0]!; }
  async waitForPrimary(): Promise<Member> { return this.members[0]!; }
  readers(): Member[] { return this.members.slice(1); }
  suspect(): void { /* roles are fixed by configuration */ }
  async start(): Promise<void> { /* nothing to discover */ }
  async stop(): Promise<void> { /* nothing running */ }
}

export interface DiscoveryOptions {
  members: MemberSpec[];
  /** How often each member's role is re-checked while a primary is known. */
  probeIntervalMs?: number;
  /** How often while no primary is known (a failover is in progress). */
  fastProbeIntervalMs?: number;
  /** Connection and request timeout of one probe. */
  connectTimeoutMs?: number;
  /** A probe result older than this many intervals no longer counts. */
  staleAfterIntervals?: number;
  log?: { info(o: object, msg: string): void; warn(o: object, msg: string): void; error(o: object, msg: string): void };
}

interface Prober {
  member: Member;
  pool: ConnectionPool;
  /** Probes failed in a row. */
  failures: number;
  /** An operation failed on this member since its last successful probe. */
  suspected: boolean;
  timer?: NodeJS.Timeout;
  wake?: () => void;
  running?: Promise<void>;
}

/**
 * Several nodes, roles discovered at run time. A node counts as the primary only when Postgres
 * itself says it is not in recovery and, where a Patroni URL is configured, Patroni answers 200
 * on GET /primary (it holds the leader key): a stale ex-primary never receives writes. Two nodes
 * claiming the primary role at once (possible only without Patroni) means no primary at all.
 */
export class DiscoveredTopology extends EventEmitter implements Topology {
  readonly members: Member[];
  failovers = 0;
  private current: Member | undefined;
  /** The last primary there was (kept through a gap with none), to count changes. */
  private lastPrimary: Member | undefined;
  private readonly probers: Prober[];
  private readonly waiters = new Set<() => void>();
  private stopped = false;
  private readonly interval: number;
  private readonly fastInterval: number;
  private readonly timeout: number;
  private readonly staleMs: number;

  constructor(private readonly o: DiscoveryOptions) {
    super();
    if (o.members.length === 0) throw new TypeError('DiscoveredTopology needs at least one member');
    this.interval = o.probeIntervalMs ?? 1000;
    this.fastInterval = o.fastProbeIntervalMs ?? Math.min(200, this.interval);
    this.timeout = o.connectTimeoutMs ?? 3000;
    this.staleMs = this.interval * (o.staleAfterIntervals ?? 3) + this.timeout;
    this.members = o.members.map((m) => newMember(m, 'unknown'));
    this.probers = this.members.map((member) => ({
      member, failures: 0, suspected: false,
      pool: createConnectionPool({
        connectionString: member.url, poolSize: 1, applicationName: 'registry-probe',
        connectionTimeoutMilliseconds: this.timeout, queueTimeoutMilliseconds: this.timeout * 2 + 2000,
        idleTimeoutMilliseconds: 0, onError: () => { /* surfaces on the next probe */ },
      }),
    }));
  }

  primary(): Member | undefined { return this.current; }

  waitForPrimary(deadline: number): Promise<Member> {
    if (this.current) return Promise.resolve(this.current);
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.current) { done(); resolve(this.current); }
      };
      const timer = setTimeout(() => { done(); reject(new PrimaryUnavailableError(Date.now() - started)); }, Math.max(0, deadline - started));
      const done = () => { clearTimeout(timer); this.waiters.delete(check); };
      this.waiters.add(check);
      // Someone is waiting: every member is looked at now rather than at its next tick.
      for (const p of this.probers) p.wake?.();
    });
  }

  readers(maxLagSeconds: number): Member[] {
    const fresh = Date.now() - this.staleMs;
    return this.members.filter((m) => m.role === 'standby' && m.checkedAt >= fresh && (m.lagSeconds ?? 0) <= maxLagSeconds);
  }

  suspect(member: Member, reason: string): void {
    const p = this.probers.find((x) => x.member === member);
    if (!p) return;
    if (member === this.current) this.o.log?.warn({ member: member.name, reason }, 'database primary suspected down; re-checking roles');
    p.suspected = true;
    p.wake?.();
  }

  async start(): Promise<void> {
    // The first round runs to completion so that a healthy cluster is usable as soon as start() resolves.
    await Promise.all(this.probers.map((p) => this.probeOnce(p)));
    this.decide();
    for (const p of this.probers) p.running = this.loop(p);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of this.probers) p.wake?.();
    await Promise.all(this.probers.map((p) => p.running));
    await Promise.all(this.probers.map((p) => p.pool.dispose().catch(() => {})));
  }

  private async loop(p: Prober): Promise<void> {
    while (!this.stopped) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.current && p.failures === 0 ? this.interval : this.fastInterval);
        p.wake = () => { clearTimeout(t); resolve(); };
      });
      p.wake = undefined;
      if (this.stopped) break;
      await this.probeOnce(p);
      this.decide();
    }
  }

  private async probeOnce(p: Prober): Promise<void> {
    const m = p.member;
    const before = m.role;
    try {
      const [pg, leader] = await Promise.all([this.askPostgres(p), m.patroni ? this.askPatroni(m.patroni) : Promise.resolve(undefined)]);
      if (!pg.inRecovery) {
        // Writable, but if Patroni is configured it must also hold the leader key.
        m.role = leader === false ? 'unknown' : 'primary';
        m.lagSeconds = undefined;
        m.error = leader === false ? 'writable but Patroni does not report it as the leader' : undefined;
      } else {
        m.role = 'standby';
        m.lagSeconds = pg.lagSeconds;
        m.error = undefined;
      }
      p.failures = 0;
      p.suspected = false;
    } catch (err) {
      p.failures++;
      m.error = (err as Error).message;
      // One slow or lost probe of a busy primary is not a failover: it stays primary until a
      // second probe fails too, or an operation on it failed as well (then at once).
      if (before === 'primary' && p.failures < 2 && !p.suspected) {
        this.o.log?.warn({ member: m.name, error: m.error }, 'probe of the database primary failed; looking again');
        return;
      }
      m.role = 'unreachable';
      m.lagSeconds = undefined;
    }
    m.checkedAt = Date.now();
    if (m.role !== before && before !== 'unknown') this.o.log?.info({ member: m.name, from: before, to: m.role, error: m.error }, 'database member role changed');
    this.emit('probed', m);
  }

  private async askPostgres(p: Prober): Promise<{ inRecovery: boolean; lagSeconds?: number }> {
    // A standby whose WAL receiver is not streaming is as far behind as its last replayed
    // transaction; one that has replayed everything it received is caught up.
    const q = p.pool.query(sql`
      SELECT pg_is_in_recovery() AS in_recovery,
             CASE WHEN NOT pg_is_in_recovery() THEN NULL
                  WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
                   AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
                  ELSE COALESCE(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)::float8
             END AS lag_seconds`);
    const [row] = await withTimeout(q, this.timeout, 'probe query');
    return { inRecovery: row.in_recovery as boolean, ...(row.lag_seconds !== null ? { lagSeconds: Math.max(0, Number(row.lag_seconds)) } : {}) };
  }

  /** true: Patroni says this node holds the leader key and runs as primary; false: it does not. */
  private async askPatroni(base: string): Promise<boolean> {
    const res = await request(`${base}/primary`, { method: 'GET', headersTimeout: this.timeout, bodyTimeout: this.timeout });
    await res.body.dump();
    return res.statusCode === 200;
  }

  /** Picks the primary from the members' latest probes and tells waiters and listeners. */
  private decide(): void {
    const fresh = Date.now() - this.staleMs;
    const primaries = this.members.filter((m) => m.role === 'primary' && m.checkedAt >= fresh);
    if (primaries.length > 1) {
      this.o.log?.error({ members: primaries.map((m) => m.name) }, 'more than one database node claims to be primary: refusing writes until one remains');
    }
    const next = primaries.length === 1 ? primaries[0] : undefined;
    if (next === this.current) return;
    const previous = this.current;
    this.current = next;
    if (next) {
      if (this.lastPrimary && this.lastPrimary !== next) this.failovers++;
      this.lastPrimary = next;
      this.o.log?.info({ primary: next.name, previous: previous?.name }, 'database primary found');
    } else {
      this.o.log?.warn({ previous: previous?.name }, 'no database primary: commands wait for one');
    }
    this.emit('primary', next, previous);
    if (next) for (const w of [...this.waiters]) w();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
  ]);
}
