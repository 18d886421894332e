/**
 * Live publication end to end: EPP changes over TLS, the change queue written by triggers, the
 * publisher, a real pdns_server with live DNSSEC signing, and dig: delegations, narrow glue and
 * DS appear and disappear as they should.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { deleteXml, domainUpdateXml, hostUpdateXml } from '../helpers/xml.js';
import { dig, digRaw, startPdns, type TestPdns } from '../helpers/pdns.js';
import type { Publisher } from '../../src/dns/publisher.js';

const ALL = [NS.domain, NS.host, NS.contact];
const DS = (tag: number, hex: string) => `<secDNS:update xmlns:secDNS="${NS.secDNS}"><secDNS:add><secDNS:dsData><secDNS:keyTag>${tag}</secDNS:keyTag><secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType><secDNS:digest>${hex}</secDNS:digest></secDNS:dsData></secDNS:add></secDNS:update>`;

describe('live publication to PowerDNS', () => {
  let h: Harness;
  let p: TestPdns;
  let pub: Publisher;
  let a: ValidatingClient;
  const ok = async (xml: string) => expect(resultCode(await a.request(xml))).toBe(1000);
  const q = (name: string, type: string, flags: string[] = []) => dig(p.port, name, type, flags);

  beforeAll(async () => {
    h = await startHarness();
    p = await startPdns();
    pub = p.publisher(h.t.db);
    a = await h.login('reg-a', { objURIs: ALL, extURIs: [NS.secDNS] });
    await ok(contactCreateXml({ id: 'owner-a' }));
    await ok(hostCreateXml({ name: 'ns1.provider.net' }));
    await ok(hostCreateXml({ name: 'ns2.provider.net' }));
  });
  afterAll(async () => { await a?.close(); await h?.close(); await p?.stop(); });

  it('publishes the new zone: SOA, apex NS and their in-zone glue, signed', async () => {
    await pub.drain();
    const soa = await q('example', 'SOA');
    expect(soa[0]).toMatch(/^example\. 3600 IN SOA ns1\.nic\.example\. hostmaster\.nic\.example\. \d+ 1800 900 1209600 900$/);
    expect(await q('example', 'NS')).toEqual(expect.arrayContaining(['example. 86400 IN NS ns1.nic.example.', 'example. 86400 IN NS ns2.nic.example.']));
    expect(await q('ns1.nic.example', 'A')).toEqual(['ns1.nic.example. 86400 IN A 127.0.0.53']);
    expect(await q('ns1.nic.example', 'AAAA')).toEqual(['ns1.nic.example. 86400 IN AAAA ::1']);
    const dnskey = await q('example', 'DNSKEY', ['+dnssec']);
    expect(dnskey.some((l) => / IN DNSKEY 257 3 13 /.test(l))).toBe(true);
    expect(dnskey.some((l) => / IN RRSIG DNSKEY 13 1 /.test(l))).toBe(true);
  });

  it('a domain with name servers is delegated; the change is queued in the EPP transaction', async () => {
    await ok(domainCreateXml({ name: 'deleg.example', ns: ['ns1.provider.net', 'ns2.provider.net'], registrant: 'owner-a' }));
    const [queued] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM dns_changes WHERE name = 'deleg.example'`);
    expect(queued.n).toBe(1);
    expect((await q('deleg.example', 'NS')).filter((l) => l.includes(' IN NS '))).toEqual([]);
    await pub.drain();
    expect((await q('deleg.example', 'NS')).sort()).toEqual(['deleg.example. 86400 IN NS ns1.provider.net.', 'deleg.example. 86400 IN NS ns2.provider.net.']);
    const [left] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM dns_changes`);
    expect(left.n).toBe(0);
  });

  it('a domain without name servers (inactive) is not delegated', async () => {
    await ok(domainCreateXml({ name: 'bare.example', registrant: 'owner-a' }));
    await pub.drain();
    const res = await q('bare.example', 'NS');
    expect(res.some((l) => / IN NS /.test(l) && l.startsWith('bare.example.'))).toBe(false);
  });

  it('narrow glue: an internal host gets A/AAAA only under the domain that delegates to it', async () => {
    await ok(domainCreateXml({ name: 'glue.example', ns: ['ns1.provider.net'], registrant: 'owner-a' }));
    await ok(hostCreateXml({ name: 'ns1.glue.example', addrs: [{ ip: '81.2.69.7' }, { ip: '2a01:4f8:7::1', v: 'v6' }] }));
    await ok(hostCreateXml({ name: 'ns2.glue.example', addrs: [{ ip: '81.2.69.8' }] }));
    await pub.drain();
    // Not yet used by its domain: no glue.
    expect((await q('ns1.glue.example', 'A')).filter((l) => l.includes(' IN A '))).toEqual([]);
    // Used by another domain only: still no glue (it is not that domain's child).
    await ok(domainUpdateXml('deleg.example', { addNs: ['ns2.glue.example'] }));
    await pub.drain();
    expect((await q('ns2.glue.example', 'A')).filter((l) => l.includes(' IN A '))).toEqual([]);
    await ok(domainUpdateXml('glue.example', { addNs: ['ns1.glue.example'] }));
    await pub.drain();
    const ns = await q('glue.example', 'NS');
    expect(ns).toEqual(expect.arrayContaining(['glue.example. 86400 IN NS ns1.glue.example.', 'ns1.glue.example. 86400 IN A 81.2.69.7', 'ns1.glue.example. 86400 IN AAAA 2a01:4f8:7::1']));
    expect(ns.some((l) => l.startsWith('ns2.glue.example.'))).toBe(false);
    // A changed address is republished.
    await ok(hostUpdateXml('ns1.glue.example', { remAddr: ['81.2.69.7'], addAddr: ['81.2.69.9'] }));
    await pub.drain();
    expect(await q('glue.example', 'NS')).toEqual(expect.arrayContaining(['ns1.glue.example. 86400 IN A 81.2.69.9']));
    expect((await q('glue.example', 'NS')).some((l) => l.includes('81.2.69.7'))).toBe(false);
  });

  it('a host rename changes the NS of every domain using it', async () => {
    await ok(hostCreateXml({ name: 'ns3.provider.net' }));
    await ok(domainUpdateXml('bare.example', { addNs: ['ns3.provider.net'] }));
    await pub.drain();
    expect(await q('bare.example', 'NS')).toEqual(['bare.example. 86400 IN NS ns3.provider.net.']);
    await ok(hostUpdateXml('ns3.provider.net', { chgName: 'ns9.provider.net' }));
    await pub.drain();
    expect(await q('bare.example', 'NS')).toEqual(['bare.example. 86400 IN NS ns9.provider.net.']);
  });

  it('DS records from secDNS data are published and signed by the parent; removed with remAll', async () => {
    const digest = 'AB'.repeat(32);
    await ok(domainUpdateXml('deleg.example', { ext: DS(12345, digest) }));
    await pub.drain();
    const ds = await q('deleg.example', 'DS', ['+dnssec']);
    expect(ds).toContain(`deleg.example. 3600 IN DS 12345 13 2 ${digest}`);
    expect(ds.some((l) => l.startsWith('deleg.example. 3600 IN RRSIG DS 13 2 '))).toBe(true);
    await ok(domainUpdateXml('deleg.example', { ext: `<secDNS:update xmlns:secDNS="${NS.secDNS}"><secDNS:rem><secDNS:all>true</secDNS:all></secDNS:rem></secDNS:update>` }));
    await pub.drain();
    expect((await q('deleg.example', 'DS')).filter((l) => l.includes(' IN DS '))).toEqual([]);
  });

  it('clientHold removes the delegation and its glue; removing the hold restores them', async () => {
    await ok(domainUpdateXml('glue.example', { addStatus: ['clientHold'] }));
    await pub.drain();
    expect((await q('glue.example', 'NS')).filter((l) => l.startsWith('glue.example.') && l.includes(' IN NS '))).toEqual([]);
    expect((await q('ns1.glue.example', 'A')).filter((l) => l.includes(' IN A '))).toEqual([]);
    await ok(domainUpdateXml('glue.example', { remStatus: ['clientHold'] }));
    await pub.drain();
    expect(await q('glue.example', 'NS')).toContain('glue.example. 86400 IN NS ns1.glue.example.');
  });

  it('serverHold and pendingDelete (RGP) also keep a domain out of the zone', async () => {
    for (const status of ['serverHold', 'pendingDelete']) {
      await h.t.db.primary.query(sql`UPDATE domains SET statuses = array_append(statuses, ${status}) WHERE name = 'deleg.example'`);
      await pub.drain();
      expect((await q('deleg.example', 'NS')).filter((l) => l.startsWith('deleg.example.') && l.includes(' IN NS '))).toEqual([]);
      await h.t.db.primary.query(sql`UPDATE domains SET statuses = array_remove(statuses, ${status}) WHERE name = 'deleg.example'`);
      await pub.drain();
      expect((await q('deleg.example', 'NS')).length).toBeGreaterThan(0);
    }
  });

  it('a deleted domain disappears (NXDOMAIN with a signed denial)', async () => {
    await ok(domainUpdateXml('bare.example', { remNs: ['ns9.provider.net'] }));
    await ok(deleteXml('domain', 'bare.example'));
    await pub.drain();
    const res = await q('bare.example', 'NS', ['+dnssec']);
    expect(res.some((l) => l.startsWith('bare.example.'))).toBe(false);
    expect(res.some((l) => / IN NSEC /.test(l))).toBe(true);
  });

  it('every publication raises the SOA serial (RFC 1982)', async () => {
    const serialOf = async () => Number((await q('example', 'SOA'))[0]!.split(' ')[6]);
    const before = await serialOf();
    await ok(domainUpdateXml('deleg.example', { remNs: ['ns2.glue.example'] }));
    await pub.drain();
    expect(await serialOf()).toBeGreaterThan(before);
  });

  it('the zone\'s own name servers under a delegated domain become glue (occluded, not authoritative)', async () => {
    await ok(domainCreateXml({ name: 'nic.example', ns: ['ns1.provider.net'], registrant: 'owner-a' }));
    await pub.drain();
    const [r] = await p.pdns.pool.query(sql`SELECT auth, ordername FROM records WHERE name = 'ns1.nic.example' AND type = 'A'`);
    expect(r).toEqual({ auth: false, ordername: null });
    // Asked for the address, PowerDNS now refers to the delegation (no authoritative answer).
    expect((await digRaw(p.port, ['ns1.nic.example', 'A'])).match(/flags: ([a-z ]+);/)?.[1]).not.toMatch(/\baa\b/);
  });

  it('the records PowerDNS would rectify are exactly ours (auth, ordering, empty non-terminals)', async () => {
    const snapshot = async () => (await p.pdns.pool.query(sql`SELECT name, type, content, ttl, auth, ordername FROM records ORDER BY name, type, content`)).map((r: object) => JSON.stringify(r));
    const before = await snapshot();
    await p.pdnsutil.run('rectify-zone', 'example');
    expect(await snapshot()).toEqual(before);
  });
});
