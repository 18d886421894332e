/**
 * LISTEN/NOTIFY for cache invalidation (pg-listen): one dedicated connection, jittered reconnect,
 * and a full flush on every (re)connection because notices sent while disconnected are lost.
 */
import pgListen from 'pg-listen';

// CommonJS default export; under NodeNext the default import is the module.
const createSubscriber = pgListen.default;

export const CACHE_CHANNEL = 'registry_cache';

export interface CacheListener {
  /** A changed key, e.g. "registrar:12" or "zone:3". */
  invalidate(key: string): void;
  /** Drop everything: we may have missed notices. */
  flushAll(): void;
}

export interface Listening { close(): Promise<void> }

export async function listenForInvalidations(connectionString: string, listeners: CacheListener[], onEvent?: (event: string, detail?: unknown) => void): Promise<Listening> {
  const subscriber = createSubscriber({ connectionString }, {
    parse: (s: string) => s,
    retryInterval: (attempt: number) => Math.min(5000, 200 * 2 ** attempt) * (0.5 + Math.random() / 2),
    retryTimeout: Number.POSITIVE_INFINITY,
    paranoidChecking: 10_000,
  });
  subscriber.notifications.on(CACHE_CHANNEL, (payload: unknown) => {
    const key = typeof payload === 'string' ? payload : '';
    for (const l of listeners) l.invalidate(key);
    onEvent?.('invalidate', key);
  });
  subscriber.events.on('reconnect', (attempt: number) => onEvent?.('reconnect', attempt));
  subscriber.events.on('connected', () => {
    for (const l of listeners) l.flushAll();
    onEvent?.('flush');
  });
  subscriber.events.on('error', (err: Error) => onEvent?.('error', err.message));
  await subscriber.connect();
  await subscriber.listenTo(CACHE_CHANNEL);
  return { close: () => subscriber.close() };
}
