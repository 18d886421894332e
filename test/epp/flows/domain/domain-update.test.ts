/** domain:update (RFC 5731 §3.2.5, RFC 5910 §5.2.5): add/rem/chg, every prohibition, secDNS add/rem/rem all. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainInfoXml, domainTransferXml, domainUpdateXml, ds, secDnsCreateXml, secDnsUpdateXml, statuses, tag, tags } from '../../../helpers/xml.js';

describe('domain:update', () => {
  let x: ObjectsHarness;
  let owner: string;
  let other: string;
  const info = async (name: string) => x.expectCode(x.a, domainInfoXml(name), 1000);
  beforeAll(async () => {
    x = await objectsHarness();
    owner = await x.contact(x.a);
    other = await x.contact(x.a);
    for (const h of ['ns1.dns.net', 'ns2.dns.net', 'ns3.dns.net']) await x.host(x.a, h);
  });
  afterAll(async () => { await x.close(); });

  it('adds and removes name servers, contacts and client statuses, changes registrant and authInfo, and records who and when', async () => {
    const name = await x.domain(x.a, { registrant: owner, ns: ['ns1.dns.net'] });
    x.advanceDays(1);
    await x.expectCode(x.a, domainUpdateXml(name, {
      addNs: ['ns2.dns.net', 'ns3.dns.net'], remNs: ['ns1.dns.net'], addContacts: [{ type: 'tech', id: other }, { type: 'billing', id: owner }],
      addStatus: ['clientTransferProhibited', 'clientRenewProhibited'], registrant: other, pw: 'New-code-42',
    }), 1000);
    const res = await info(name);
    expect(tags(res, 'domain:hostObj')).toEqual(['ns2.dns.net', 'ns3.dns.net']);
    expect(res).toContain(`<domain:contact type="billing">${owner}</domain:contact><domain:contact type="tech">${other}</domain:contact>`);
    expect(statuses(res, 'domain')).toEqual(['clientTransferProhibited', 'clientRenewProhibited']);
    expect(tag(res, 'domain:registrant')).toBe(other);
    expect(tag(res, 'domain:pw')).toBe('New-code-42');
    expect(tag(res, 'domain:upID')).toBe('reg-a');
    expect(tag(res, 'domain:upDate')).toBe('2026-01-11T12:00:00.000Z');
    await x.expectCode(x.a, domainUpdateXml(name, { remContacts: [{ type: 'tech', id: other }], remStatus: ['clientRenewProhibited'], nullPw: true }), 1000);
    const after = await info(name);
    expect(tags(after, 'domain:contact')).toEqual([owner]);
    expect(statuses(after, 'domain')).toEqual(['clientTransferProhibited']);
    expect(after).toContain('<domain:pw/>');
    const history = await x.db.query(sql`SELECT h.action FROM object_history h JOIN domains d ON d.roid = h.object_roid WHERE d.name = ${name} ORDER BY h.id`);
    expect(history.map((r: { action: string }) => r.action)).toEqual(['create', 'update', 'update']);
  });

  it('refuses name server changes that do not fit (2306 not present / already present / hostAttr / limits, 2303 unknown, 2005 malformed)', async () => {
    const name = await x.domain(x.a, { registrant: owner, ns: ['ns1.dns.net'] });
    await x.fails(x.a, domainUpdateXml(name, { remNs: ['ns2.dns.net'] }), 2306, { local: 'hostObj', text: 'ns2.dns.net' });
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['ns1.dns.net'] }), 2306, { local: 'hostObj', text: 'ns1.dns.net' });
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['ns9.dns.net'] }), 2303, { local: 'hostObj', text: 'ns9.dns.net' });
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['bad_host.net'] }), 2005, { local: 'hostObj', text: 'bad_host.net' });
    await x.fails(x.a, domainUpdateXml(name, { addHostAttr: ['ns7.dns.net'] }), 2306, { local: 'ns', ns: NS.domain });
    await x.zone('twons', { minNs: 1, maxNs: 2 });
    const z = await x.domain(x.a, { name: 'limits.twons', registrant: owner, ns: ['ns1.dns.net'] });
    await x.fails(x.a, domainUpdateXml(z, { remNs: ['ns1.dns.net'] }), 2306, { local: 'ns' });
    await x.fails(x.a, domainUpdateXml(z, { addNs: ['ns2.dns.net', 'ns3.dns.net'] }), 2306, { local: 'ns' });
    // Removing and adding in one command is judged on the result.
    await x.expectCode(x.a, domainUpdateXml(z, { remNs: ['ns1.dns.net'], addNs: ['ns2.dns.net'] }), 1000);
    expect(tags(await info(z), 'domain:hostObj')).toEqual(['ns2.dns.net']);
  });

  it('lets clients set only client statuses, and only ones not already set (2306 with the status)', async () => {
    const name = await x.domain(x.a, { registrant: owner });
    await x.fails(x.a, domainUpdateXml(name, { addStatus: ['serverHold'] }), 2306, { local: 'status', attrs: { s: 'serverHold' } });
    await x.fails(x.a, domainUpdateXml(name, { addStatus: ['ok'] }), 2306, { local: 'status', attrs: { s: 'ok' } });
    await x.fails(x.a, domainUpdateXml(name, { remStatus: ['clientHold'] }), 2306, { local: 'status', attrs: { s: 'clientHold' } });
    await x.expectCode(x.a, domainUpdateXml(name, { addStatus: ['clientHold'] }), 1000);
    await x.fails(x.a, domainUpdateXml(name, { addStatus: ['clientHold'] }), 2306, { local: 'status', attrs: { s: 'clientHold' } });
  });

  it('checks contacts: unknown 2303, not present 2306, required by the zone 2306, registrant 2303 / required', async () => {
    const name = await x.domain(x.a, { registrant: owner, contacts: [{ type: 'admin', id: owner }] });
    await x.fails(x.a, domainUpdateXml(name, { addContacts: [{ type: 'tech', id: 'nobody-here' }] }), 2303, { local: 'contact', text: 'nobody-here', attrs: { type: 'tech' } });
    await x.fails(x.a, domainUpdateXml(name, { remContacts: [{ type: 'tech', id: owner }] }), 2306, { local: 'contact', attrs: { type: 'tech' } });
    await x.fails(x.a, domainUpdateXml(name, { addContacts: [{ type: 'admin', id: owner }] }), 2306, { local: 'contact', attrs: { type: 'admin' } });
    await x.fails(x.a, domainUpdateXml(name, { registrant: 'nobody-here' }), 2303, { local: 'registrant', text: 'nobody-here' });
    await x.fails(x.a, domainUpdateXml(name, { registrant: '' }), 2306, { local: 'registrant' });
    await x.zone('needadmin', { requiredContacts: ['registrant', 'admin'] });
    const z = await x.domain(x.a, { name: 'contacts.needadmin', registrant: owner, contacts: [{ type: 'admin', id: owner }] });
    await x.fails(x.a, domainUpdateXml(z, { remContacts: [{ type: 'admin', id: owner }] }), 2306, { local: 'contact', attrs: { type: 'admin' } });
    await x.expectCode(x.a, domainUpdateXml(z, { remContacts: [{ type: 'admin', id: owner }], addContacts: [{ type: 'admin', id: other }] }), 1000);
  });

  it('is for the sponsor only (2201) and for domains that exist (2303)', async () => {
    const name = await x.domain(x.a, { registrant: owner });
    await x.fails(x.b, domainUpdateXml(name, { addStatus: ['clientHold'] }), 2201, { local: 'name', text: name });
    await x.fails(x.a, domainUpdateXml('never.example', { addStatus: ['clientHold'] }), 2303, { local: 'name', text: 'never.example' });
  });

  it('enforces clientUpdateProhibited: nothing but its removal (with other status changes) passes', async () => {
    const name = await x.domain(x.a, { registrant: owner });
    await x.expectCode(x.a, domainUpdateXml(name, { addStatus: ['clientUpdateProhibited'] }), 1000);
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['ns1.dns.net'] }), 2304, { local: 'name', text: name });
    await x.fails(x.a, domainUpdateXml(name, { addStatus: ['clientHold'] }), 2304, { local: 'name' });
    await x.fails(x.a, domainUpdateXml(name, { remStatus: ['clientUpdateProhibited'], addNs: ['ns1.dns.net'] }), 2304, { local: 'name' });
    await x.fails(x.a, domainUpdateXml(name, { remStatus: ['clientUpdateProhibited'], ext: secDnsUpdateXml({ add: [ds(7)] }) }), 2304, { local: 'name' });
    await x.expectCode(x.a, domainUpdateXml(name, { remStatus: ['clientUpdateProhibited'], addStatus: ['clientDeleteProhibited'] }), 1000);
    expect(statuses(await info(name), 'domain')).toEqual(['clientDeleteProhibited', 'inactive']);
  });

  it('refuses every update under serverUpdateProhibited, pendingDelete or pendingTransfer (2304)', async () => {
    for (const s of ['serverUpdateProhibited', 'pendingDelete']) {
      const name = await x.domain(x.a, { registrant: owner });
      await x.expectCode(x.a, domainUpdateXml(name, { addStatus: ['clientHold'] }), 1000);
      await x.db.query(sql`UPDATE domains SET statuses = statuses || ${s}::text WHERE name = ${name}`);
      await x.fails(x.a, domainUpdateXml(name, { remStatus: ['clientHold'] }), 2304, { local: 'name', text: name });
    }
    const name = await x.domain(x.a, { registrant: owner, pw: 'Move-me-1' });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${name}`);
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-1'), 1001);
    await x.fails(x.a, domainUpdateXml(name, { addStatus: ['clientHold'] }), 2304, { local: 'name', text: name });
  });

  it('changes nothing when any part of the command is refused', async () => {
    const name = await x.domain(x.a, { registrant: owner, ns: ['ns1.dns.net'] });
    const resData = async () => /<resData>.*<\/resData>/.exec(await info(name))![0];
    const before = await resData();
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['ns2.dns.net'], remNs: ['ns1.dns.net'], registrant: other, addStatus: ['serverHold'] }), 2306, { local: 'status' });
    await x.fails(x.a, domainUpdateXml(name, { addNs: ['ns2.dns.net'], ext: secDnsUpdateXml({ add: [ds(1, 99)] }) }), 2004, { local: 'alg' });
    expect(await resData()).toBe(before);
  });

  describe('secDNS-1.1', () => {
    const keyTags = async (name: string) => tags(await info(name), 'secDNS:keyTag');

    it('adds, removes listed records, removes all; rem is applied before add', async () => {
      const name = await x.domain(x.a, { registrant: owner, ext: secDnsCreateXml({ ds: [ds(1), ds(2)] }) });
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ add: [ds(3), ds(3)] }) }), 1000);
      expect(await keyTags(name)).toEqual(['1', '2', '3']);
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ rem: [ds(2), ds(99)] }) }), 1000);
      expect(await keyTags(name)).toEqual(['1', '3']);
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ remAll: true, add: [ds(5)] }) }), 1000);
      expect(await keyTags(name)).toEqual(['5']);
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ rem: [ds(5)], add: [ds(5)] }) }), 1000);
      expect(await keyTags(name)).toEqual(['5']);
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ remAll: true }) }), 1000);
      expect(await info(name)).not.toContain('secDNS');
    });

    it('refuses urgent and maxSigLife (2102), keyData (2306), a ninth record (2306) and bad records', async () => {
      const S = NS.secDNS;
      const name = await x.domain(x.a, { registrant: owner, ext: secDnsCreateXml({ ds: Array.from({ length: 8 }, (_, i) => ds(i + 1)) }) });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ urgent: true, remAll: true }) }), 2102, { local: 'update', ns: S, attrs: { urgent: 'true' } });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ maxSigLife: 3600 }) }), 2102, { local: 'maxSigLife', ns: S, text: '3600' });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ addKeyData: true }) }), 2306, { local: 'keyData', ns: S });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ add: [ds(9)] }) }), 2306, { local: 'add', ns: S });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ add: [ds(10, 7)] }) }), 2306, { local: 'alg', text: '7' });
      await x.fails(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ add: [{ ...ds(10), digest: 'AB'.repeat(31) }] }) }), 2005, { local: 'digest' });
      expect(await keyTags(name)).toHaveLength(8);
      await x.expectCode(x.a, domainUpdateXml(name, { ext: secDnsUpdateXml({ rem: [ds(1)], add: [ds(9)] }) }), 1000);
      expect(await keyTags(name)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9']);
    });
  });
});
