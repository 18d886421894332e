/**
 * Issue 4's scheduler figure: one pass of every lifecycle job over a registry of 1,000,000
 * domains of which 10,000 expire today (plus 1,000 leaving redemption and 1,000 due for purge),
 * against a throwaway local PostgreSQL with synchronous commit on. Prints the pass's duration,
 * what each step did, and the peak RSS of this process.
 *
 *   npm run build && node dist/bench/scheduler-pass.js [--domains=1000000] [--expiring=10000] [--batch=500]
 */
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalPostgres } from '../src/embedded/postgres.js';
import { Database, createConnectionPool, sql } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { addZone } from '../src/admin/zones.js';
import { createRegistrar } from '../src/admin/registrars.js';
import { setPrice } from '../src/admin/catalog.js';
import { topUp } from '../src/admin/accounts.js';
import { runPass } from '../src/jobs/scheduler.js';
import { freePort } from '../src/util/net.js';
import { flags as readFlags, numFlag } from './stats.js';

const f = readFlags(process.argv.slice(2));
const DOMAINS = numFlag(f, 'domains', 1_000_000, 1);
const EXPIRING = numFlag(f, 'expiring', 10_000);
const RGP = numFlag(f, 'rgp', 1_000);
const BATCH = numFlag(f, 'batch', 500, 1);

const dir = mkdtempSync(join(tmpdir(), 'registry-sched-bench-'));
chmodSync(dir, 0o755);
const pg = new LocalPostgres({ dir, port: await freePort() });
try {
  await pg.init();
  await pg.start();
  const admin = createConnectionPool({ connectionString: pg.url(), poolSize: 2 });
  await migrate(admin);
  await addZone(admin, 'example');
  for (const r of ['reg-a', 'reg-b', 'reg-c', 'reg-d']) await createRegistrar(admin, { clientId: r, name: r, password: 'Bench-pass-1', zones: ['example'] });
  for (const [op, amount] of [['create', '10.00'], ['renew', '10.00'], ['autoRenew', '10.00']] as const) await setPrice(admin, 'example', op, amount);
  for (const r of ['reg-a', 'reg-b', 'reg-c', 'reg-d']) await topUp(admin, r, '1000000.00');
  const t0 = Date.now();
  // The registry: most domains expire over the coming year; EXPIRING of them earlier today;
  // RGP of them at the end of redemption and RGP at the end of pendingDelete.
  // Spread over the id range as in a real registry: every (DOMAINS / EXPIRING)-th domain expires today.
  const every = Math.max(1, Math.floor(DOMAINS / Math.max(1, EXPIRING)));
  await admin.query(sql`
    WITH g AS (
      SELECT g, g % ${every} = 0 AND g / ${every} <= ${EXPIRING} AS today,
             CASE WHEN g % ${every} = 1 AND g / ${every} < ${RGP} THEN 'redemptionPeriod'
                  WHEN g % ${every} = 2 AND g / ${every} < ${RGP} THEN 'pendingDelete' END AS rgp
        FROM generate_series(1, ${DOMAINS}) g)
    INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, created_at, expires_at, statuses, rgp_status, rgp_until, deleted_at)
    SELECT 'D' || g || '-BENCH', 'd' || g || '.example', 1, 1 + g % 4, 1 + g % 4, now() - interval '2 years',
           CASE WHEN today THEN date_trunc('day', now()) + (g % 36000) * interval '1 second'
                ELSE now() + interval '1 day' + (g % 31536000) * interval '1 second' END,
           CASE WHEN rgp IS NOT NULL THEN '{pendingDelete}'::text[] ELSE '{}' END,
           rgp,
           CASE WHEN rgp IS NOT NULL THEN now() - interval '1 hour' END,
           CASE WHEN rgp IS NOT NULL THEN now() - interval '32 days' END
      FROM g`);
  await admin.query(sql`VACUUM ANALYZE domains`);
  // "Today" ends at midnight UTC: the pass sees the domains that expired earlier today.
  const at = new Date(Math.max(Date.now(), new Date(new Date().toISOString().slice(0, 10) + 'T10:00:00Z').getTime()));
  process.stdout.write(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}, node ${process.version}\n`);
  process.stdout.write(`preloaded ${DOMAINS} domains in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  await admin.dispose();

  const db = new Database({ primary: pg.url(), poolSize: 4 });
  const started = process.hrtime.bigint();
  const r = await runPass(db, at, { batch: BATCH });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [{ n: charges }] = await db.primary.query(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE operation = 'autoRenew'`);
  await db.dispose();
  process.stdout.write(`pass over ${DOMAINS} domains (${EXPIRING} expiring today, batch ${BATCH}): ${seconds.toFixed(2)} s; `
    + `auto-renewed ${r.autoRenewed} (${charges} charges), pendingDelete ${r.pendingDelete}, purged ${r.purged}; `
    + `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB\n`);
  process.stdout.write(JSON.stringify(r) + '\n');
} finally {
  await pg.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
}
