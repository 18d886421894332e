/**
 * The connection layer: writes go to the current primary, reads that may be stale to a standby.
 * With one configured URL the primary is fixed; with several hosts it is discovered and followed
 * through failovers (src/db/topology.ts), and commands wait a bounded time for a new one.
 */
import { PassThrough, type Readable } from 'node:stream';
import pgModule, { QueryableType, sql, type Connection, type ConnectionPool, type SQLQuery, type Transaction, type Queryable } from '@databases/pg';
import type { RegistryConfig } from '../config.js';
import { DiscoveredTopology, PrimaryUnavailableError, StaticTopology, type Member, type Topology } from './topology.js';

type PoolConfig = Exclude<Parameters<typeof pgModule.default>[0], string | undefined>;
type TxOptions = Parameters<ConnectionPool['tx']>[1];

/**
 * @databases/pg is CommonJS with a `default` export (under NodeNext the default import is the
 * module). Every pool of ours returns bigints as numbers: ids and counts stay far below 2^53.
 */
export function createConnectionPool(cfg: PoolConfig, opts: { namedStatements?: boolean } = {}): ConnectionPool {
  if (opts.namedStatements === false) return pgModule.default({ bigIntMode: 'number', ...cfg });
  const onStart = cfg.onQueryStart;
  return pgModule.default({
    bigIntMode: 'number',
    ...cfg,
    onQueryStart: (query, formatted) => { nameStatement(formatted as FormattedQuery); onStart?.(query, formatted); },
  });
}

/**
 * Named prepared statements. Sent unnamed, every statement is parsed and planned again at each
 * execution; a named one is parsed once per connection and its plan kept (the create path's
 * Postgres time fell by about a fifth). A statement gets a name the first time its text is seen:
 * the same text always gets the same name in this process, so a connection never sees one name
 * with two texts. Only statements with parameters (a parameterless one may hold several
 * commands, which the simple protocol allows and a prepared statement does not), and at most
 * MAX_NAMED texts per process (statements built with a varying number of rows take their own
 * names; past the cap they run unnamed as before), which bounds what each backend keeps.
 */
interface FormattedQuery { text: string; values: unknown[]; name?: string }
const MAX_NAMED = 400;
const statementNames = new Map<string, string>();
function nameStatement(q: FormattedQuery): void {
  if (q.values.length === 0) return;
  let name = statementNames.get(q.text);
  if (name === undefined) {
    if (statementNames.size >= MAX_NAMED) return;
    name = `registry_${statementNames.size}`;
    statementNames.set(q.text, name);
  }
  q.name = name;
}

export { sql, PrimaryUnavailableError };
export type { ConnectionPool, Transaction, Queryable, Member, Topology };

/**
 * A transaction's COMMIT was sent but its answer never came (the primary died or the link
 * broke): it may have committed or not. The caller must say so honestly, never claim either.
 */
export class CommitOutcomeUnknownError extends Error {
  readonly code = 'REGISTRY_COMMIT_UNKNOWN';
  constructor(readonly member: string, override readonly cause: unknown) {
    super(`the outcome of COMMIT on ${member} is unknown: ${(cause as Error)?.message ?? cause}`);
  }
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|Connection ended|connection timeout|timeout expired|Client has encountered a connection error|not queryable|terminating connection/i;

/**
 * What a failure says about the node it happened on: `connection` (unreachable, restarting or
 * gone: SQLSTATE class 08, 57P01-57P03, socket errors), `not-primary` (25006: a standby, e.g. a
 * demoted primary, refused a write and applied nothing) or `other` (the query's own error).
 */
export function classifyDbError(err: unknown): 'connection' | 'not-primary' | 'other' {
  if (err instanceof AggregateError) {
    const kinds = err.errors.map(classifyDbError);
    return kinds.includes('connection') ? 'connection' : kinds.includes('not-primary') ? 'not-primary' : 'other';
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (code === '25006') return 'not-primary';
    if (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return 'connection';
    if (/^[0-9A-Z]{5}$/.test(code)) return 'other';
  }
  return CONNECTION_MESSAGES.test(String((err as Error)?.message ?? '')) ? 'connection' : 'other';
}

export interface DatabaseEvents {
  /** Pool usage: connections opened/closed, queries started/finished (all nodes). */
  connection?(delta: 1 | -1): void;
  query?(delta: 1 | -1): void;
  /** A command waited this long for a primary (only recorded when it had to wait). */
  waitedForPrimary?(ms: number, found: boolean): void;
  commitOutcomeUnknown?(): void;
}

export interface DatabaseOptions {
  /** Connection string of the primary (read-write): the fixed single-URL configuration. */
  primary?: string;
  /** Connection strings of streaming standbys; reads that tolerate lag may go there. */
  standbys?: string[];
  /** Every node of a replicated cluster: which one is primary is discovered and followed. */
  hosts?: string[];
  /** Patroni REST base URLs of the same nodes, in the same order (optional). */
  patroniUrls?: string[];
  /** How long an operation waits for a primary when none is known (hosts only). */
  primaryWaitMs?: number;
  probeIntervalMs?: number;
  connectTimeoutMs?: number;
  /** Standbys further behind than this do not serve reads. */
  maxReadLagSeconds?: number;
  poolSize?: number;
  /**
   * Named prepared statements (default on). Off for a transaction-pooling proxy such as
   * PgBouncer in transaction mode, where a statement prepared on one server connection is
   * missing on the next.
   */
  namedStatements?: boolean;
  applicationName?: string;
  events?: DatabaseEvents;
  log?: NonNullable<ConstructorParameters<typeof DiscoveredTopology>[0]['log']>;
}

/** The database section of the configuration (src/config.ts), as Database.fromConfig reads it. */
export type DatabaseConfig = Omit<RegistryConfig['database'], 'poolSize' | 'embeddedPort'>;

type Route = (deadline: number) => Promise<{ member: Member; pool: ConnectionPool }>;

/** Pause before an operation that provably did not run is tried on the (re-checked) primary. */
const RETRY_PAUSE_MS = 100;

/**
 * A ConnectionPool that picks its node per operation. An operation is repeated on the next
 * primary only when provably nothing of it ran: no connection could be had, or a standby refused
 * it (25006). Anything that failed after reaching a primary fails to the caller, and a COMMIT
 * with no answer becomes CommitOutcomeUnknownError.
 */
class RoutedPool implements ConnectionPool {
  readonly type = QueryableType.ConnectionPool as ConnectionPool['type'];
  readonly sql = sql;

  constructor(private readonly route: Route, private readonly db: Database) {}

  private deadline(): number { return Date.now() + this.db.primaryWaitMs; }

  private async run<T>(op: (pool: ConnectionPool, started: () => void, member: Member) => Promise<T>): Promise<T> {
    const deadline = this.deadline();
    for (;;) {
      const { member, pool } = await this.route(deadline);
      let started = false;
      try {
        return await op(pool, () => { started = true; }, member);
      } catch (err) {
        if (err instanceof CommitOutcomeUnknownError) throw err;
        const kind = classifyDbError(err);
        if (kind !== 'other') this.db.topology.suspect(member, (err as Error).message);
        const nothingRan = (!started && kind === 'connection') || kind === 'not-primary';
        if (nothingRan && this.db.discovering && Date.now() < deadline) {
          // Give the re-check a moment rather than hammer a node that just refused.
          await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
          continue;
        }
        throw err;
      }
    }
  }

  query(query: SQLQuery): Promise<any[]>;
  query(query: SQLQuery[]): Promise<any[][]>;
  query(query: SQLQuery | SQLQuery[]): Promise<any[] | any[][]> {
    return this.run((pool, started) => pool.task((c) => { started(); return Array.isArray(query) ? c.query(query) : c.query(query); }));
  }

  task<T>(fn: (connection: Connection) => Promise<T>): Promise<T> {
    return this.run((pool, started) => pool.task((c) => { started(); return fn(c); }));
  }

  tx<T>(fn: (tx: Transaction) => Promise<T>, options?: TxOptions): Promise<T> {
    return this.run(async (pool, started, member) => {
      let committing = false;
      try {
        return await pool.tx(async (tx) => {
          // Per attempt: @databases repeats the function on serialization failures.
          committing = false;
          started();
          const r = await fn(tx);
          committing = true;
          return r;
        }, options);
      } catch (err) {
        if (committing && classifyDbError(err) === 'connection') {
          this.db.events?.commitOutcomeUnknown?.();
          throw new CommitOutcomeUnknownError(member.name, err);
        }
        throw err;
      }
    });
  }

  async *queryStream(query: Parameters<ConnectionPool['queryStream']>[0], options: Parameters<ConnectionPool['queryStream']>[1]): AsyncIterable<any> {
    const { pool } = await this.route(this.deadline());
    yield* pool.queryStream(query, options);
  }

  queryNodeStream(query: Parameters<ConnectionPool['queryNodeStream']>[0], options?: Parameters<ConnectionPool['queryNodeStream']>[1]): Readable {
    const out = new PassThrough({ objectMode: true });
    this.route(this.deadline()).then(({ pool }) => {
      const s = pool.queryNodeStream(query, options);
      s.on('error', (err) => out.destroy(err));
      s.pipe(out);
    }, (err) => out.destroy(err));
    return out;
  }

  async addPostCommitStep(fn: () => Promise<void>): Promise<void> { await fn(); }

  async registerTypeParser<T>(type: number | string, parser: (value: string) => T): Promise<(value: string) => T> {
    for (const pool of this.db.allPools()) await pool.registerTypeParser(type, parser);
    return parser;
  }

  async getTypeParser(type: number | string): Promise<(value: string) => any> {
    const { pool } = await this.route(this.deadline());
    return pool.getTypeParser(type);
  }

  parseArray(value: string, entryParser?: (entry: string | null) => any): any[] { return this.db.anyPool().parseArray(value, entryParser); }
  parseComposite(value: string): string[] { return this.db.anyPool().parseComposite(value); }

  /** The routed pools belong to their Database: disposing one disposes the whole layer. */
  dispose(): Promise<void> { return this.db.dispose(); }
}

export class Database {
  /** Writes and reads that must be current: always the current primary. */
  readonly primary: ConnectionPool;
  readonly topology: Topology;
  readonly primaryWaitMs: number;
  /** True when roles are discovered (several hosts), false for the fixed single-URL configuration. */
  readonly discovering: boolean;
  readonly events: DatabaseEvents | undefined;
  private readonly readerPool: ConnectionPool;
  private readonly pools = new Map<Member, ConnectionPool>();
  private readonly poolConfig: Omit<PoolConfig, 'connectionString'>;
  private readonly maxReadLagSeconds: number;
  private readonly namedStatements: boolean;
  private readonly started: Promise<void>;
  private next = 0;
  private disposed: Promise<void> | undefined;

  constructor(opts: DatabaseOptions) {
    const hosts = opts.hosts ?? [];
    if (hosts.length === 0 && !opts.primary) throw new TypeError('DatabaseOptions needs primary or hosts');
    if (hosts.length > 0 && opts.primary) throw new TypeError('DatabaseOptions takes primary (fixed) or hosts (discovered), not both');
    const patroni = opts.patroniUrls ?? [];
    if (patroni.length > 0 && patroni.length !== hosts.length) throw new TypeError('DatabaseOptions.patroniUrls must list one URL per host, in the same order');
    this.discovering = hosts.length > 0;
    this.events = opts.events;
    this.primaryWaitMs = this.discovering ? (opts.primaryWaitMs ?? 20_000) : 0;
    this.maxReadLagSeconds = opts.maxReadLagSeconds ?? 30;
    this.namedStatements = opts.namedStatements ?? true;
    const ev = opts.events;
    this.poolConfig = {
      poolSize: opts.poolSize ?? 10,
      applicationName: opts.applicationName ?? 'registry',
      // A pool should never hold a transaction open for long: the command engine runs one
      // short transaction per command.
      idleInTransactionSessionTimeoutMilliseconds: 30_000,
      ...(this.discovering ? { connectionTimeoutMilliseconds: opts.connectTimeoutMs ?? 3000, keepAlive: true } : {}),
      onError: () => { /* connection errors surface on the next query */ },
      ...(ev?.connection ? { onConnectionOpened: () => ev.connection!(1), onConnectionClosed: () => ev.connection!(-1) } : {}),
      ...(ev?.query ? { onQueryStart: () => ev.query!(1), onQueryResults: () => ev.query!(-1), onQueryError: () => ev.query!(-1) } : {}),
    };
    this.topology = this.discovering
      ? new DiscoveredTopology({
        members: hosts.map((url, i) => ({ url, ...(patroni[i] ? { patroni: patroni[i] } : {}) })),
        ...(opts.probeIntervalMs ? { probeIntervalMs: opts.probeIntervalMs } : {}),
        ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
        ...(opts.log ? { log: opts.log } : {}),
      })
      : new StaticTopology(opts.primary!, opts.standbys ?? []);
    this.started = this.topology.start();
    // A failed first round is not fatal: operations wait for a primary and surface the error then.
    this.started.catch(() => {});
    this.primary = new RoutedPool((deadline) => this.primaryRoute(deadline), this);
    this.readerPool = new RoutedPool((deadline) => this.readerRoute(deadline), this);
  }

  /** Options from the configuration's database section, plus what the caller decides. */
  static fromConfig(cfg: DatabaseConfig, extra: Omit<DatabaseOptions, 'primary' | 'standbys' | 'hosts' | 'patroniUrls' | 'primaryWaitMs' | 'probeIntervalMs' | 'connectTimeoutMs' | 'maxReadLagSeconds'> = {}): Database {
    return new Database({
      ...(cfg.hosts.length ? { hosts: cfg.hosts, patroniUrls: cfg.patroniUrls } : { primary: cfg.primary, standbys: cfg.standbys }),
      primaryWaitMs: cfg.primaryWaitSeconds * 1000,
      probeIntervalMs: cfg.probeIntervalMs,
      connectTimeoutMs: cfg.connectTimeoutMs,
      maxReadLagSeconds: cfg.maxReadLagSeconds,
      namedStatements: cfg.namedStatements,
      ...extra,
    });
  }

  /** Resolves once the first round of discovery is done (immediately for a fixed primary). */
  ready(): Promise<void> { return this.started; }

  /** The current primary's connection string, waiting up to the configured time for one. */
  async primaryUrl(): Promise<string> {
    await this.started;
    return (await this.waitForPrimary(Date.now() + this.primaryWaitMs)).url;
  }

  private async waitForPrimary(deadline: number): Promise<Member> {
    const known = this.topology.primary();
    if (known) return known;
    const t0 = Date.now();
    try {
      const m = await this.topology.waitForPrimary(deadline);
      this.events?.waitedForPrimary?.(Date.now() - t0, true);
      return m;
    } catch (err) {
      this.events?.waitedForPrimary?.(Date.now() - t0, false);
      throw err;
    }
  }

  private poolFor(m: Member): ConnectionPool {
    let p = this.pools.get(m);
    if (!p) {
      p = createConnectionPool({ connectionString: m.url, ...this.poolConfig }, { namedStatements: this.namedStatements });
      this.pools.set(m, p);
    }
    return p;
  }

  private async primaryRoute(deadline: number): Promise<{ member: Member; pool: ConnectionPool }> {
    if (this.disposed) throw new Error('You cannot run any operations on a ConnectionPool after it has been disposed.');
    await this.started;
    const member = await this.waitForPrimary(deadline);
    return { member, pool: this.poolFor(member) };
  }

  private async readerRoute(deadline: number): Promise<{ member: Member; pool: ConnectionPool }> {
    const fit = this.topology.readers(this.maxReadLagSeconds);
    if (fit.length === 0) return this.primaryRoute(deadline);
    this.next = (this.next + 1) % fit.length;
    const member = fit[this.next]!;
    return { member, pool: this.poolFor(member) };
  }

  /**
   * Tells `cb` whether this process can reach a primary, for readiness checks: false once none
   * has been reachable for `graceMs` (commands would fail from then on; a failover shorter than
   * that does not make load balancers flap), true as soon as one is back. A fixed primary is
   * pinged every `pingMs`. Returns a function that stops watching.
   */
  watchAvailability(cb: (available: boolean) => void, o: { graceMs?: number; pingMs?: number } = {}): () => void {
    const graceMs = o.graceMs ?? (this.discovering ? this.primaryWaitMs : 5000);
    let reported: boolean | undefined;
    let lostAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const report = (v: boolean) => { if (v !== reported) { reported = v; cb(v); } };
    const seen = (ok: boolean) => {
      if (ok) {
        lostAt = undefined;
        if (timer) { clearTimeout(timer); timer = undefined; }
        report(true);
      } else if (lostAt === undefined) {
        lostAt = Date.now();
        timer = setTimeout(() => { timer = undefined; if (lostAt !== undefined) report(false); }, graceMs);
      }
    };
    if (this.discovering) {
      const onPrimary = (to: Member | undefined) => seen(to !== undefined);
      this.topology.on('primary', onPrimary);
      void this.started.then(() => seen(this.topology.primary() !== undefined), () => seen(false));
      return () => { if (timer) clearTimeout(timer); this.topology.off('primary', onPrimary); };
    }
    let stopped = false;
    const ping = async () => {
      while (!stopped) {
        const ok = await Promise.race([
          this.primary.query(sql`SELECT 1`).then(() => true, () => false),
          new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref()),
        ]);
        if (stopped) break;
        seen(ok);
        await new Promise((r) => setTimeout(r, o.pingMs ?? 2000).unref());
      }
    };
    void ping();
    return () => { stopped = true; if (timer) clearTimeout(timer); };
  }

  /** A pool for reads that may be stale (replication lag): a standby if one is fit, else the primary. */
  reader(): ConnectionPool { return this.readerPool; }

  /**
   * Runs fn in one transaction on the primary, retrying on serialization failures and
   * deadlocks (SQLSTATE 40001/40P01), which are safe to retry because nothing was committed.
   */
  tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.primary.tx(fn, { retrySerializationFailures: 3 });
  }

  /** @internal for RoutedPool */
  allPools(): ConnectionPool[] { return this.topology.members.map((m) => this.poolFor(m)); }
  /** @internal for RoutedPool */
  anyPool(): ConnectionPool { return this.poolFor(this.topology.members[0]!); }

  dispose(): Promise<void> {
    this.disposed ??= (async () => {
      await this.started.catch(() => {});
      await this.topology.stop();
      await Promise.all([...this.pools.values()].map((p) => p.dispose()));
    })();
    return this.disposed;
  }
}
