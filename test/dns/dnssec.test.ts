/**
 * DNSSEC and zone files: an AXFR of the live-signed zone passes dnssec-verify and
 * ldns-verify-zone (NSEC, then NSEC3 with RFC 9276 parameters); the exported master file passes
 * named-checkzone and, signed offline with dnssec-signzone, dnssec-verify; the DS for the parent.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { changeZoneSettings } from '../../src/dns/settings.js';
import { exportZone, signZoneFile } from '../../src/dns/zone-export.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { domainUpdateXml } from '../helpers/xml.js';
import { dig, digRaw, startPdns, type TestPdns } from '../helpers/pdns.js';
import type { Publisher } from '../../src/dns/publisher.js';

const exec = promisify(execFile);
const ALL = [NS.domain, NS.host, NS.contact];

describe('DNSSEC and zone files', () => {
  let h: Harness;
  let p: TestPdns;
  let pub: Publisher;
  let a: ValidatingClient;
  const ok = async (xml: string) => expect(resultCode(await a.request(xml))).toBe(1000);

  beforeAll(async () => {
    h = await startHarness();
    p = await startPdns();
    pub = p.publisher(h.t.db);
    a = await h.login('reg-a', { objURIs: ALL, extURIs: [NS.secDNS] });
    await ok(contactCreateXml({ id: 'owner-a' }));
    await ok(hostCreateXml({ name: 'ns.provider.net' }));
    for (let i = 0; i < 20; i++) await ok(domainCreateXml({ name: `d${i}.example`, ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await ok(domainCreateXml({ name: 'signed.example', ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await ok(hostCreateXml({ name: 'ns1.signed.example', addrs: [{ ip: '81.2.69.1' }, { ip: '2a01:4f8::1', v: 'v6' }] }));
    await ok(hostCreateXml({ name: 'a.deep.signed.example', addrs: [{ ip: '81.2.69.2' }] }));
    await ok(domainUpdateXml('signed.example', { addNs: ['ns1.signed.example', 'a.deep.signed.example'],
      ext: `<secDNS:update xmlns:secDNS="${NS.secDNS}"><secDNS:add><secDNS:dsData><secDNS:keyTag>4242</secDNS:keyTag><secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType><secDNS:digest>${'0F'.repeat(32)}</secDNS:digest></secDNS:dsData></secDNS:add></secDNS:update>` }));
    await ok(domainCreateXml({ name: 'held.example', ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await ok(domainUpdateXml('held.example', { addStatus: ['clientHold'] }));
    await pub.drain();
  });
  afterAll(async () => { await a?.close(); await h?.close(); await p?.stop(); });

  async function axfrVerifies(file: string) {
    const axfr = await digRaw(p.port, ['+onesoa', '+nocomments', '+nostats', '+nocmd', 'example', 'AXFR']);
    expect(axfr).toContain('RRSIG');
    writeFileSync(file, axfr);
    const v = await exec('dnssec-verify', ['-z', '-o', 'example', file]);
    expect(v.stdout + v.stderr).toMatch(/Zone fully signed/);
    const l = await exec('ldns-verify-zone', [file]);
    expect(l.stdout + l.stderr).toMatch(/Zone is verified and complete/);
    return axfr;
  }

  it('dig +dnssec shows RRSIGs on answers', async () => {
    const soa = await dig(p.port, 'example', 'SOA', ['+dnssec']);
    expect(soa.some((l) => / IN RRSIG SOA 13 1 /.test(l))).toBe(true);
  });

  it('an AXFR of the NSEC-signed zone passes dnssec-verify and ldns-verify-zone', async () => {
    const axfr = await axfrVerifies(join(h.dir, 'axfr-nsec.zone'));
    expect(axfr).toMatch(/signed\.example\.\s+3600\s+IN\s+DS\s+4242 13 2/);
    expect(axfr).not.toMatch(/^held\.example\./m);
    expect(axfr).toMatch(/a\.deep\.signed\.example\.\s+86400\s+IN\s+A\s+81\.2\.69\.2/);
  });

  it('switching the zone to NSEC3 (iterations 0, no salt) re-orders the zone and still verifies', async () => {
    await changeZoneSettings(h.t.db.primary, 'example', { nsec3: true });
    await pub.drain();
    expect(await dig(p.port, 'example', 'NSEC3PARAM')).toEqual(['example. 900 IN NSEC3PARAM 1 0 0 -']);
    await axfrVerifies(join(h.dir, 'axfr-nsec3.zone'));
    const snapshot = async () => (await p.pdns.pool.query((await import('../../src/db/pool.js')).sql`SELECT name, type, content, ttl, auth, ordername FROM records ORDER BY name, type, content`)).map((r: object) => JSON.stringify(r));
    const before = await snapshot();
    await p.pdnsutil.run('rectify-zone', 'example');
    expect(await snapshot()).toEqual(before);
  });

  it('NSEC3 opt-out leaves unsigned delegations out of the chain and still verifies', async () => {
    await changeZoneSettings(h.t.db.primary, 'example', { nsec3OptOut: true });
    await pub.drain();
    // RFC 5155 §4.1.2: NSEC3PARAM never carries the opt-out flag; the NSEC3 records do.
    expect(await dig(p.port, 'example', 'NSEC3PARAM')).toEqual(['example. 900 IN NSEC3PARAM 1 0 0 -']);
    const axfr = await axfrVerifies(join(h.dir, 'axfr-optout.zone'));
    expect(axfr).toMatch(/IN\s+NSEC3\s+1 1 0 - /);
    await changeZoneSettings(h.t.db.primary, 'example', { nsec3: false, nsec3OptOut: false });
    await pub.drain();
  });

  it('the DS and DNSKEY of the zone are exported for the parent', async () => {
    const ds = await p.pdnsutil.exportDs('example');
    expect(ds).toMatch(/^example\. IN DS \d+ 13 2 [0-9a-f]{64}/m);
  });

  it('the exported master file passes named-checkzone; signed offline it passes dnssec-verify', async () => {
    const file = join(h.dir, 'example.zone');
    const out = createWriteStream(file);
    const r = await exportZone(h.t.db, 'example', out);
    await new Promise<void>((res) => out.end(res));
    expect(r.domains).toBe(21);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^example\.\t3600\tIN\tSOA\tns1\.nic\.example\. hostmaster\.nic\.example\. \d+ 1800 900 1209600 900$/m);
    expect(text).toContain('signed.example.\t3600\tIN\tDS\t4242 13 2 ' + '0f'.repeat(32));
    expect(text).toContain('ns1.nic.example.\t86400\tIN\tA\t127.0.0.53');
    expect(text).not.toContain('held.example.');
    const check = await exec('named-checkzone', ['-i', 'full', 'example', file]);
    expect(check.stdout).toMatch(new RegExp(`loaded serial ${r.serial}\\nOK`));
    const signed = join(h.dir, 'example.zone.signed');
    await signZoneFile('example', file, signed, join(h.dir, 'keys'), { nsec3: true, nsec3OptOut: false });
    const v = await exec('dnssec-verify', ['-o', 'example', signed]);
    expect(v.stdout + v.stderr).toMatch(/Zone fully signed/);
    expect(readFileSync(signed, 'utf8')).toMatch(/NSEC3PARAM\s+1 0 0 -/);
    // Each export's serial is later than the last (RFC 1982).
    const again = await exportZone(h.t.db, 'example', createWriteStream(join(h.dir, 'again.zone')));
    expect(again.serial).toBeGreaterThan(r.serial);
  });
});
