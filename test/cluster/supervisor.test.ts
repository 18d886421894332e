/**
 * The real appliance: `node dist/cluster/start.js` (supervisor + 2 EPP children) over a test
 * database; a crashed front-end is restarted and SIGTERM drains cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { EppClient, domainCheckXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

interface Health { status: string; children: { kind: string; pid?: number; ready: boolean; restarts: number }[] }

describe('supervisor', () => {
  let t: TestDb;
  let dir: string;
  let proc: ChildProcess;
  let eppPort: number;
  let metricsPort: number;
  let creds: { caCert: string; registrars: { clID: string; password: string }[] };
  let stdout = '';

  const health = async (): Promise<Health> => {
    const res = await request(`http://127.0.0.1:${metricsPort}/health`);
    return (await res.body.json()) as Health;
  };

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-sup-'));
    chmodSync(dir, 0o755);
    eppPort = await freePort();
    metricsPort = await freePort();
    const rdds = [`--rdds.whoisPort=${await freePort()}`, `--rdds.rdapPort=${await freePort()}`];
    // The DNS child has its own test (test/cluster/dns-child.test.ts); here its managed PowerDNS would take fixed ports.
    rdds.push('--dns.enabled=false');
    const start = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));
    // mode embedded with an external primary: bootstrap migrates, creates the CA and seeds the demo.
    proc = spawn(process.execPath, [start, '--data-dir', dir, `--epp.port=${eppPort}`, `--metrics.port=${metricsPort}`, '--epp.processes=2', '--workers.threads=1', ...rdds, `--database.primary=${t.url}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d) => { stdout += d; });
    proc.stderr!.on('data', (d) => { stdout += d; });
    const deadline = Date.now() + 30_000;
    while ((await health().catch(() => ({ status: 'down' }))).status !== 'ok') {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`appliance did not become healthy:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
  });

  afterAll(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const session = async () => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: eppPort, ca: readFileSync(creds.caCert), servername: 'localhost' });
    const r = creds.registrars[0]!;
    expect(resultCode(await c.request(loginXml({ clID: r.clID, pw: r.password, objURIs: [NS.domain], extURIs: [] })))).toBe(1000);
    return c;
  };

  it('prints where EPP, metrics and logs are, and the demo passwords once', () => {
    expect(stdout).toContain(`tls://127.0.0.1:${eppPort}`);
    expect(stdout).toContain(`/metrics`);
    expect(stdout).toContain('demo-a');
    expect(creds.registrars.map((r) => r.clID)).toEqual(['demo-a', 'demo-b']);
  });

  it('serves aggregated metrics from every child', async () => {
    const c = await session();
    await c.request(domainCheckXml(['metrics.example']));
    await c.close();
    const text = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text();
    expect(text).toMatch(/registry_epp_commands_total\{[^}]*command="domain:check"[^}]*code="1000"[^}]*\} \d+/);
    expect(text).toContain('registry_supervisor_children_up');
  });

  it('restarts a crashed front-end; sessions on the other one are unaffected', async () => {
    const before = await health();
    const victim = before.children.find((c) => c.kind === 'epp')!;
    // A session survives if it is on the other child: open several, some land on each.
    const sessions = await Promise.all(Array.from({ length: 6 }, () => session()));
    process.kill(victim.pid!, 'SIGKILL');
    await expect.poll(async () => {
      const h = await health();
      return h.status === 'ok' && h.children.reduce((n, c) => n + c.restarts, 0) === 1;
    }, { timeout: 15_000, interval: 200 }).toBe(true);
    let alive = 0;
    for (const s of sessions) {
      try { if (resultCode(await s.request(domainCheckXml(['alive.example']))) === 1000) alive++; } catch { /* was on the victim */ }
    }
    expect(alive).toBeGreaterThan(0);
    const fresh = await session();
    expect(resultCode(await fresh.request(domainCheckXml(['after.example'])))).toBe(1000);
    await fresh.close();
    for (const s of sessions) await Promise.resolve(s.close()).catch(() => {});
  });

  it('drains on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('Registry stopped.');
  });
});
