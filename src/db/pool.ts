/** The connection layer: one pool on the primary for writes, optional pools on standbys for reads that may be stale. */
import pgModule, { sql, type ConnectionPool, type Transaction, type Queryable } from '@databases/pg';

type PoolConfig = Exclude<Parameters<typeof pgModule.default>[0], string | undefined>;

/**
 * @databases/pg is CommonJS with a `default` export (under NodeNext the default import is the
 * module). Every pool of ours returns bigints as numbers: ids and counts stay far below 2^53.
 */
export function createConnectionPool(cfg: PoolConfig): ConnectionPool {
  return pgModule.default({ bigIntMode: 'number', ...cfg });
}

export { sql };
export type { ConnectionPool, Transaction, Queryable };

export interface DatabaseOptions {
  /** Connection string of the primary (read-write). */
  primary: string;
  /** Connection strings of streaming standbys; reads that tolerate lag may go there. */
  standbys?: string[];
  poolSize?: number;
  applicationName?: string;
  /** Pool usage, for metrics: connections opened/closed, queries started/finished. */
  events?: { connection(delta: 1 | -1): void; query(delta: 1 | -1): void };
}

export class Database {
  readonly primary: ConnectionPool;
  private readonly standbys: ConnectionPool[];
  private next = 0;

  constructor(opts: DatabaseOptions) {
    if (!opts.primary) throw new TypeError('DatabaseOptions.primary is required');
    const common = {
      poolSize: opts.poolSize ?? 10,
      applicationName: opts.applicationName ?? 'registry',
      // A pool should never hold a transaction open for long: the command engine runs one
      // short transaction per command.
      idleInTransactionSessionTimeoutMilliseconds: 30_000,
      onError: () => { /* connection errors surface on the next query */ },
      ...(opts.events ? {
        onConnectionOpened: () => opts.events!.connection(1),
        onConnectionClosed: () => opts.events!.connection(-1),
        onQueryStart: () => opts.events!.query(1),
        onQueryResults: () => opts.events!.query(-1),
        onQueryError: () => opts.events!.query(-1),
      } : {}),
    };
    this.primary = createConnectionPool({ connectionString: opts.primary, ...common });
    this.standbys = (opts.standbys ?? []).map((cs) =>
      createConnectionPool({ connectionString: cs, ...common }));
  }

  /** A pool for reads that may be stale (replication lag): a standby if any, else the primary. */
  reader(): ConnectionPool {
    if (this.standbys.length === 0) return this.primary;
    this.next = (this.next + 1) % this.standbys.length;
    return this.standbys[this.next]!;
  }

  /**
   * Runs fn in one transaction on the primary, retrying on serialization failures and
   * deadlocks (SQLSTATE 40001/40P01), which are safe to retry because nothing was committed.
   */
  tx<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.primary.tx(fn, { retrySerializationFailures: 3 });
  }

  async dispose(): Promise<void> {
    await Promise.all([this.primary.dispose(), ...this.standbys.map((p) => p.dispose())]);
  }
}
