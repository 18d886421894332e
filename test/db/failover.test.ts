/**
 * The connection layer over a real primary and streaming standby (no Patroni: roles by
 * pg_is_in_recovery()): writes only on the primary, stale reads on the standby, a failover
 * waited out, in-flight work failing cleanly, COMMITs of unknown outcome, the listener following
 * the primary, and refusing writes when two nodes both claim to be primary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, CommitOutcomeUnknownError, PrimaryUnavailableError, classifyDbError, sql } from '../../src/db/pool.js';
import { listenForInvalidations, type CacheListener, type FlushReason, type Listening } from '../../src/db/listen.js';
import { startReplicaPair, type ReplicaPair } from '../helpers/replica-pair.js';

const port = async (q: { query: Database['primary']['query'] }) => {
  const [r] = await q.query(sql`SELECT inet_server_port() AS port, pg_is_in_recovery() AS standby`);
  return r as { port: number; standby: boolean };
};

describe('classifyDbError', () => {
  it('tells node failures from the query\'s own errors', () => {
    expect(classifyDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe('connection');
    expect(classifyDbError(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(classifyDbError(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe('connection');
    expect(classifyDbError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe('connection');
    expect(classifyDbError(Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }))).toBe('not-primary');
    expect(classifyDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('other');
    expect(classifyDbError(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe('connection');
  });
});

describe('failover-aware connection layer', () => {
  let pair: ReplicaPair;
  let db: Database;
  const flushes: FlushReason[] = [];
  const keys: string[] = [];
  const events: string[] = [];
  const cache: CacheListener = { invalidate: (k) => keys.push(k), flushAll: () => {} };
  let listening: Listening | undefined;

  beforeAll(async () => {
    pair = await startReplicaPair();
    db = new Database({ hosts: pair.urls, poolSize: 4, probeIntervalMs: 200, connectTimeoutMs: 1000, primaryWaitMs: 15_000, applicationName: 'registry-test' });
    await db.ready();
  }, 60_000);

  afterAll(async () => {
    await listening?.close();
    await db?.dispose();
    await pair?.close();
  });

  it('finds the primary, writes only there, and reads that may be stale from the standby', async () => {
    expect(db.topology.primary()?.name).toBe(`127.0.0.1:${pair.ports[0]}`);
    expect(await port(db.primary)).toEqual({ port: pair.ports[0], standby: false });
    await db.tx((tx) => tx.query(sql`INSERT INTO zones (name) VALUES ('before')`));
    await expect.poll(() => db.topology.readers(30).map((m) => m.name)).toEqual([`127.0.0.1:${pair.ports[1]}`]);
    expect(await port(db.reader())).toEqual({ port: pair.ports[1], standby: true });
    const standbyMember = db.topology.members[1]!;
    expect(standbyMember.role).toBe('standby');
    expect(standbyMember.lagSeconds).toBeGreaterThanOrEqual(0);
  });

  it('answers a COMMIT that got no reply with CommitOutcomeUnknownError, not a success or a plain failure', async () => {
    const admin = pair.admin(0);
    // A deferred trigger terminates its own backend while COMMIT runs: the client never hears back.
    await admin.query(sql`
      CREATE FUNCTION die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$`);
    await admin.query(sql`
      CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON zones DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.name = 'commit-dies') EXECUTE FUNCTION die_at_commit()`);
    const err = await db.tx((tx) => tx.query(sql`INSERT INTO zones (name) VALUES ('commit-dies')`)).catch((e) => e);
    expect(err).toBeInstanceOf(CommitOutcomeUnknownError);
    expect((err as CommitOutcomeUnknownError).member).toBe(`127.0.0.1:${pair.ports[0]}`);
    // An error inside the transaction is a plain failure: nothing was committed, and it says so.
    const plain = await db.tx((tx) => tx.query(sql`INSERT INTO zones (name) VALUES (NULL)`)).catch((e) => e);
    expect(plain).not.toBeInstanceOf(CommitOutcomeUnknownError);
    expect(classifyDbError(plain)).toBe('other');
    await admin.query(sql`DROP TRIGGER die_at_commit ON zones`);
    // The primary was only suspected, not lost: it is still the primary.
    expect(await port(db.primary)).toEqual({ port: pair.ports[0], standby: false });
  });

  it('follows the primary with LISTEN and flushes every cache once listening', async () => {
    listening = await listenForInvalidations(db, [cache], (e, d) => {
      events.push(`${e}:${String(d)}`);
      if (e === 'flush') flushes.push(d as FlushReason);
    });
    expect(flushes).toEqual(['connect']);
    expect(events).toContain(`listening:127.0.0.1:${pair.ports[0]}`);
    await pair.admin(0).query(sql`UPDATE zones SET name = 'before-1' WHERE name = 'before'`);
    await expect.poll(() => keys.length).toBeGreaterThan(0);
  });

  it('fails work in flight on a dying primary, waits for the promoted standby, then continues there', async () => {
    const admin = pair.admin(0);
    // A transaction holding the primary when it dies fails (it never reached COMMIT: nothing applied).
    let inTx!: () => void;
    const entered = new Promise<void>((r) => { inTx = r; });
    const inFlight = db.tx(async (tx) => {
      await tx.query(sql`INSERT INTO zones (name) VALUES ('in-flight')`);
      inTx();
      await tx.query(sql`SELECT pg_sleep(30)`);
    }).then(() => 'committed', (e) => e);
    await entered;
    await pair.primary.stop('immediate');
    await admin.dispose().catch(() => {});
    const failure = await inFlight;
    expect(failure).not.toBe('committed');
    expect(failure).not.toBeInstanceOf(CommitOutcomeUnknownError);
    expect(classifyDbError(failure)).toBe('connection');

    // A new write arrives while there is no primary: it waits instead of failing.
    await expect.poll(() => db.topology.primary(), { timeout: 10_000 }).toBeUndefined();
    const t0 = Date.now();
    const waiting = db.tx((tx) => tx.query(sql`INSERT INTO zones (name) VALUES ('after-failover') RETURNING inet_server_port() AS port`));
    await new Promise((r) => setTimeout(r, 1500));
    await pair.promoteStandby();
    const [row] = await waiting;
    expect(row.port).toBe(pair.ports[1]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(db.topology.primary()?.name).toBe(`127.0.0.1:${pair.ports[1]}`);
    expect(db.topology.failovers).toBe(1);
    // Nothing of the transaction that was in flight exists on the new primary.
    const rows = await db.primary.query(sql`SELECT name FROM zones WHERE name IN ('in-flight', 'after-failover', 'before-1') ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(['after-failover', 'before-1']);
    // With no standby left, reads go to the primary.
    expect((await port(db.reader())).port).toBe(pair.ports[1]);
  });

  it('has LISTENed again on the new primary and flushed the caches there', async () => {
    await expect.poll(() => events.includes(`listening:127.0.0.1:${pair.ports[1]}`), { timeout: 15_000 }).toBe(true);
    expect(flushes).toContain('disconnect');
    expect(flushes.at(-1)).toBe('connect');
    const before = keys.length;
    await db.primary.query(sql`UPDATE zones SET name = 'after-2' WHERE name = 'after-failover'`);
    await expect.poll(() => keys.length, { timeout: 5000 }).toBeGreaterThan(before);
    await listening?.close();
  });

  it('refuses writes while two nodes both claim to be primary, rather than pick one', async () => {
    // The old primary comes back on its own timeline: without Patroni nothing fences it.
    await pair.primary.start();
    await expect.poll(() => db.topology.primary(), { timeout: 10_000 }).toBeUndefined();
    const short = new Database({ hosts: pair.urls, poolSize: 1, probeIntervalMs: 200, connectTimeoutMs: 1000, primaryWaitMs: 1500 });
    try {
      await short.ready();
      const err = await short.primary.query(sql`SELECT 1`).catch((e) => e);
      expect(err).toBeInstanceOf(PrimaryUnavailableError);
    } finally {
      await short.dispose();
    }
  });
});

describe('fixed single-URL configuration', () => {
  it('keeps primary and standbys as configured and never waits', async () => {
    const db = new Database({ primary: 'postgres://nobody:x@127.0.0.1:1/none', standbys: ['postgres://nobody:x@127.0.0.1:2/none'] });
    expect(db.discovering).toBe(false);
    expect(db.topology.primary()?.name).toBe('127.0.0.1:1');
    expect(db.topology.readers(0).map((m) => m.name)).toEqual(['127.0.0.1:2']);
    const t0 = Date.now();
    await expect(db.primary.query(sql`SELECT 1`)).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(5000);
    await db.dispose();
  });

  it('refuses primary together with hosts, and Patroni URLs that do not match the hosts', () => {
    expect(() => new Database({ primary: 'postgres://a@h/x', hosts: ['postgres://a@h/x'] })).toThrow(/not both/);
    expect(() => new Database({ hosts: ['postgres://a@h/x', 'postgres://a@i/x'], patroniUrls: ['http://h:8008'] })).toThrow(/one URL per host/);
  });
});
