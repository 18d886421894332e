/**
 * The real appliance: `node dist/cluster/start.js` (supervisor + 2 EPP children) over a test
 * database; a crashed front-end is restarted and SIGTERM drains cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { EppClient, domainCheckXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startAppliance, type Appliance } from '../helpers/appliance.js';

describe('supervisor', () => {
  let t: TestDb;
  let app: Appliance;
  let eppPort: number;
  let metricsPort: number;
  let creds: { caCert: string; registrars: { clID: string; password: string }[] };
  const health = () => app.health();

  beforeAll(async () => {
    t = await createTestDb();
    eppPort = await freePort();
    metricsPort = await freePort();
    const rdds = [`--rdds.whoisPort=${await freePort()}`, `--rdds.rdapPort=${await freePort()}`];
    // The DNS child has its own test (test/cluster/dns-child.test.ts); here its managed PowerDNS would take fixed ports.
    rdds.push('--dns.enabled=false');
    // mode embedded with an external primary: bootstrap migrates, creates the CA and seeds the demo.
    app = await startAppliance({ prefix: 'registry-sup-', metricsPort, args: [`--epp.port=${eppPort}`, '--epp.processes=2', '--workers.threads=1', ...rdds, `--database.primary=${t.url}`] });
    creds = app.credentials();
  });

  afterAll(async () => {
    app?.remove();
    await t.drop();
  });

  const session = async () => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: eppPort, ca: readFileSync(creds.caCert), servername: 'localhost' });
    const r = creds.registrars[0]!;
    expect(resultCode(await c.request(loginXml({ clID: r.clID, pw: r.password, objURIs: [NS.domain], extURIs: [] })))).toBe(1000);
    return c;
  };

  it('prints where EPP, metrics and logs are, and the demo passwords once', () => {
    expect(app.output()).toContain(`tls://127.0.0.1:${eppPort}`);
    expect(app.output()).toContain(`/metrics`);
    expect(app.output()).toContain('demo-a');
    expect(creds.registrars.map((r) => r.clID)).toEqual(['demo-a', 'demo-b']);
  });

  it('serves aggregated metrics from every child', async () => {
    const c = await session();
    await c.request(domainCheckXml(['metrics.example']));
    await c.close();
    const text = await (await request(`http://127.0.0.1:${metricsPort}/metrics`)).body.text();
    expect(text).toMatch(/registry_epp_commands_total\{[^}]*command="domain:check"[^}]*code="1000"[^}]*\} \d+/);
    // The check's name went to Postgres in a lookup statement, and the metrics say so.
    expect(Number(/^registry_epp_name_lookup_names_total\{[^}]*\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/^registry_epp_name_lookup_statements_total\{[^}]*\} (\d+)/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
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
    const exited = new Promise<number | null>((r) => app.proc.once('exit', (code) => r(code)));
    app.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(app.output()).toContain('Registry stopped.');
  });
});
