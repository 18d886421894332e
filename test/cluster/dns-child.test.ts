/**
 * The appliance out of the box: `node dist/cluster/start.js` runs a dns child that starts its own
 * pdns_server (managed mode) over the registry's cluster; a domain created over EPP answers from
 * it, the dns metrics reach the supervisor's /metrics, and SIGTERM stops pdns_server too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { EppClient, contactCreateXml, domainCreateXml, hostCreateXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { dig, eventually } from '../helpers/pdns.js';

describe('dns child in the appliance', () => {
  let t: TestDb;
  let dir: string;
  let proc: ChildProcess;
  let eppPort: number;
  let metricsPort: number;
  let dnsPort: number;
  let out = '';

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-dns-app-'));
    chmodSync(dir, 0o755);
    [eppPort, metricsPort, dnsPort] = [await freePort(), await freePort(), await freePort()];
    const apiPort = await freePort();
    const start = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));
    proc = spawn(process.execPath, [start, '--data-dir', dir, `--epp.port=${eppPort}`, `--metrics.port=${metricsPort}`, '--epp.processes=1', '--workers.threads=1',
      `--database.primary=${t.url}`, `--dns.listen=127.0.0.1:${dnsPort}`, `--dns.apiPort=${apiPort}`, '--dns.pdnsDatabase=' + t.url.replace(/\/[^/]+$/, `/${t.name}_pdns`)], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => { out += d; });
    proc.stderr!.on('data', (d) => { out += d; });
    await eventually(async () => {
      const res = await request(`http://127.0.0.1:${metricsPort}/health`);
      const h = (await res.body.json()) as { status: string; children: { kind: string; ready: boolean }[] };
      expect(h.children.find((c) => c.kind === 'dns')?.ready).toBe(true);
      expect(h.status).toBe('ok');
    }, 80_000).catch((err) => { throw new Error(`${(err as Error).message}\n${out}`); });
  }, 90_000);

  afterAll(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the demo zone, signed, from its own pdns_server', async () => {
    expect(out).toMatch(/DNS +PowerDNS on 127\.0\.0\.1:\d+/);
    await eventually(async () => { expect((await dig(dnsPort, 'example', 'SOA', ['+dnssec'])).some((l) => / IN RRSIG SOA 13 /.test(l))).toBe(true); }, 20_000);
    expect(await dig(dnsPort, 'example', 'NS')).toContain('example. 86400 IN NS ns1.nic.example.');
  });

  it('a domain created over EPP is delegated promptly (bench/ measures the p99)', async () => {
    const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { caCert: string; registrars: { clID: string; password: string }[] };
    const c = await EppClient.connect({ host: '127.0.0.1', port: eppPort, ca: readFileSync(creds.caCert), servername: 'localhost' });
    const r = creds.registrars[0]!;
    expect(resultCode(await c.request(loginXml({ clID: r.clID, pw: r.password, objURIs: [NS.domain, NS.host, NS.contact] })))).toBe(1000);
    expect(resultCode(await c.request(contactCreateXml({ id: 'owner-x' })))).toBe(1000);
    expect(resultCode(await c.request(hostCreateXml({ name: 'ns.provider.net' })))).toBe(1000);
    expect(resultCode(await c.request(domainCreateXml({ name: 'live.example', ns: ['ns.provider.net'], registrant: 'owner-x' })))).toBe(1000);
    const t0 = Date.now();
    await eventually(async () => { expect(await dig(dnsPort, 'live.example', 'NS')).toContain('live.example. 86400 IN NS ns.provider.net.'); }, 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    await c.close();
  });

  it('the dns metrics are in the supervisor\'s aggregate', async () => {
    const text = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text();
    expect(text).toMatch(/registry_dns_queue_depth\{[^}]*\} 0/);
    expect(text).toMatch(/registry_dns_publish_latency_seconds_count\{[^}]*\} [1-9]/);
    expect(text).toMatch(/registry_dns_zone_serial\{[^}]*zone="example"[^}]*\} \d+/);
    expect(text).toMatch(/registry_dns_alarm\{[^}]*\} 0/);
  });

  it('if pdns_server dies, the dns child exits and the supervisor restarts both', async () => {
    const pidFile = join(dir, 'dns', 'pdns', 'pdns.pid');
    const before = Number(readFileSync(pidFile, 'utf8'));
    process.kill(before, 'SIGKILL');
    await eventually(async () => {
      const now = Number(readFileSync(pidFile, 'utf8'));
      expect(now).not.toBe(before);
      expect(existsSync(`/proc/${now}`)).toBe(true);
      expect((await dig(dnsPort, 'live.example', 'NS'))).toContain('live.example. 86400 IN NS ns.provider.net.');
    }, 20_000);
    // Restarted and ready again (so the drain below does not meet a child still starting).
    await eventually(async () => {
      const res = await request(`http://127.0.0.1:${metricsPort}/health`);
      const h = (await res.body.json()) as { children: { kind: string; ready: boolean; restarts: number }[] };
      const dns = h.children.find((c) => c.kind === 'dns')!;
      expect(dns.restarts).toBeGreaterThanOrEqual(1);
      expect(dns.ready).toBe(true);
    }, 20_000);
  }, 60_000);

  it('SIGTERM stops the appliance and its pdns_server', async () => {
    const pidFile = join(dir, 'dns', 'pdns', 'pdns.pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await eventually(async () => { expect(existsSync(`/proc/${pid}`)).toBe(false); }, 10_000);
  }, 60_000);
});
