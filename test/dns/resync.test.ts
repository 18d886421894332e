/**
 * Drift and crashes: a resync finds and corrects what was changed in PowerDNS behind the
 * registry's back; a publisher that dies mid-transaction (in-process) or is SIGKILLed mid-stream
 * (a real child process) leaves the DNS converging to exactly the registry's state.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { resyncZone } from '../../src/dns/resync.js';
import { NS } from '../../src/xml/namespaces.js';
import { pino } from 'pino';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { dig, eventually, startPdns, type TestPdns } from '../helpers/pdns.js';
import { domainUpdateXml } from '../helpers/xml.js';

const ALL = [NS.domain, NS.host, NS.contact];
const log = pino({ level: 'silent' });

describe('resync and crash recovery', () => {
  let h: Harness;
  let p: TestPdns;
  let a: ValidatingClient;
  let zoneId: number;
  const ok = async (xml: string) => expect(resultCode(await a.request(xml))).toBe(1000);
  const resync = async (dryRun = false) => {
    const pz = (await p.pdns.zone('example'))!;
    return resyncZone({ db: h.t.db, pdns: p.pdns, log }, zoneId, pz, { dryRun, chunk: 7 });
  };
  const queued = async () => (await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM dns_changes`))[0].n as number;

  beforeAll(async () => {
    h = await startHarness();
    p = await startPdns();
    a = await h.login('reg-a', { objURIs: ALL });
    await ok(contactCreateXml({ id: 'owner-a' }));
    await ok(hostCreateXml({ name: 'ns.provider.net' }));
    for (let i = 0; i < 30; i++) await ok(domainCreateXml({ name: `r${i}.example`, ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await p.publisher(h.t.db).drain();
    zoneId = (await h.t.db.primary.query(sql`SELECT id FROM zones WHERE name = 'example'`))[0].id;
  });
  afterAll(async () => { await a?.close(); await h?.close(); await p?.stop(); });

  it('finds no drift right after publication', async () => {
    const r = await resync(true);
    expect(r).toMatchObject({ unitsCorrected: 0, strayRemoved: 0, apexCorrected: false });
    expect(r.unitsChecked).toBeGreaterThanOrEqual(31);
  });

  it('corrects removed, altered and stray records, and reports them', async () => {
    const pz = (await p.pdns.zone('example'))!;
    await p.pdns.pool.query(sql`DELETE FROM records WHERE domain_id = ${pz.id} AND name = 'r3.example'`);
    await p.pdns.pool.query(sql`UPDATE records SET ttl = 5 WHERE domain_id = ${pz.id} AND name = 'r17.example'`);
    await p.pdns.pool.query(sql`INSERT INTO records (domain_id, name, type, content, ttl, auth) VALUES (${pz.id}, 'evil.example', 'A', '81.2.69.66', 60, true)`);
    await p.pdns.pool.query(sql`INSERT INTO records (domain_id, name, type, content, ttl, auth, registry_unit) VALUES (${pz.id}, 'gone.example', 'NS', 'ns.x.net', 60, false, 'gone.example')`);
    expect(await dig(p.port, 'evil.example', 'A')).toContain('evil.example. 60 IN A 81.2.69.66');
    const dry = await resync(true);
    expect(dry).toMatchObject({ unitsCorrected: 3, strayRemoved: 1, dryRun: true });
    const r = await resync();
    expect(r).toMatchObject({ unitsCorrected: 3, recordsAdded: 2, recordsRemoved: 2, strayRemoved: 1 });
    expect(r.examples).toEqual(expect.arrayContaining(['+ r3.example NS ns.provider.net', '- gone.example NS ns.x.net', '- evil.example A 81.2.69.66']));
    expect(r.serial).toBeGreaterThan(0);
    expect(await dig(p.port, 'r3.example', 'NS')).toContain('r3.example. 86400 IN NS ns.provider.net.');
    expect((await dig(p.port, 'evil.example', 'A')).some((l) => l.includes('81.2.69.66'))).toBe(false);
    expect(await resync(true)).toMatchObject({ unitsCorrected: 0, strayRemoved: 0, apexCorrected: false });
  });

  it('a zone quiet for dns.serialRefreshHours gets a new serial (secondaries refetch fresh signatures)', async () => {
    const later = p.publisher(h.t.db, { clock: () => new Date(Date.now() + 25 * 3_600_000) });
    expect(await p.publisher(h.t.db).refreshQuietZones()).toBe(0);
    expect(await later.refreshQuietZones()).toBe(1);
    const before = Number((await dig(p.port, 'example', 'SOA'))[0]!.split(' ')[6]);
    await later.drain();
    expect(Number((await dig(p.port, 'example', 'SOA'))[0]!.split(' ')[6])).toBeGreaterThan(before);
  });

  it('a publisher that fails before its commit loses nothing: the retry publishes everything', async () => {
    for (let i = 0; i < 5; i++) await ok(domainUpdateXml(`r${i}.example`, { addStatus: ['clientHold'] }));
    let crashes = 0;
    const crashing = p.publisher(h.t.db, { beforeCommit: async () => { if (crashes++ === 0) throw new Error('simulated crash'); } });
    await expect(crashing.publishBatch()).rejects.toThrow('simulated crash');
    expect(await queued()).toBe(5);
    expect(await dig(p.port, 'r0.example', 'NS')).toContain('r0.example. 86400 IN NS ns.provider.net.');
    await crashing.drain();
    expect(await queued()).toBe(0);
    expect((await dig(p.port, 'r0.example', 'NS')).some((l) => l.startsWith('r0.example.') && l.includes(' NS '))).toBe(false);
    expect(await resync(true)).toMatchObject({ unitsCorrected: 0, strayRemoved: 0, apexCorrected: false });
  });

  it('two publishers at once (a leader and a stale one) still converge: the zone lock orders them', async () => {
    const one = p.publisher(h.t.db, { dns: { ...p.dns, batchSize: 2 } });
    const two = p.publisher(h.t.db, { dns: { ...p.dns, batchSize: 3 } });
    const edits = (async () => {
      for (let i = 5; i < 25; i++) await ok(domainUpdateXml(`r${i}.example`, { addStatus: ['clientHold'] }));
      for (let i = 5; i < 25; i += 2) await ok(domainUpdateXml(`r${i}.example`, { remStatus: ['clientHold'] }));
    })();
    let editing = true;
    void edits.finally(() => { editing = false; });
    const run = async (pub: typeof one) => { while (editing) { await pub.drain(); await new Promise((r) => setTimeout(r, 5)); } await pub.drain(); };
    await Promise.all([run(one), run(two), edits]);
    await one.drain();
    expect(await queued()).toBe(0);
    expect(await resync(true)).toMatchObject({ unitsCorrected: 0, strayRemoved: 0, apexCorrected: false });
    expect((await dig(p.port, 'r5.example', 'NS'))).toContain('r5.example. 86400 IN NS ns.provider.net.');
    expect((await dig(p.port, 'r6.example', 'NS')).some((l) => l.startsWith('r6.example.') && l.includes(' NS '))).toBe(false);
    // Leave r5..r24 as the SIGKILL test below expects them: not held.
    for (let i = 6; i < 25; i += 2) await ok(domainUpdateXml(`r${i}.example`, { remStatus: ['clientHold'] }));
    await one.drain();
  });

  it('a publisher process SIGKILLed mid-stream converges after restart, with no drift', async () => {
    const cfg = structuredClone(h.config);
    cfg.dns = { ...p.dns, server: 'external', pdnsDatabase: p.url, apiUrl: p.server.apiUrl, apiKey: p.server.apiKey, pdnsConfigDir: p.dir, batchSize: 3, pollIntervalMs: 20 };
    cfg.log.file = join(h.dir, 'dns-child.log');
    const start = (): ChildProcess => fork(join(process.cwd(), 'dist/cluster/dns-publisher.js'), [], { env: { ...process.env, REGISTRY_CONFIG_JSON: JSON.stringify(cfg) }, stdio: 'ignore' });
    for (let i = 0; i < 30; i++) await ok(domainUpdateXml(`r${i}.example`, i < 5 ? { remStatus: ['clientHold'] } : { addStatus: ['clientHold'] }));
    const total = await queued();
    expect(total).toBe(30);
    let child = start();
    await eventually(async () => { expect(await queued()).toBeLessThan(total); }, 20_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const left = await queued();
    expect(left).toBeGreaterThan(0);
    child = start();
    try {
      await eventually(async () => { expect(await queued()).toBe(0); }, 30_000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(await resync(true)).toMatchObject({ unitsCorrected: 0, strayRemoved: 0, apexCorrected: false });
    expect(await dig(p.port, 'r0.example', 'NS')).toContain('r0.example. 86400 IN NS ns.provider.net.');
    expect((await dig(p.port, 'r29.example', 'NS')).some((l) => l.startsWith('r29.example.') && l.includes(' NS '))).toBe(false);
  });
});
