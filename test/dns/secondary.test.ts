/**
 * NOTIFY (RFC 1996) to a real secondary: BIND's named, on its own loopback port and config dir,
 * transfers the signed zone from PowerDNS when notified, and follows each publication.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { freePort } from '../../src/util/net.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { dig, eventually, startPdns, type TestPdns } from '../helpers/pdns.js';
import { findExecutable } from '../../src/dns/powerdns-server.js';
import type { Publisher } from '../../src/dns/publisher.js';

const named = findExecutable('named');

describe.skipIf(!named)('a BIND secondary follows the hidden primary', () => {
  let h: Harness;
  let p: TestPdns;
  let pub: Publisher;
  let a: ValidatingClient;
  let proc: ChildProcess;
  let port: number;
  const serial = async (at: number) => Number((await dig(at, 'example', 'SOA'))[0]?.split(' ')[6] ?? 0);

  beforeAll(async () => {
    port = await freePort();
    h = await startHarness();
    p = await startPdns({ tweak: (d) => { d.alsoNotify = [`127.0.0.1:${port}`]; } });
    pub = p.publisher(h.t.db);
    a = await h.login('reg-a', { objURIs: [NS.domain, NS.host, NS.contact] });
    for (const x of [contactCreateXml({ id: 'owner-a' }), hostCreateXml({ name: 'ns.provider.net' })]) expect(resultCode(await a.request(x))).toBe(1000);
    await pub.drain();
    const dir = join(h.dir, 'named');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    writeFileSync(join(dir, 'named.conf'), `
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
controls { };
zone "example" {
  type secondary;
  primaries { 127.0.0.1 port ${p.port}; };
  allow-notify { 127.0.0.1; };
  file "example.zone";
};
`);
    proc = spawn(named!, ['-g', '-c', join(dir, 'named.conf'), ...(process.getuid?.() === 0 ? ['-u', 'root'] : [])], { stdio: 'ignore' });
    await eventually(async () => { expect(await serial(port)).toBe(await serial(p.port)); }, 20_000);
  });
  afterAll(async () => {
    proc?.kill('SIGTERM');
    await a?.close(); await h?.close(); await p?.stop();
  });

  it('a published change reaches the secondary through NOTIFY, not its refresh timer', async () => {
    expect(resultCode(await a.request(domainCreateXml({ name: 'sec.example', ns: ['ns.provider.net'], registrant: 'owner-a' })))).toBe(1000);
    await pub.drain();
    const t0 = Date.now();
    // The SOA refresh is 1800 s: seeing the change within seconds means NOTIFY worked.
    await eventually(async () => { expect(await dig(port, 'sec.example', 'NS')).toContain('sec.example. 86400 IN NS ns.provider.net.'); }, 10_000);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(await serial(port)).toBe(await serial(p.port));
  });

  it('the secondary serves the zone signed', async () => {
    expect((await dig(port, 'example', 'SOA', ['+dnssec'])).some((l) => / IN RRSIG SOA 13 /.test(l))).toBe(true);
  });
});
