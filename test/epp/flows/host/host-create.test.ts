/**
 * host:create (RFC 5732 §3.2.1): internal hosts (in our zones) under an existing domain of the
 * same registrar with at least one address; external hosts without; address syntax and policy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { hostCreateXml, hostInfoXml, tag, tags } from '../../../helpers/xml.js';

const H = NS.host;

describe('host:create', () => {
  let x: ObjectsHarness;
  let mine: string;
  let theirs: string;
  beforeAll(async () => {
    x = await objectsHarness();
    mine = await x.domain(x.a, { name: 'mine.example' });
    theirs = await x.domain(x.b, { name: 'theirs.example' });
  });
  afterAll(async () => { await x.close(); });

  it('creates an internal host with IPv4 and IPv6 addresses (canonical form) and answers name and crDate', async () => {
    const res = await x.expectCode(x.a, hostCreateXml(`ns1.${mine}`, ['81.2.69.53', '2A01:04F8:0000::0053']), 1000);
    expect(tag(res, 'host:name')).toBe('ns1.mine.example');
    expect(tag(res, 'host:crDate')).toBe('2026-01-10T12:00:00.000Z');
    const info = await x.expectCode(x.a, hostInfoXml('ns1.mine.example'), 1000);
    expect(info).toContain('<host:addr ip="v4">81.2.69.53</host:addr><host:addr ip="v6">2a01:4f8::53</host:addr>');
    expect(tag(info, 'host:roid')).toMatch(/^H\d+-REG$/);
    const [h] = await x.db.query(sql`SELECT superordinate_id IS NOT NULL AS internal FROM hosts WHERE name = 'ns1.mine.example'`);
    expect(h.internal).toBe(true);
  });

  it('creates an external host without addresses; lower-cases the name', async () => {
    expect(tag(await x.expectCode(x.a, hostCreateXml('NS.Provider.NET'), 1000), 'host:name')).toBe('ns.provider.net');
    await x.fails(x.b, hostCreateXml('ns.provider.net'), 2302, { local: 'name', ns: H, text: 'ns.provider.net' });
  });

  it('requires an address for an internal host (2003) and refuses one for an external host (2306)', async () => {
    await x.fails(x.a, hostCreateXml(`ns2.${mine}`), 2003, { local: 'addr', ns: H });
    await x.fails(x.a, hostCreateXml('ns2.provider.net', ['81.2.69.53']), 2306, { local: 'addr', text: '81.2.69.53', attrs: { ip: 'v4' } });
  });

  it('needs the superordinate domain to exist (2305) and to be the client\'s (2201, RST epp-25), and not being deleted (2304)', async () => {
    await x.fails(x.a, hostCreateXml('ns1.nodomain.example', ['81.2.69.53']), 2305, { local: 'name', text: 'ns1.nodomain.example' });
    await x.fails(x.a, hostCreateXml(`ns1.${theirs}`, ['81.2.69.53']), 2201, { local: 'name', text: `ns1.${theirs}` });
    const dying = await x.domain(x.a);
    await x.db.query(sql`UPDATE domains SET statuses = '{pendingDelete}' WHERE name = ${dying}`);
    await x.fails(x.a, hostCreateXml(`ns1.${dying}`, ['81.2.69.53']), 2304, { local: 'name' });
    // Deeper names are under the registrable domain too.
    await x.expectCode(x.a, hostCreateXml(`a.b.${mine}`, ['81.2.69.54']), 1000);
  });

  it('refuses malformed names (2005)', async () => {
    for (const bad of ['single', 'bad_host.net', '-x.net', 'dot.net.', `${'a'.repeat(64)}.net`]) {
      await x.fails(x.a, hostCreateXml(bad), 2005, { local: 'name', text: bad });
    }
  });

  it('refuses malformed addresses and ones of the other version (2005)', async () => {
    const name = `ns3.${mine}`;
    await x.fails(x.a, hostCreateXml(name, ['300.1.2.3']), 2005, { local: 'addr', text: '300.1.2.3', attrs: { ip: 'v4' } });
    await x.fails(x.a, hostCreateXml(name, ['01.2.3.4']), 2005, { local: 'addr' });
    await x.fails(x.a, hostCreateXml(name, [{ ip: '2a01:4f8::53', v: 'v4' }]), 2005, { local: 'addr', attrs: { ip: 'v4' } });
    await x.fails(x.a, hostCreateXml(name, [{ ip: '81.2.69.53', v: 'v6' }]), 2005, { local: 'addr', attrs: { ip: 'v6' } });
    await x.fails(x.a, hostCreateXml(name, ['fe80::1%eth0']), 2005, { local: 'addr' });
  });

  it('refuses private, loopback, link-local, documentation and other reserved ranges (2306) unless the zone allows them', async () => {
    for (const ip of ['10.1.2.3', '192.168.0.1', '127.0.0.1', '169.254.0.1', '100.64.0.1', '192.0.2.1', '224.0.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', '2001:db8::1', '::ffff:81.2.69.53']) {
      await x.fails(x.a, hostCreateXml(`ns4.${mine}`, [ip]), 2306, { local: 'addr', text: ip });
    }
    await x.zone('lab', { rejectPrivateAddresses: false });
    const lab = await x.domain(x.a, { name: 'test.lab' });
    await x.expectCode(x.a, hostCreateXml(`ns1.${lab}`, ['10.1.2.3', 'fd00::53']), 1000);
    expect(tags(await x.expectCode(x.a, hostInfoXml(`ns1.${lab}`), 1000), 'host:addr')).toEqual(['10.1.2.3', 'fd00::53']);
  });

  it('stores an address once however often it is sent', async () => {
    await x.expectCode(x.a, hostCreateXml(`ns5.${mine}`, ['81.2.69.55', '81.2.69.55']), 1000);
    expect(tags(await x.expectCode(x.a, hostInfoXml(`ns5.${mine}`), 1000), 'host:addr')).toEqual(['81.2.69.55']);
  });
});
