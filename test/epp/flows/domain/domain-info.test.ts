/** domain:info (RFC 5731 §3.1.2, RFC 5910 §5.1.2): what the sponsor, an authorised client and others see; hosts="…"; derived statuses. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainInfoXml, domainTransferXml, domainUpdateXml, ds, secDnsCreateXml, statuses, tag, tags } from '../../../helpers/xml.js';

describe('domain:info', () => {
  let x: ObjectsHarness;
  let name: string;
  let owner: string;
  beforeAll(async () => {
    x = await objectsHarness();
    owner = await x.contact(x.a);
    await x.host(x.a, 'ns.outside.net');
    name = await x.domain(x.a, { name: 'shown.example', registrant: owner, contacts: [{ type: 'admin', id: owner }, { type: 'tech', id: owner }], ns: ['ns.outside.net'], pw: 'Info-secret-1', ext: secDnsCreateXml({ ds: [ds(4242)] }) });
    await x.host(x.a, 'ns1.shown.example', ['81.2.69.53', '2a01:4f8::53']);
    await x.expectCode(x.a, domainUpdateXml(name, { addNs: ['ns1.shown.example'] }), 1000);
  });
  afterAll(async () => { await x.close(); });

  it('gives the sponsor everything, in schema order, with dates in UTC milliseconds', async () => {
    const res = await x.expectCode(x.a, domainInfoXml(name), 1000);
    expect(tag(res, 'domain:name')).toBe(name);
    expect(tag(res, 'domain:roid')).toMatch(/^D\d+-REG$/);
    expect(statuses(res, 'domain')).toEqual(['ok']);
    expect(tag(res, 'domain:registrant')).toBe(owner);
    expect(res).toContain(`<domain:contact type="admin">${owner}</domain:contact><domain:contact type="tech">${owner}</domain:contact>`);
    expect(tags(res, 'domain:hostObj')).toEqual(['ns.outside.net', 'ns1.shown.example']);
    expect(tags(res, 'domain:host')).toEqual(['ns1.shown.example']);
    expect(tag(res, 'domain:clID')).toBe('reg-a');
    expect(tag(res, 'domain:crID')).toBe('reg-a');
    expect(tag(res, 'domain:crDate')).toBe('2026-01-10T12:00:00.000Z');
    expect(tag(res, 'domain:upID')).toBe('reg-a');
    expect(tag(res, 'domain:upDate')).toBe('2026-01-10T12:00:00.000Z');
    expect(tag(res, 'domain:exDate')).toBe('2027-01-10T12:00:00.000Z');
    expect(res).not.toContain('domain:trDate');
    expect(tag(res, 'domain:pw')).toBe('Info-secret-1');
    expect(res).toContain(`<extension><secDNS:infData xmlns:secDNS="${NS.secDNS}"><secDNS:dsData><secDNS:keyTag>4242</secDNS:keyTag>`);
  });

  it('filters hosts with hosts="del|sub|none"', async () => {
    const del = await x.expectCode(x.a, domainInfoXml(name, { hosts: 'del' }), 1000);
    expect(tags(del, 'domain:hostObj')).toHaveLength(2);
    expect(tags(del, 'domain:host')).toEqual([]);
    const sub = await x.expectCode(x.a, domainInfoXml(name, { hosts: 'sub' }), 1000);
    expect(tags(sub, 'domain:hostObj')).toEqual([]);
    expect(tags(sub, 'domain:host')).toEqual(['ns1.shown.example']);
    const none = await x.expectCode(x.a, domainInfoXml(name, { hosts: 'none' }), 1000);
    expect(none).not.toMatch(/domain:host|domain:ns/);
  });

  it('shows another registrar no registrant, contacts or authInfo', async () => {
    const res = await x.expectCode(x.b, domainInfoXml(name), 1000);
    expect(tag(res, 'domain:clID')).toBe('reg-a');
    expect(tags(res, 'domain:hostObj')).toHaveLength(2);
    expect(res).not.toMatch(/domain:registrant|domain:contact|domain:authInfo/);
  });

  it('shows a client with the right authInfo the contacts but never the authInfo itself; a wrong one is 2202', async () => {
    const res = await x.expectCode(x.b, domainInfoXml(name, { pw: 'Info-secret-1' }), 1000);
    expect(tag(res, 'domain:registrant')).toBe(owner);
    expect(tags(res, 'domain:contact')).toHaveLength(2);
    expect(res).not.toContain('domain:authInfo');
    await x.fails(x.b, domainInfoXml(name, { pw: 'guess' }), 2202, { local: 'pw', ns: NS.domain });
  });

  it('matches no authInfo when the domain has none set (RFC 9154 §4)', async () => {
    const open = await x.domain(x.a, { pw: '' });
    expect(await x.expectCode(x.a, domainInfoXml(open), 1000)).toContain('<domain:authInfo><domain:pw/></domain:authInfo>');
    await x.fails(x.b, domainInfoXml(open, { pw: '' }), 2202, { local: 'pw' });
  });

  it('omits secDNS from a session that did not log in with it', async () => {
    const c = await x.h.login('reg-a', { objURIs: [NS.domain] });
    const res = await c.request(domainInfoXml(name));
    expect(res).toContain('<result code="1000">');
    expect(res).not.toContain('secDNS');
    await c.close();
  });

  it('derives inactive (no name servers), ok (nothing else) and pendingTransfer', async () => {
    const bare = await x.domain(x.a, { pw: 'Bare-code-1' });
    expect(statuses(await x.expectCode(x.a, domainInfoXml(bare), 1000), 'domain')).toEqual(['inactive']);
    await x.expectCode(x.a, domainUpdateXml(bare, { addStatus: ['clientHold'] }), 1000);
    expect(statuses(await x.expectCode(x.a, domainInfoXml(bare), 1000), 'domain')).toEqual(['clientHold', 'inactive']);
    await x.expectCode(x.a, domainUpdateXml(bare, { addNs: ['ns.outside.net'], remStatus: ['clientHold'] }), 1000);
    expect(statuses(await x.expectCode(x.a, domainInfoXml(bare), 1000), 'domain')).toEqual(['ok']);
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${bare}`);
    await x.expectCode(x.b, domainTransferXml('request', bare, 'Bare-code-1'), 1001);
    expect(statuses(await x.expectCode(x.b, domainInfoXml(bare), 1000), 'domain')).toEqual(['pendingTransfer']);
  });

  it('answers 2303 for a name that is not registered (also outside our zones) and 2005 for a malformed one', async () => {
    await x.fails(x.a, domainInfoXml('never.example'), 2303, { local: 'name', text: 'never.example' });
    await x.fails(x.a, domainInfoXml('never.com'), 2303, { local: 'name', text: 'never.com' });
    await x.fails(x.a, domainInfoXml('bad_name.example'), 2005, { local: 'name', text: 'bad_name.example' });
  });
});
