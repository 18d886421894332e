/**
 * The job runner across real processes: two `cluster/jobs.js` children share one database; the
 * leader is killed with SIGKILL in the middle of an auto-renew pass over thousands of expired
 * domains; the other takes over and finishes, and nothing is billed twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaults } from '../../src/config.js';
import { sql } from '../../src/db/pool.js';
import { addZone } from '../../src/admin/zones.js';
import { createRegistrar } from '../../src/admin/registrars.js';
import { setPrice } from '../../src/admin/catalog.js';
import { topUp } from '../../src/admin/accounts.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

const DOMAINS = 3000;

interface Runner { proc: ChildProcess; leader: boolean; out: string }

describe('scheduler leader killed mid-pass', () => {
  let t: TestDb;
  let dir: string;
  const runners: Runner[] = [];

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-jobs-'));
    chmodSync(dir, 0o755);
    const db = t.db.primary;
    await addZone(db, 'example');
    await createRegistrar(db, { clientId: 'reg-a', name: 'A', password: 'Secret-a-123', zones: ['example'] });
    await setPrice(db, 'example', 'autoRenew', '7.00');
    await topUp(db, 'reg-a', '100.00');
    // Thousands of domains (times in whole milliseconds, as JavaScript keeps them) that expired an hour ago: one pass of small batches takes a while.
    await db.query(sql`
      INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at)
      SELECT 'D' || g || '-REG', 'expired' || g || '.example', z.id, r.id, r.id, date_trunc('milliseconds', now()) - interval '1 year 1 hour', date_trunc('milliseconds', now()) - interval '1 hour'
        FROM generate_series(1, ${DOMAINS}) g, zones z, registrars r`);
  });

  afterAll(async () => {
    for (const r of runners) r.proc.kill('SIGKILL');
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (): Runner => {
    const config = defaults(dir);
    config.database.primary = t.url;
    config.jobs = { intervalSeconds: 0.05, batchSize: 10 };
    config.log = { level: 'info', file: join(dir, 'jobs.log'), stdout: true };
    const proc = spawn(process.execPath, [fileURLToPath(new URL('../../dist/cluster/jobs.js', import.meta.url))], {
      env: { ...process.env, REGISTRY_CONFIG_JSON: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const r: Runner = { proc, leader: false, out: '' };
    proc.stdout!.on('data', (d: Buffer) => { r.out += d; if (r.out.includes('job runner: leader')) r.leader = true; });
    proc.stderr!.on('data', (d: Buffer) => { r.out += d; });
    runners.push(r);
    return r;
  };

  const renewedCount = async () => (await t.db.primary.query(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE operation = 'autoRenew'`))[0].n as number;

  it('hands the pass to the other process, which finishes it: every domain renewed and billed exactly once', async () => {
    const first = start();
    await expect.poll(() => first.leader, { timeout: 15_000, interval: 20 }).toBe(true);
    const second = start();
    // Kill the leader as soon as it has committed some, but not all, of the pass.
    await expect.poll(renewedCount, { timeout: 30_000, interval: 5 }).toBeGreaterThan(0);
    first.proc.kill('SIGKILL');
    const atKill = await renewedCount();
    expect(atKill).toBeLessThan(DOMAINS);
    await expect.poll(() => second.leader, { timeout: 15_000, interval: 20 }).toBe(true);
    await expect.poll(renewedCount, { timeout: 60_000, interval: 50 }).toBe(DOMAINS);

    const db = t.db.primary;
    const [twice] = await db.query(sql`SELECT count(*)::int AS n FROM (SELECT domain_roid FROM ledger_entries WHERE operation = 'autoRenew' GROUP BY domain_roid HAVING count(*) <> 1) x`);
    expect(twice.n).toBe(0);
    const [{ n: notRenewed }] = await db.query(sql`SELECT count(*)::int AS n FROM domains WHERE expires_at <> created_at + interval '2 years'`);
    expect(notRenewed).toBe(0);
    const [{ n: polls }] = await db.query(sql`SELECT count(*)::int AS n FROM poll_messages WHERE msg LIKE '%auto-renewed%'`);
    expect(polls).toBe(DOMAINS);
    const [acct] = await db.query(sql`SELECT a.balance, (SELECT sum(amount) FROM ledger_entries)::bigint AS total FROM account_balances a`);
    expect(Number(acct.balance)).toBe(Number(acct.total));
    // Billed beyond the prepaid 100.00: auto-renewals are an obligation, not a choice.
    expect(Number(acct.balance)).toBe(10_000 - DOMAINS * 700);
  }, 120_000);
});
