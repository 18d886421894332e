/**
 * The HA appliance under faults: two Patroni-managed Postgres nodes (synchronous mode) and one
 * etcd member on loopback, two appliance nodes (supervisor, EPP front-ends, jobs) pointed at
 * both databases — node A discovers the primary through Patroni's REST API, node B through
 * pg_is_in_recovery(). Creates from many sessions while the primary's postmaster is killed;
 * then an EPP front-end and the scheduler leader are killed; then a cache invalidation is lost
 * across a second failover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contactCreateXml, domainCheckXml, resultCode } from '../../src/epp/client.js';
import { sql, type ConnectionPool } from '../../src/db/pool.js';
import { hashPassword } from '../../src/security/password.js';
import { setPassword } from '../../src/admin/registrars.js';
import { startPatroniCluster, type PatroniCluster, type PgNode } from './cluster.js';
import { configureAppliance, startAppliance, type Appliance } from './appliance.js';
import { CreateLoad, eppSession, type Target } from './load.js';
import { chargesWithoutTheirDomain, domainsWithoutTheirRecords } from './consistency.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli/registry.js', import.meta.url));
const PW = { a: 'Ha-reg-a-123', b: 'Ha-reg-b-123', bNew: 'Ha-reg-b-456', c: 'Ha-reg-c-123', cNew: 'Ha-reg-c-456' };
const LEADER_LOCK = 0x52454732; // src/jobs/scheduler.ts

const OPS_BIN = fileURLToPath(new URL('../../ops/bin/', import.meta.url));

const exec = (file: string, args: string[]) => new Promise<string>((resolve, reject) => {
  execFile(file, args, { encoding: 'utf8', timeout: 120_000 }, (err, out, errOut) => (err ? reject(new Error(`${file} ${args.join(' ')}: ${err.message} ${out} ${errOut}`)) : resolve(out)));
});
const cli = (dataDir: string, ...args: string[]) => exec(process.execPath, [CLI, '--data-dir', dataDir, ...args]);
const backup = (node: PgNode, command: string) => exec(join(OPS_BIN, 'registry-backup'), ['--config', node.pgbackrestConf, '--patroni', node.patroniUrl, command]);

async function poll<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('HA appliance under faults', () => {
  let dir: string;
  let cluster: PatroniCluster;
  let a: Appliance;
  let b: Appliance;
  let targetA: Target;
  let targetB: Target;
  let confirmedInFirstFailover: string[] = [];
  const figures: Record<string, unknown> = {};

  const primaryAdmin = async (): Promise<{ node: PgNode; db: ConnectionPool }> => {
    const node = await poll('a Patroni leader', () => cluster.leader(), (n) => n !== undefined, 30_000);
    return { node: node!, db: cluster.admin(node!) };
  };
  const login = async (t: Target, clID: string, pw: string) => {
    const raw = await eppSession(t, clID, pw).then((c) => ({ c, code: 1000 }), (e: Error) => ({ c: undefined, code: Number(/answered (\d+)/.exec(e.message)?.[1] ?? -1) }));
    await raw.c?.close();
    return raw.code;
  };
  const leaders = async () => (await a.metric('registry_jobs_leader')) + (await b.metric('registry_jobs_leader'));
  const lockHolders = async (db: ConnectionPool) => {
    const [r] = await db.query(sql`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ${LEADER_LOCK} AND granted`);
    return r.n as number;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'registry-ha-'));
    chmodSync(dir, 0o755); // the postgres user must reach the data directories below
    cluster = await startPatroniCluster(join(dir, 'db'), { archive: true });
    const hosts = cluster.nodes.map((n) => n.appUrl);
    const appA = join(dir, 'app-a');
    const appB = join(dir, 'app-b');
    const portsA = await configureAppliance(appA, { hosts, patroniUrls: cluster.nodes.map((n) => n.patroniUrl), processes: 2 });
    const portsB = await configureAppliance(appB, { hosts, processes: 1, pki: join(appA, 'pki') });
    // The admin CLI finds the primary among database.hosts too.
    await cli(appA, 'db', 'migrate');
    await cli(appA, 'zone', 'add', 'example');
    // Creates are billed, so a lost write would also show as a charge without its domain (or the reverse).
    await cli(appA, 'price', 'set', 'example', 'create', '5.00');
    for (const [clID, pw] of [['ha-a', PW.a], ['ha-b', PW.b], ['ha-c', PW.c]] as const) {
      await cli(appA, 'registrar', 'create', clID, '--name', `HA ${clID}`, '--password', pw, '--ip', '127.0.0.0/8', '--zone', 'example', '--max-sessions', '100');
      await cli(appA, 'account', 'topup', clID, '1000000.00');
    }
    a = await startAppliance('A', appA, portsA);
    b = await startAppliance('B', appB, portsB);
    targetA = { node: 'A', port: a.eppPort, ca: join(appA, 'pki', 'ca.crt') };
    targetB = { node: 'B', port: b.eppPort, ca: join(appA, 'pki', 'ca.crt') };
    const s = await eppSession(targetA, 'ha-a', PW.a);
    expect(resultCode(await s.request(contactCreateXml({ id: 'ha-owner' })))).toBe(1000);
    await s.close();
    // WAL archiving to pgBackRest from the first primary, and a full backup before any fault.
    const first = (await cluster.leader())!;
    await backup(first, 'init');
    await backup(first, 'full');
  }, 300_000);

  afterAll(async () => {
    // eslint-disable-next-line no-console
    console.log('HA figures', JSON.stringify(figures));
    await Promise.all([a?.stop(), b?.stop()].map((p) => p?.catch(() => {})));
    await cluster?.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('is ready on both nodes, each with a primary and a synchronous standby', async () => {
    expect(await a.ready()).toBe(200);
    expect(await b.ready()).toBe(200);
    const leader = (await cluster.leader())!;
    expect(await cluster.isSyncStandby(cluster.other(leader))).toBe(true);
    expect((await a.health()).database).toBe('available');
    expect(await a.metric('registry_db_member_role', { role: 'primary', kind: 'epp' })).toBe(1);
  });

  it('loses no confirmed create when the primary\'s postmaster is killed mid-load, and creates resume within 30 s', async () => {
    const t0 = Date.now();
    const sessions = [
      ...(await Promise.all(Array.from({ length: 8 }, () => eppSession(targetA, 'ha-a', PW.a)))).map((client) => ({ client, node: 'A' })),
      ...(await Promise.all(Array.from({ length: 4 }, () => eppSession(targetB, 'ha-a', PW.a)))).map((client) => ({ client, node: 'B' })),
    ];
    const load = new CreateLoad(sessions, 'fo1', 'ha-owner');
    figures.sessionsOpenMs = Date.now() - t0;
    load.start();
    await load.until(() => load.count(1000) >= 150, 120_000, '150 confirmed creates before the fault');
    figures.first150Ms = Date.now() - t0 - (figures.sessionsOpenMs as number);

    const old = (await cluster.leader())!;
    const flushesBefore = await a.metric('registry_cache_full_flushes_total', { reason: 'connect' });
    const killAt = Date.now();
    process.kill(cluster.postmasterPid(old), 'SIGKILL');

    const promoted = await poll('Patroni to promote the standby', () => cluster.leader(), (n) => n === cluster.other(old), 30_000, 100);
    figures.promotedMs = Date.now() - killAt;
    await load.until(() => load.firstConfirmedSentAfter(killAt) !== undefined, 40_000, 'a create sent after the kill to be confirmed');
    const first = load.firstConfirmedSentAfter(killAt)!;
    figures.failoverMs = first.doneAt - killAt;
    expect(first.doneAt - killAt).toBeLessThan(30_000);
    // Both nodes' sessions work again, not only one.
    await load.until(() => ['A', 'B'].every((n) => load.results.some((r) => r.node === n && r.code === 1000 && r.sentAt > first.doneAt)), 20_000, 'creates on both appliance nodes');
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();

    // EPP sessions stayed connected: no command went unanswered.
    expect(load.results.filter((r) => r.code === 'error')).toEqual([]);
    const codes = new Map<string, number>();
    for (const r of load.results) codes.set(String(r.code), (codes.get(String(r.code)) ?? 0) + 1);
    expect([...codes.keys()].sort()).toEqual(codes.has('2400') ? ['1000', '2400'] : ['1000']);

    // Every create answered 1000 exists on the new primary: count them.
    const db = cluster.admin(promoted!);
    confirmedInFirstFailover = load.confirmed();
    const [{ n }] = await db.query(sql`SELECT count(*)::int AS n FROM domains WHERE name = ANY(${confirmedInFirstFailover})`);
    expect(n).toBe(confirmedInFirstFailover.length);
    expect(await domainsWithoutTheirRecords(db)).toEqual([]);
    expect(await chargesWithoutTheirDomain(db)).toEqual([]);
    const failed = load.results.filter((r) => r.code === 2400).map((r) => r.name);
    const [{ applied }] = await db.query(sql`SELECT count(*)::int AS applied FROM domains WHERE name = ANY(${failed})`);
    Object.assign(figures, { confirmed: confirmedInFirstFailover.length, answered2400: failed.length, answered2400ButApplied: applied, firstAfterKillSentMs: first.sentAt - killAt });

    // Each process saw one failover and LISTENs again on the new primary, caches flushed.
    expect(await a.metric('registry_db_failovers_total', { kind: 'epp' })).toBe(1);
    expect(await a.metric('registry_cache_full_flushes_total', { reason: 'connect' })).toBeGreaterThan(flushesBefore);
    for (const s of sessions) await s.client.close();
  }, 180_000);

  it('restores the backup taken before the failover, with the WAL the new primary archived since', async () => {
    const leader = (await cluster.leader())!;
    const [{ n }] = await cluster.admin(leader).query(sql`SELECT count(*)::int AS n FROM domains`);
    expect(n).toBeGreaterThanOrEqual(confirmedInFirstFailover.length);
    // Only the primary backs up; the other node's timer run is a no-op.
    expect(await backup(cluster.other(leader), 'incr')).toMatch(/not the primary/);
    await backup(leader, 'check'); // switches and archives the current WAL segment
    const report = await exec(join(OPS_BIN, 'registry-restore-drill'), ['--config', leader.pgbackrestConf, '--dir', cluster.dir]);
    expect(report).toMatch(new RegExp(`^domains=${n}$`, 'm'));
    expect(report).toMatch(/^domains_without_their_records=0$/m);
    expect(report).toMatch(/^restore-drill: ok/m);
    expect(await backup(leader, 'incr')).toMatch(/incr backup \S+ done/);
  }, 120_000);

  it('gets the old primary back as the synchronous standby (Patroni rewinds and rejoins it)', async () => {
    const leader = (await cluster.leader())!;
    await poll('the old primary to be the synchronous standby', () => cluster.isSyncStandby(cluster.other(leader)), (v) => v, 120_000, 500);
  }, 150_000);

  it('moves the scheduler\'s leadership to the new primary', async () => {
    const { db } = await primaryAdmin();
    await poll('one jobs leader holding its lock on the new primary', async () => ({ leaders: await leaders(), locks: await lockHolders(db) }), (v) => v.leaders === 1 && v.locks === 1, 45_000, 500);
  }, 60_000);

  it('restarts a killed EPP front-end; sessions elsewhere are unaffected', async () => {
    const onB = await Promise.all(Array.from({ length: 3 }, () => eppSession(targetB, 'ha-a', PW.a)));
    const onA = await Promise.all(Array.from({ length: 6 }, () => eppSession(targetA, 'ha-a', PW.a)));
    const load = new CreateLoad(onB.map((client) => ({ client, node: 'B' })), 'fe', 'ha-owner');
    load.start();
    const before = await a.health();
    const victim = before.children.find((c) => c.kind === 'epp')!;
    process.kill(victim.pid!, 'SIGKILL');
    await poll('the supervisor to restart the front-end', () => a.health(), (h) => h.status === 'ok' && h.children.reduce((n, c) => n + c.restarts, 0) === 1, 30_000);
    await load.until(() => load.count(1000) >= 30, 30_000, 'creates on node B during the restart');
    await load.stop();
    expect(load.results.filter((r) => r.code !== 1000)).toEqual([]);
    let alive = 0;
    for (const s of onA) {
      try { if (resultCode(await s.request(domainCheckXml(['alive.example']))) === 1000) alive++; } catch { /* was on the killed process */ }
    }
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThan(onA.length + 1);
    const fresh = await eppSession(targetA, 'ha-a', PW.a);
    expect(resultCode(await fresh.request(domainCheckXml(['after-restart.example'])))).toBe(1000);
    for (const s of [...onA, ...onB, fresh]) await Promise.resolve(s.close()).catch(() => {});
  }, 90_000);

  it('hands the scheduler to another process when its leader is killed', async () => {
    const leaderApp = await poll('a jobs leader', async () => ((await a.metric('registry_jobs_leader')) === 1 ? a : (await b.metric('registry_jobs_leader')) === 1 ? b : undefined), (v) => v !== undefined, 30_000);
    const jobsPid = (await leaderApp!.health()).children.find((c) => c.kind === 'jobs')!.pid!;
    process.kill(jobsPid, 'SIGKILL');
    const { db } = await primaryAdmin();
    const t0 = Date.now();
    await poll('another jobs process to lead', async () => {
      const holders = [];
      for (const app of [a, b]) {
        if ((await app.metric('registry_jobs_leader')) === 1) holders.push((await app.health()).children.find((c) => c.kind === 'jobs')?.pid);
      }
      return { holders, locks: await lockHolders(db) };
    }, (v) => v.holders.length === 1 && v.holders[0] !== jobsPid && v.locks === 1, 60_000, 500);
    figures.schedulerTakeoverMs = Date.now() - t0;
  }, 90_000);

  it('does not accept a stale password after a failover that lost its invalidation', async () => {
    // ha-b logs in on node B (one EPP process), which remembers that the password passed scrypt.
    expect(await login(targetB, 'ha-b', PW.b)).toBe(1000);
    expect(await login(targetB, 'ha-c', PW.c)).toBe(1000);
    const { node: old, db } = await primaryAdmin();
    // The password changes without a NOTIFY (triggers off for this transaction): the notice is lost.
    const hash = await hashPassword(PW.bNew);
    await db.tx(async (tx) => {
      await tx.query(sql`SET LOCAL session_replication_role = replica`);
      await tx.query(sql`UPDATE registrars SET password_hash = ${hash} WHERE client_id = 'ha-b'`);
    });
    // Control: without a flush the front-end still accepts the old password (the test can fail).
    expect(await login(targetB, 'ha-b', PW.b)).toBe(1000);

    const flushes = await b.metric('registry_cache_full_flushes_total', { reason: 'connect' });
    process.kill(cluster.postmasterPid(old), 'SIGKILL');
    const promoted = await poll('Patroni to promote the standby', () => cluster.leader(), (n) => n === cluster.other(old), 30_000, 100);
    // A change made on the new primary as soon as it exists: its NOTIFY may reach the front-end or not.
    const newDb = cluster.admin(promoted!);
    await poll('the new primary to accept the change', () => setPassword(newDb, 'ha-c', PW.cNew), (v) => v === PW.cNew, 30_000, 100);
    await poll('node B to LISTEN on the new primary and flush', () => b.metric('registry_cache_full_flushes_total', { reason: 'connect' }), (n) => n > flushes, 40_000, 200);

    expect(await login(targetB, 'ha-b', PW.b)).toBe(2200);
    expect(await login(targetB, 'ha-b', PW.bNew)).toBe(1000);
    expect(await login(targetB, 'ha-c', PW.c)).toBe(2200);
    expect(await login(targetB, 'ha-c', PW.cNew)).toBe(1000);
    // Node A never cached them but must agree.
    expect(await login(targetA, 'ha-b', PW.bNew)).toBe(1000);

    // After a second failover (back to the first node), still every confirmed create is there.
    const [{ n }] = await newDb.query(sql`SELECT count(*)::int AS n FROM domains WHERE name = ANY(${confirmedInFirstFailover})`);
    expect(n).toBe(confirmedInFirstFailover.length);
    expect(await domainsWithoutTheirRecords(newDb)).toEqual([]);
    expect(await chargesWithoutTheirDomain(newDb)).toEqual([]);
  }, 120_000);

  it('reports not ready once no primary has been reachable for longer than the wait, while /health stays up', async () => {
    await poll('both database nodes back in sync', async () => {
      const leader = await cluster.leader();
      return leader ? cluster.isSyncStandby(cluster.other(leader)) : false;
    }, (v) => v, 120_000, 500);
    const leader = (await cluster.leader())!;
    await cluster.cli(cluster.other(leader), 'stop');
    const t0 = Date.now();
    await cluster.cli(leader, 'stop');
    await poll('/ready to answer 503', () => a.ready(), (s) => s === 503, 60_000, 500);
    figures.notReadyAfterMs = Date.now() - t0;
    // Not before database.primaryWaitSeconds (20): a failover shorter than that does not flap.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(19_500);
    expect((await a.health()).database).toBe('unavailable');
    const c = await eppSession(targetA, 'ha-a', PW.a).catch((e: Error) => e);
    expect(c).toBeInstanceOf(Error);
    // The load balancer's liveness check still sees the node's processes up.
    const res = await fetch(`http://127.0.0.1:${a.metricsPort}/health`);
    expect(res.status).toBe(200);
  }, 150_000);
});
