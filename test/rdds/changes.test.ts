/** The RDDS change log and its poller, on a real database: commit order, long transactions, errors, overload. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { sql } from '../../src/db/pool.js';
import { ChangeFeed } from '../../src/rdds/changes.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

class Recorder {
  keys: string[] = [];
  flushes = 0;
  invalidate(k: string) { this.keys.push(k); }
  flushAll() { this.flushes++; }
}

describe('ChangeFeed', () => {
  let t: TestDb;
  const log = pino({ level: 'silent' });
  beforeAll(async () => { t = await createTestDb(); });
  afterAll(async () => { await t.drop(); });

  it('hands on each change once, including those of a transaction that commits after a later one', async () => {
    const rec = new Recorder();
    const feed = new ChangeFeed({ db: () => t.db.primary, listeners: [rec], pollMs: 1_000_000, log });
    await feed.start();
    expect(rec.flushes).toBe(1);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let inserted!: () => void;
    const started = new Promise<void>((r) => { inserted = r; });
    // T1 writes first and commits last.
    const t1 = t.db.primary.tx(async (tx) => {
      await tx.query(sql`INSERT INTO rdds_changes (key) VALUES ('rdds:d:1')`);
      inserted();
      await gate;
    });
    await started;
    await t.db.primary.query(sql`INSERT INTO rdds_changes (key) VALUES ('rdds:d:2')`);
    await feed.poll();
    expect(rec.keys).toEqual(['rdds:d:2']);
    release();
    await t1;
    await feed.poll();
    expect(rec.keys).toEqual(['rdds:d:2', 'rdds:d:1']);
    await feed.poll();
    expect(rec.keys).toEqual(['rdds:d:2', 'rdds:d:1']);
    await feed.close();
  });

  it('gets what EPP-visible tables write through the triggers', async () => {
    const rec = new Recorder();
    const feed = new ChangeFeed({ db: () => t.db.primary, listeners: [rec], pollMs: 1_000_000, log });
    await feed.start();
    const [z] = await t.db.primary.query(sql`INSERT INTO zones (name) VALUES ('feed') RETURNING id`);
    const [r] = await t.db.primary.query(sql`INSERT INTO registrars (client_id, name, password_hash) VALUES ('feeder', 'F', 'x') RETURNING id`);
    const [c] = await t.db.primary.query(sql`INSERT INTO contacts (roid, contact_id, sponsor_id, creator_id, postal_int, email, auth_pw, created_at)
      VALUES ('C900-REG', 'feed-c', ${r.id}, ${r.id}, '{"name":"N","city":"C","cc":"US"}', 'a@b.example', 'x', now()) RETURNING id`);
    const [d] = await t.db.primary.query(sql`INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
      VALUES ('D901-REG', 'a.feed', ${z.id}, ${r.id}, ${r.id}, ${c.id}, now(), now()) RETURNING id`);
    const [h] = await t.db.primary.query(sql`INSERT INTO hosts (roid, name, sponsor_id, creator_id, created_at) VALUES ('H902-REG', 'ns.a.feed', ${r.id}, ${r.id}, now()) RETURNING id`);
    await t.db.primary.query(sql`INSERT INTO domain_hosts (domain_id, host_id) VALUES (${d.id}, ${h.id})`);
    await t.db.primary.query(sql`UPDATE hosts SET name = 'ns2.a.feed' WHERE id = ${h.id}`);
    await feed.poll();
    expect(rec.keys).toEqual([
      `rdds:c:${c.id}:C900-REG`, `rdds:d:${d.id}:a.feed`, `rdds:c:${c.id}`, `rdds:h:${h.id}:ns.a.feed`,
      `rdds:d:${d.id}`, `rdds:h:${h.id}`, `rdds:h:${h.id}:ns2.a.feed`, `rdds:h:${h.id}:ns.a.feed`,
    ]);
    await feed.close();
  });

  it('deletes rows of transactions older than the retention period, by xid', async () => {
    let now = 0;
    const feed = new ChangeFeed({ db: () => t.db.primary, listeners: [new Recorder()], pollMs: 1_000_000, log, retentionMinutes: 10, clock: () => now });
    await feed.start();
    await feed.poll();
    await t.db.primary.query(sql`INSERT INTO rdds_changes (key) VALUES ('rdds:d:old')`);
    const count = async () => (await t.db.primary.query(sql`SELECT count(*)::int AS n FROM rdds_changes WHERE key = 'rdds:d:old'`))[0].n;
    now = 11 * 60_000;
    await feed.poll();
    expect(await count()).toBe(1);
    now = 22 * 60_000;
    await feed.poll();
    expect(await count()).toBe(0);
    await feed.close();
  });

  it('flushes everything after it could not read the log, and when a poll finds too much', async () => {
    const rec = new Recorder();
    let broken = false;
    const feed = new ChangeFeed({
      db: () => (broken ? { query: () => Promise.reject(new Error('connection lost')) } as never : t.db.primary),
      listeners: [rec], pollMs: 1_000_000, log, maxBatch: 3,
    });
    await feed.start();
    broken = true;
    await feed.poll();
    broken = false;
    await t.db.primary.query(sql`INSERT INTO rdds_changes (key) VALUES ('rdds:d:5')`);
    await feed.poll();
    expect(rec.flushes).toBe(2);
    expect(rec.keys).toEqual([]);
    await t.db.primary.query(sql`INSERT INTO rdds_changes (key) SELECT 'rdds:d:' || g FROM generate_series(10, 13) g`);
    await feed.poll();
    expect(rec.flushes).toBe(3);
    expect(rec.keys).toEqual([]);
    await t.db.primary.query(sql`INSERT INTO rdds_changes (key) VALUES ('rdds:d:20')`);
    await feed.poll();
    expect(rec.keys).toEqual(['rdds:d:20']);
    await feed.close();
  });
});
