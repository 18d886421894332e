/**
 * epp.accept: with `round-robin` only the supervisor holds the EPP listening socket (it accepts
 * and hands each connection to a child); with `kernel` every EPP child holds it and accepts
 * itself. Read from /proc: the listening socket's inode, and which processes have it open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { EppClient, domainCheckXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { freePort } from '../../src/util/net.js';
import { loadConfig } from '../../src/config.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startAppliance, type Appliance } from '../helpers/appliance.js';

/** Inodes of the sockets listening on `port` (IPv4 and IPv6). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; column 9 the inode.
      if (cols.length > 9 && parseInt(cols[1]!.split(':').pop()!, 16) === port && cols[3] === '0A') inodes.add(cols[9]!);
    }
  }
  return inodes;
}

function holds(pid: number, inodes: Set<string>): boolean {
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m && inodes.has(m[1]!)) return true;
  }
  return false;
}

it('epp.accept takes round-robin (the default) or kernel, nothing else', () => {
  expect(loadConfig([], {}).epp.accept).toBe('round-robin');
  expect(loadConfig(['--epp.accept=kernel'], {}).epp.accept).toBe('kernel');
  expect(() => loadConfig(['--epp.accept=random'], {})).toThrow(/epp.accept must be/);
});

describe.each(['round-robin', 'kernel'] as const)('epp.accept=%s', (policy) => {
  let t: TestDb;
  let app: Appliance;
  let eppPort: number;

  beforeAll(async () => {
    t = await createTestDb();
    eppPort = await freePort();
    app = await startAppliance({
      prefix: 'registry-accept-', metricsPort: await freePort(),
      args: [`--epp.port=${eppPort}`, '--epp.processes=2', '--workers.threads=1', `--epp.accept=${policy}`, '--rdds.processes=0', '--dns.enabled=false', `--database.primary=${t.url}`],
    });
  });

  afterAll(async () => {
    app?.remove();
    await t.drop();
  });

  it(policy === 'kernel' ? 'every EPP child accepts on the shared socket itself' : 'only the supervisor accepts; children get connections from it', async () => {
    const inodes = listeningInodes(eppPort);
    expect(inodes.size).toBeGreaterThan(0);
    const children = (await app.health()).children.filter((c) => c.kind === 'epp').map((c) => c.pid!);
    expect(children).toHaveLength(2);
    expect(children.map((pid) => holds(pid, inodes))).toEqual(policy === 'kernel' ? [true, true] : [false, false]);
    if (policy === 'round-robin') expect(holds(app.proc.pid!, inodes)).toBe(true);
  });

  it('serves sessions', async () => {
    const creds = app.credentials<{ caCert: string; registrars: { clID: string; password: string }[] }>();
    const r = creds.registrars[0]!;
    for (let i = 0; i < 4; i++) {
      const c = await EppClient.connect({ host: '127.0.0.1', port: eppPort, ca: readFileSync(creds.caCert), servername: 'localhost' });
      expect(resultCode(await c.request(loginXml({ clID: r.clID, pw: r.password, objURIs: [NS.domain], extURIs: [] })))).toBe(1000);
      expect(resultCode(await c.request(domainCheckXml([`accept${i}.example`])))).toBe(1000);
      await c.close();
    }
  });
});
