/**
 * The rdds child under the real supervisor (`node dist/cluster/start.js`): two RDDS processes
 * sharing the WHOIS and RDAP ports, fed by EPP changes, restarted when killed, drained on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { EppClient, contactCreateXml, domainCreateXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { rdap, whoisCli, whoisRaw } from '../rdds/helpers.js';

interface Health { status: string; children: { kind: string; pid?: number; ready: boolean; restarts: number }[] }

describe('rdds child', () => {
  let t: TestDb;
  let dir: string;
  let proc: ChildProcess;
  let ports: Record<'epp' | 'metrics' | 'whois' | 'rdap', number>;
  let stdout = '';
  let creds: { caCert: string; registrars: { clID: string; password: string }[]; rdds: { whois: { host: string; port: number }; rdap: string } };

  const health = async (): Promise<Health> => (await (await request(`http://127.0.0.1:${ports.metrics}/health`)).body.json()) as Health;

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-rdds-'));
    chmodSync(dir, 0o755);
    ports = { epp: await freePort(), metrics: await freePort(), whois: await freePort(), rdap: await freePort() };
    const start = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));
    proc = spawn(process.execPath, [start, '--data-dir', dir, `--epp.port=${ports.epp}`, `--metrics.port=${ports.metrics}`, '--epp.processes=1', '--workers.threads=1',
      `--rdds.whoisPort=${ports.whois}`, `--rdds.rdapPort=${ports.rdap}`, '--rdds.processes=2', `--database.primary=${t.url}`], { stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('prints where WHOIS and RDAP answer and writes them to credentials.json', async () => {
    expect(stdout).toContain(`WHOIS    127.0.0.1:${ports.whois}`);
    expect(stdout).toContain(`RDAP     http://127.0.0.1:${ports.rdap}/rdap/`);
    expect(creds.rdds).toEqual({ whois: { host: '127.0.0.1', port: ports.whois }, rdap: `http://127.0.0.1:${ports.rdap}/rdap/` });
    expect((await health()).children.filter((c) => c.kind === 'rdds' && c.ready)).toHaveLength(2);
  });

  it('serves over WHOIS and RDAP what a registrar creates over EPP', async () => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: ports.epp, ca: readFileSync(creds.caCert), servername: 'localhost' });
    const r = creds.registrars[0]!;
    expect(resultCode(await c.request(loginXml({ clID: r.clID, pw: r.password, objURIs: [NS.domain, NS.contact], extURIs: [] })))).toBe(1000);
    expect(resultCode(await c.request(contactCreateXml({ id: 'proc-owner' })))).toBe(1000);
    expect(resultCode(await c.request(domainCreateXml({ name: 'proc.example', registrant: 'proc-owner', pw: 'Proc-pass-123' })))).toBe(1000);
    await c.close();
    // Both processes answer (connections alternate between them); each sees the new domain.
    await expect.poll(async () => {
      const answers = await Promise.all(Array.from({ length: 4 }, () => whoisRaw(ports.whois, 'proc.example')));
      return answers.every((a) => a.includes('Domain Name: proc.example'));
    }, { timeout: 5000, interval: 50 }).toBe(true);
    expect(await whoisCli(ports.whois, 'proc.example')).toContain('Registrar: Demo Registrar A');
    const res = await rdap(`${creds.rdds.rdap}domain/proc.example`);
    expect(res.status).toBe(200);
    expect(res.body!.ldhName).toBe('proc.example');
  });

  it('aggregates the RDDS metrics of both processes', async () => {
    const text = await (await request(`http://127.0.0.1:${ports.metrics}/metrics`)).body.text();
    expect(text).toMatch(/registry_rdds_queries_total\{[^}]*service="whois"[^}]*status="found"[^}]*\} \d+/);
    expect(text).toMatch(/registry_rdds_queries_total\{[^}]*service="rdap"[^}]*status="200"[^}]*\} \d+/);
    expect(text).toMatch(/registry_supervisor_children_up\{kind="rdds"\} 2/);
  });

  it('restarts a killed RDDS process while the other keeps answering', async () => {
    const victim = (await health()).children.find((c) => c.kind === 'rdds')!;
    process.kill(victim.pid!, 'SIGKILL');
    // The survivor answers meanwhile (a connection handed to the victim as it died may be lost: retry).
    await expect.poll(() => whoisRaw(ports.whois, 'proc.example', { timeoutMs: 1000 }).catch(() => ''), { timeout: 10_000, interval: 50 }).toContain('Domain Name: proc.example');
    await expect.poll(async () => {
      const h = await health();
      return h.status === 'ok' && h.children.filter((c) => c.kind === 'rdds').reduce((n, c) => n + c.restarts, 0) === 1;
    }, { timeout: 15_000, interval: 200 }).toBe(true);
    expect((await rdap(`${creds.rdds.rdap}domain/proc.example`)).status).toBe(200);
  });

  it('drains on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
