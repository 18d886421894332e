/**
 * `npm start` as a user runs it: embedded mode with its own Postgres under the data directory.
 * The first start creates everything and prints the demo passwords once; Ctrl-C (SIGINT to the
 * whole process group, as a terminal sends it) stops the front-ends and Postgres; the second
 * start reuses the cluster, the CA, the certificates and the registrars.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { EppClient, loginXml, logoutXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';

interface Started { proc: ChildProcess; out: () => string }

const dir = mkdtempSync(join(tmpdir(), 'registry-start-'));
chmodSync(dir, 0o755);
const startJs = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));

describe('npm start (embedded mode)', () => {
  let ports: { epp: number; metrics: number; pg: number };
  let running: Started | undefined;

  afterAll(async () => {
    if (running?.proc.exitCode === null) process.kill(-running.proc.pid!, 'SIGKILL');
    // Whatever happened, do not leave the embedded Postgres behind.
    const pid = join(dir, 'pg', 'pgdata', 'postmaster.pid');
    if (existsSync(pid)) { try { process.kill(Number(readFileSync(pid, 'utf8').split('\n')[0]), 'SIGQUIT'); } catch { /* gone */ } }
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (): Promise<Started> => {
    let out = '';
    // Its own process group, so SIGINT can go to the whole group as a terminal's Ctrl-C does.
    const proc = spawn(process.execPath, [startJs, '--data-dir', dir, `--epp.port=${ports.epp}`, `--metrics.port=${ports.metrics}`,
      `--database.embeddedPort=${ports.pg}`, '--epp.processes=1', '--workers.threads=1'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    proc.stdout!.on('data', (d) => { out += d; });
    proc.stderr!.on('data', (d) => { out += d; });
    running = { proc, out: () => out };
    const deadline = Date.now() + 90_000;
    for (;;) {
      const ready = await request(`http://127.0.0.1:${ports.metrics}/ready`).then((r) => { void r.body.dump(); return r.statusCode === 200; }, () => false);
      if (ready && out.includes('Press Ctrl-C to stop.')) return running;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`the registry did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const ctrlC = async (s: Started): Promise<number | null> => {
    const exited = new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code)));
    process.kill(-s.proc.pid!, 'SIGINT');
    return exited;
  };

  const logsIn = async (clID: string, pw: string, caCert: string) => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: ports.epp, ca: readFileSync(caCert), servername: 'localhost' });
    const code = resultCode(await c.request(loginXml({ clID, pw, objURIs: [NS.domain] })));
    if (code === 1000) await c.request(logoutXml());
    await c.close();
    return code;
  };

  it('first start: creates the cluster, CA and demo registrars, prints the passwords once; Ctrl-C stops it all', async () => {
    ports = { epp: await freePort(), metrics: await freePort(), pg: await freePort() };
    const s = await start();
    const creds = JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8'));
    expect(creds.epp).toEqual({ host: '127.0.0.1', port: ports.epp });
    expect(creds.registrars.map((r: { clID: string }) => r.clID)).toEqual(['demo-a', 'demo-b']);
    for (const r of creds.registrars) expect(s.out()).toContain(`${r.clID}  password ${r.password}`);
    expect(s.out()).toContain(`Postgres 127.0.0.1:${ports.pg}`);
    expect(await logsIn('demo-a', creds.registrars[0].password, creds.caCert)).toBe(1000);

    expect(await ctrlC(s)).toBe(0);
    expect(s.out()).toContain('Registry stopped.');
    expect(existsSync(join(dir, 'pg', 'pgdata', 'postmaster.pid'))).toBe(false);
    await expect(request(`http://127.0.0.1:${ports.metrics}/health`)).rejects.toThrow();
  }, 180_000);

  it('second start: reuses everything and prints no passwords', async () => {
    const before = {
      creds: readFileSync(join(dir, 'credentials.json'), 'utf8'),
      ca: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'),
      server: readFileSync(join(dir, 'pki', 'server.crt'), 'utf8'),
    };
    const s = await start();
    expect(s.out()).not.toMatch(/password \S+/);
    expect(readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8')).toBe(before.ca);
    expect(readFileSync(join(dir, 'pki', 'server.crt'), 'utf8')).toBe(before.server);
    expect(readFileSync(join(dir, 'credentials.json'), 'utf8')).toBe(before.creds);
    const creds = JSON.parse(before.creds);
    expect(await logsIn('demo-b', creds.registrars[1].password, creds.caCert)).toBe(1000);
    expect(await ctrlC(s)).toBe(0);
    expect(existsSync(join(dir, 'pg', 'pgdata', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
