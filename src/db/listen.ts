/**
 * LISTEN/NOTIFY for cache invalidation (pg-listen): one dedicated connection on the primary,
 * jittered reconnect, and a full flush whenever notices may have been missed. NOTIFY reaches
 * only listeners on the primary and is lost while they are disconnected, so across a failover
 * the listener follows the primary, LISTENs again there, and only then flushes every cache.
 */
import pgListen from 'pg-listen';
import { memberName, type Member } from './topology.js';

// CommonJS default export; under NodeNext the default import is the module.
const createSubscriber = pgListen.default;
type Subscriber = ReturnType<typeof createSubscriber>;

export const CACHE_CHANNEL = 'registry_cache';

export interface CacheListener {
  /** A changed key, e.g. "registrar:12" or "zone:3". */
  invalidate(key: string): void;
  /** Drop everything: we may have missed notices. */
  flushAll(): void;
}

export interface Listening { close(): Promise<void> }

/**
 * Why every cache was dropped: `connect` (LISTEN is active on a primary; anything sent before
 * was missed), `disconnect` (the listener lost its connection) or `outage` (still not listening:
 * repeated so nothing loaded meanwhile outlives the outage by more than a second).
 */
export type FlushReason = 'connect' | 'disconnect' | 'outage';

/**
 * Events: `invalidate` (detail: key), `flush` (detail: FlushReason), `listening` (detail: host:port),
 * `reconnect` (detail: attempt), `error` (detail: message).
 */
export type ListenEvent = (event: 'invalidate' | 'flush' | 'listening' | 'reconnect' | 'error', detail?: unknown) => void;

/** Where the primary is: the Database of a replicated cluster (src/db/pool.ts) satisfies it. */
export interface PrimarySource {
  primaryUrl(): Promise<string>;
  readonly topology: {
    on(event: 'primary', listener: (to: Member | undefined) => void): unknown;
    off(event: 'primary', listener: (to: Member | undefined) => void): unknown;
  };
}

/** How often caches are flushed while the listener is down. */
const OUTAGE_FLUSH_MS = 1000;

function subscriberFor(connectionString: string, retries: 'forever' | 'briefly'): Subscriber {
  return createSubscriber({ connectionString }, {
    parse: (s: string) => s,
    retryInterval: (attempt: number) => Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2),
    // Following a primary, a connection that cannot be re-established within a few seconds
    // means the node is gone (or no longer primary): find the new primary instead.
    ...(retries === 'forever' ? { retryTimeout: Number.POSITIVE_INFINITY } : { retryLimit: 4, retryTimeout: 3000 }),
    paranoidChecking: retries === 'forever' ? 10_000 : 3000,
  });
}

export async function listenForInvalidations(source: string | PrimarySource, listeners: CacheListener[], onEvent?: ListenEvent): Promise<Listening> {
  const flush = (reason: FlushReason) => {
    for (const l of listeners) l.flushAll();
    onEvent?.('flush', reason);
  };
  const wire = (subscriber: Subscriber) => {
    subscriber.notifications.on(CACHE_CHANNEL, (payload: unknown) => {
      const key = typeof payload === 'string' ? payload : '';
      for (const l of listeners) l.invalidate(key);
      onEvent?.('invalidate', key);
    });
  };

  if (typeof source === 'string') {
    // One fixed primary: reconnect to it forever.
    const subscriber = subscriberFor(source, 'forever');
    wire(subscriber);
    subscriber.events.on('reconnect', (attempt: number) => { if (attempt === 1) flush('disconnect'); onEvent?.('reconnect', attempt); });
    subscriber.events.on('error', (err: Error) => onEvent?.('error', err.message));
    await subscriber.connect();
    await subscriber.listenTo(CACHE_CHANNEL);
    // pg-listen emits `connected` again after each reconnection, once LISTEN is re-issued.
    subscriber.events.on('connected', () => flush('connect'));
    flush('connect');
    onEvent?.('listening', memberName(source));
    return { close: () => subscriber.close() };
  }

  return new PrimaryFollower(source, wire, flush, onEvent).start();
}

/** Keeps one subscriber on whichever node is the primary, replacing it when the primary changes. */
class PrimaryFollower {
  private closed = false;
  private current: { subscriber: Subscriber; url: string; end: () => void } | undefined;
  private outage: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly source: PrimarySource, private readonly wire: (s: Subscriber) => void,
    private readonly flush: (reason: FlushReason) => void, private readonly onEvent?: ListenEvent) {}

  private readonly onPrimary = (to: Member | undefined) => {
    if (this.current && to?.url !== this.current.url) this.current.end();
  };

  /**
   * Resolves once LISTEN is active for the first time; rejects if that first attempt fails (as
   * the single-URL listener does), so a process does not start serving with deaf caches.
   */
  async start(): Promise<Listening> {
    this.source.topology.on('primary', this.onPrimary);
    let settle!: (err?: unknown) => void;
    const listening = new Promise<void>((resolve, reject) => { settle = (err) => (err ? reject(err) : resolve()); });
    this.loop = this.run(settle);
    try {
      await listening;
    } catch (err) {
      await this.close();
      throw err;
    }
    return { close: () => this.close() };
  }

  private down(): void {
    if (this.outage || this.closed) return;
    this.flush('disconnect');
    this.outage = setInterval(() => this.flush('outage'), OUTAGE_FLUSH_MS);
    this.outage.unref();
  }

  private up(): void {
    if (this.outage) { clearInterval(this.outage); this.outage = undefined; }
    this.flush('connect');
  }

  private async run(settle: (err?: unknown) => void): Promise<void> {
    let attempt = 0;
    let started = false;
    const first = (err?: unknown) => { if (!started) { started = true; settle(err); } };
    while (!this.closed) {
      let url: string;
      try {
        url = await this.source.primaryUrl();
      } catch (err) {
        this.onEvent?.('error', (err as Error).message);
        first(err);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (this.closed) break;
      const subscriber = subscriberFor(url, 'briefly');
      let end!: () => void;
      const ended = new Promise<void>((r) => { end = r; });
      this.current = { subscriber, url, end };
      this.wire(subscriber);
      subscriber.events.on('reconnect', (n: number) => { this.down(); this.onEvent?.('reconnect', n); });
      // pg-listen gives up after its retries (or LISTEN failed on a node now in recovery).
      subscriber.events.on('error', (err: Error) => { this.onEvent?.('error', err.message); end(); });
      try {
        await subscriber.connect();
        await subscriber.listenTo(CACHE_CHANNEL);
        // Re-LISTENed after one of pg-listen's own reconnections to the same node.
        subscriber.events.on('connected', () => this.up());
        // LISTEN first, flush second: a change committed after this point is notified.
        this.up();
        attempt = 0;
        this.onEvent?.('listening', memberName(url));
        first();
        await ended;
      } catch (err) {
        this.onEvent?.('error', (err as Error).message);
        first(err);
      }
      this.current = undefined;
      this.down();
      await subscriber.close().catch(() => {});
      if (!this.closed) await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt++) * (0.5 + Math.random() / 2)));
    }
  }

  private async close(): Promise<void> {
    this.closed = true;
    this.source.topology.off('primary', this.onPrimary);
    if (this.outage) clearInterval(this.outage);
    this.current?.end();
    // The loop may be waiting for a primary that is not coming: do not hold shutdown for it.
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 2000).unref())]);
  }
}
