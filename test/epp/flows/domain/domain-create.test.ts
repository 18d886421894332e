/** domain:create (RFC 5731 §3.2.1, RFC 5910 §5.2.1): every rule, every error with its <extValue>, and a 50-session race. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCode } from '../../../../src/epp/client.js';
import { sql } from '../../../../src/db/pool.js';
import { accredit, addZone } from '../../../../src/admin/zones.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainCreateXml, domainInfoXml, ds, extValue as extValueOf, secDnsCreateXml, statuses, tag, tags } from '../../../helpers/xml.js';

const D = NS.domain;

describe('domain:create', () => {
  let x: ObjectsHarness;
  let owner: string;
  beforeAll(async () => {
    x = await objectsHarness({ maxSessions: 60, poolSize: 12 });
    owner = await x.contact(x.a, { id: 'owner-a' });
    await x.host(x.a, 'ns1.dns.net');
    await x.host(x.a, 'ns2.dns.net');
  });
  afterAll(async () => { await x.close(); });

  it('creates the domain and answers name, crDate and exDate in UTC with milliseconds', async () => {
    const res = await x.expectCode(x.a, domainCreateXml({ name: 'first.example', period: 2, registrant: owner, ns: ['ns1.dns.net', 'ns2.dns.net'], contacts: [{ type: 'tech', id: owner }] }), 1000);
    expect(tag(res, 'domain:name')).toBe('first.example');
    expect(tag(res, 'domain:crDate')).toBe('2026-01-10T12:00:00.000Z');
    expect(tag(res, 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    const info = await x.expectCode(x.a, domainInfoXml('first.example'), 1000);
    expect(tag(info, 'domain:roid')).toMatch(/^D\d+-REG$/);
    expect(tag(info, 'domain:clID')).toBe('reg-a');
    expect(tag(info, 'domain:crID')).toBe('reg-a');
    expect(tag(info, 'domain:registrant')).toBe(owner);
    expect(tags(info, 'domain:contact')).toEqual([owner]);
    expect(tags(info, 'domain:hostObj')).toEqual(['ns1.dns.net', 'ns2.dns.net']);
    expect(statuses(info, 'domain')).toEqual(['ok']);
    expect(tag(info, 'domain:pw')).toBe('Domain-pw-123');
    const [h] = await x.db.query(sql`SELECT action, registrar_id FROM object_history WHERE object_type = 'domain' AND object_roid = ${tag(info, 'domain:roid')!}`);
    expect(h.action).toBe('create');
  });

  it('defaults to one year; accepts the period in months when it is whole years', async () => {
    expect(tag(await x.expectCode(x.a, domainCreateXml({ name: 'oneyear.example', registrant: owner }), 1000), 'domain:exDate')).toBe('2027-01-10T12:00:00.000Z');
    expect(tag(await x.expectCode(x.a, domainCreateXml({ name: 'months.example', registrant: owner, period: { value: 24, unit: 'm' } }), 1000), 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    await x.fails(x.a, domainCreateXml({ name: 'odd-months.example', registrant: owner, period: { value: 13, unit: 'm' } }), 2004, { local: 'period', ns: D, text: '13', attrs: { unit: 'm' } });
    await x.fails(x.a, domainCreateXml({ name: 'eleven.example', registrant: owner, period: 11 }), 2004, { local: 'period', text: '11', attrs: { unit: 'y' } });
  });

  it('lower-cases names and stores IDNs as A-labels', async () => {
    expect(tag(await x.expectCode(x.a, domainCreateXml({ name: 'UPPER.Example', registrant: owner }), 1000), 'domain:name')).toBe('upper.example');
    expect(tag(await x.expectCode(x.a, domainCreateXml({ name: 'bücher.example', registrant: owner }), 1000), 'domain:name')).toBe('xn--bcher-kva.example');
    await x.fails(x.a, domainCreateXml({ name: 'xn--bcher-kva.example', registrant: owner }), 2302, { local: 'name' });
  });

  it('refuses names that break the LDH and length rules (2005), pointing at <domain:name>', async () => {
    for (const bad of ['under_score.example', '-lead.example', 'trail-.example', `${'a'.repeat(64)}.example`, 'ab--cd.example', 'xn--zz.example', 'dot.example.', 'sp ace.example']) {
      await x.fails(x.a, domainCreateXml({ name: bad, registrant: owner }), 2005, { local: 'name', ns: D, text: bad });
    }
  });

  it('refuses a name outside our zones (2004) and one that is not directly under its zone (2306)', async () => {
    await x.fails(x.a, domainCreateXml({ name: 'elsewhere.com', registrant: owner }), 2004, { local: 'name', text: 'elsewhere.com' });
    await x.fails(x.a, domainCreateXml({ name: 'deep.sub.example', registrant: owner }), 2306, { local: 'name', text: 'deep.sub.example' });
  });

  it('refuses a registrar not accredited for the zone (2201)', async () => {
    await x.zone('onlya', {}, { onlyA: true });
    const bOwner = await x.contact(x.b);
    await x.fails(x.b, domainCreateXml({ name: 'nope.onlya', registrant: bOwner }), 2201, { local: 'name', text: 'nope.onlya' });
    await x.expectCode(x.a, domainCreateXml({ name: 'yes.onlya', registrant: owner }), 1000);
  });

  it('refuses a name that exists (2302)', async () => {
    await x.fails(x.a, domainCreateXml({ name: 'first.example', registrant: owner }), 2302, { local: 'name', text: 'first.example' });
    await x.fails(x.b, domainCreateXml({ name: 'first.example', registrant: owner }), 2302, { local: 'name' });
  });

  it('requires the registrant and contacts the zone policy asks for (2003) and refuses unknown ones (2303)', async () => {
    await x.fails(x.a, domainCreateXml({ name: 'noowner.example' }), 2003, { local: 'registrant' });
    await x.fails(x.a, domainCreateXml({ name: 'ghost.example', registrant: 'ghost-owner' }), 2303, { local: 'registrant', text: 'ghost-owner' });
    await x.fails(x.a, domainCreateXml({ name: 'ghost2.example', registrant: owner, contacts: [{ type: 'admin', id: 'ghost-admin' }] }), 2303, { local: 'contact', text: 'ghost-admin', attrs: { type: 'admin' } });
    await x.zone('strict', { requiredContacts: ['registrant', 'admin', 'tech'], minNs: 2, maxNs: 3 });
    await x.fails(x.a, domainCreateXml({ name: 'x.strict', registrant: owner, ns: ['ns1.dns.net', 'ns2.dns.net'], contacts: [{ type: 'tech', id: owner }] }), 2003, { local: 'contact', attrs: { type: 'admin' } });
    await x.expectCode(x.a, domainCreateXml({ name: 'x.strict', registrant: owner, ns: ['ns1.dns.net', 'ns2.dns.net'], contacts: [{ type: 'tech', id: owner }, { type: 'admin', id: owner }] }), 1000);
  });

  it('takes host objects that exist, within the zone\'s name server limits', async () => {
    const contacts = [{ type: 'tech', id: owner }, { type: 'admin', id: owner }];
    await x.fails(x.a, domainCreateXml({ name: 'attr.example', registrant: owner, hostAttr: ['ns1.dns.net'] }), 2306, { local: 'ns', ns: D });
    await x.fails(x.a, domainCreateXml({ name: 'badns.example', registrant: owner, ns: ['not_a_host.net'] }), 2005, { local: 'hostObj', text: 'not_a_host.net' });
    await x.fails(x.a, domainCreateXml({ name: 'nons.example', registrant: owner, ns: ['ns1.dns.net', 'ns9.dns.net'] }), 2303, { local: 'hostObj', text: 'ns9.dns.net' });
    await x.fails(x.a, domainCreateXml({ name: 'few.strict', registrant: owner, contacts, ns: ['ns1.dns.net'] }), 2306, { local: 'ns' });
    await x.host(x.a, 'ns3.dns.net');
    await x.host(x.a, 'ns4.dns.net');
    await x.fails(x.a, domainCreateXml({ name: 'many.strict', registrant: owner, contacts, ns: ['ns1.dns.net', 'ns2.dns.net', 'ns3.dns.net', 'ns4.dns.net'] }), 2306, { local: 'ns' });
    // The same host twice counts once.
    await x.expectCode(x.a, domainCreateXml({ name: 'twice.strict', registrant: owner, contacts, ns: ['ns1.dns.net', 'NS1.dns.net', 'ns2.dns.net'] }), 1000);
  });

  it('stores dsData (secDNS-1.1) and shows it on info', async () => {
    const ext = secDnsCreateXml({ ds: [ds(12345), ds(54321, 8, 4)] });
    await x.expectCode(x.a, domainCreateXml({ name: 'signed.example', registrant: owner, ext }), 1000);
    const info = await x.expectCode(x.a, domainInfoXml('signed.example'), 1000);
    expect(tags(info, 'secDNS:keyTag')).toEqual(['12345', '54321']);
    expect(tags(info, 'secDNS:digestType')).toEqual(['2', '4']);
  });

  it('validates DNSSEC algorithm, digest type and digest length, and refuses keyData and maxSigLife', async () => {
    const S = NS.secDNS;
    const create = (name: string, ext: string) => domainCreateXml({ name, registrant: owner, ext });
    await x.fails(x.a, create('alg5.example', secDnsCreateXml({ ds: [ds(1, 5)] })), 2306, { local: 'alg', ns: S, text: '5' });
    await x.fails(x.a, create('alg99.example', secDnsCreateXml({ ds: [ds(1, 99)] })), 2004, { local: 'alg', ns: S, text: '99' });
    await x.fails(x.a, create('sha1.example', secDnsCreateXml({ ds: [{ ...ds(1), digestType: 1, digest: 'AB'.repeat(20) }] })), 2306, { local: 'digestType', text: '1' });
    await x.fails(x.a, create('dt9.example', secDnsCreateXml({ ds: [{ ...ds(1), digestType: 9 }] })), 2004, { local: 'digestType', text: '9' });
    await x.fails(x.a, create('short.example', secDnsCreateXml({ ds: [{ ...ds(1), digest: 'ABCD' }] })), 2005, { local: 'digest', text: 'ABCD' });
    await x.fails(x.a, create('nine.example', secDnsCreateXml({ ds: Array.from({ length: 9 }, (_, i) => ds(i + 1)) })), 2306, { local: 'create', ns: S });
    await x.fails(x.a, create('key.example', secDnsCreateXml({ keyData: true })), 2306, { local: 'keyData', ns: S });
    await x.fails(x.a, create('msl.example', secDnsCreateXml({ ds: [ds(1)], maxSigLife: 604800 })), 2102, { local: 'maxSigLife', text: '604800' });
    const [{ n }] = await x.db.query(sql`SELECT count(*)::int AS n FROM domains WHERE name IN ('alg5.example', 'key.example', 'msl.example')`);
    expect(n).toBe(0);
  });

  it('refuses the secDNS extension from a session that did not log in with it (2103)', async () => {
    const c = await x.h.login('reg-a', { objURIs: [NS.domain, NS.contact, NS.host] });
    expect(resultCode(await c.request(domainCreateXml({ name: 'noext.example', registrant: owner, ext: secDnsCreateXml({ ds: [ds(1)] }) })))).toBe(2103);
    await c.close();
  });

  it('answers 2302 and writes nothing when a concurrent create of the name commits while this one waits on it', async () => {
    const [{ zone, reg, contact }] = await x.db.query(sql`SELECT (SELECT id FROM zones WHERE name = 'example') AS zone, (SELECT id FROM registrars WHERE client_id = 'reg-b') AS reg, (SELECT id FROM contacts WHERE contact_id = ${owner}) AS contact`);
    let commit!: () => void;
    const gate = new Promise<void>((r) => { commit = r; });
    const other = x.db.tx(async (tx) => {
      await tx.query(sql`INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
                         VALUES ('D0-REG', 'contested.example', ${zone}, ${reg}, ${reg}, ${contact}, now(), now() + interval '1 year')`);
      await gate;
    });
    const pending = x.a.request(domainCreateXml({ name: 'contested.example', registrant: owner }));
    try {
      // Wait until the EPP create's insert is blocked on the uncommitted row, then let that commit.
      await expect.poll(async () => (await x.db.query(sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%domain_create%(%'`))[0].n, { timeout: 5000, interval: 10 }).toBe(1);
    } finally {
      commit();
      await other;
    }
    const res = await pending;
    expect(resultCode(res)).toBe(2302);
    expect(extValueOf(res)).toMatchObject({ local: 'name', text: 'contested.example' });
    const [{ n }] = await x.db.query(sql`SELECT count(*)::int AS n FROM object_history WHERE snapshot->>'name' = 'contested.example'`);
    expect(n).toBe(0);
    expect(tag(await x.expectCode(x.b, domainInfoXml('contested.example'), 1000), 'domain:clID')).toBe('reg-b');
  });

  it('reloads the zones through its own transaction: no pool deadlock when every other connection is busy right after a zone change', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    // Hold all but one connection of the front-end's pool (its size is 12 here).
    const held = Array.from({ length: 11 }, () => x.h.app.db.primary.tx(async () => { await gate; }));
    try {
      await addZone(x.db, 'fresh', {});
      await accredit(x.db, 'reg-a', 'fresh');
      // Until the NOTIFY reaches the front-end its cache lacks the zone (2004); the first create
      // after it reloads the zones while holding the last free connection.
      let code = 2004;
      for (let i = 0; code === 2004 && i < 500; i++) code = resultCode(await x.a.request(domainCreateXml({ name: `n${i}.fresh`, registrant: owner })));
      expect(code).toBe(1000);
    } finally {
      release();
      await Promise.all(held);
    }
  });

  it('lets exactly one of 50 racing sessions create a name: one 1000, 49 × 2302, one domain, one history row, one successful audit row', async () => {
    const sessions = await Promise.all(Array.from({ length: 50 }, () => x.h.login('reg-a', { objURIs: [NS.domain] })));
    const xml = domainCreateXml({ name: 'race.example', registrant: owner });
    const codes = await Promise.all(sessions.map((s) => s.request(xml).then(resultCode)));
    await Promise.all(sessions.map((s) => s.close()));
    expect(codes.filter((c) => c === 1000)).toHaveLength(1);
    expect(codes.filter((c) => c === 2302)).toHaveLength(49);
    const [{ n, roid }] = await x.db.query(sql`SELECT count(*)::int AS n, min(roid) AS roid FROM domains WHERE name = 'race.example'`);
    expect(n).toBe(1);
    const [{ h }] = await x.db.query(sql`SELECT count(*)::int AS h FROM object_history WHERE object_type = 'domain' AND object_roid = ${roid} AND action = 'create'`);
    expect(h).toBe(1);
    await x.h.app.engine.flushAudit();
    const audit = await x.db.query(sql`SELECT result_code, count(*)::int AS n FROM audit_log WHERE command = 'domain:create' AND request LIKE '%race.example%' GROUP BY result_code ORDER BY result_code`);
    expect(audit).toEqual([{ result_code: 1000, n: 1 }, { result_code: 2302, n: 49 }]);
    const [ok] = await x.db.query(sql`SELECT object_id FROM audit_log WHERE command = 'domain:create' AND result_code = 1000 AND request LIKE '%race.example%'`);
    expect(ok.object_id).toBe('race.example');
  });
});
