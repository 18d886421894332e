/**
 * The rdds child under the real supervisor (`node dist/cluster/start.js`): two RDDS processes
 * sharing the WHOIS and RDAP ports, fed by EPP changes, restarted when killed, drained on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { EppClient, contactCreateXml, domainCreateXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startAppliance, type Appliance } from '../helpers/appliance.js';
import { rdap, whoisCli, whoisRaw } from '../rdds/helpers.js';

describe('rdds child', () => {
  let t: TestDb;
  let app: Appliance;
  let ports: Record<'epp' | 'metrics' | 'whois' | 'rdap', number>;
  let creds: { caCert: string; registrars: { clID: string; password: string }[]; rdds: { whois: { host: string; port: number }; rdap: string } };
  const health = () => app.health();

  beforeAll(async () => {
    t = await createTestDb();
    ports = { epp: await freePort(), metrics: await freePort(), whois: await freePort(), rdap: await freePort() };
    app = await startAppliance({ prefix: 'registry-rdds-', metricsPort: ports.metrics, args: [`--epp.port=${ports.epp}`, '--epp.processes=1', '--workers.threads=1',
      `--rdds.whoisPort=${ports.whois}`, `--rdds.rdapPort=${ports.rdap}`, '--rdds.processes=2', `--database.primary=${t.url}`] });
    creds = app.credentials();
  });

  afterAll(async () => {
    app?.remove();
    await t.drop();
  });

  it('prints where WHOIS and RDAP answer and writes them to credentials.json', async () => {
    expect(app.output()).toContain(`WHOIS    127.0.0.1:${ports.whois}`);
    expect(app.output()).toContain(`RDAP     http://127.0.0.1:${ports.rdap}/rdap/`);
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
    const exited = new Promise<number | null>((r) => app.proc.once('exit', (code) => r(code)));
    app.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
