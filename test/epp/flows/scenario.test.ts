/**
 * A domain's life end to end over real TLS and Postgres, with both registrars: contacts and
 * hosts, create, update, renew, transfer with poll messages on both sides, and delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultCode } from '../../../src/epp/client.js';
import { NS } from '../../../src/xml/namespaces.js';
import { sql } from '../../../src/db/pool.js';
import { runPass } from '../../../src/jobs/scheduler.js';
import { startHarness, type Harness, type ValidatingClient } from '../../helpers/harness.js';
import {
  contactCreateXml, deleteXml, domainCreateXml, domainInfoXml, domainRenewXml, domainTransferXml, domainUpdateXml, hostCreateXml, hostUpdateXml, pollXml, tag,
} from '../../helpers/xml.js';

const ALL = [NS.domain, NS.host, NS.contact];

describe('a domain from create to delete', () => {
  let h: Harness;
  let a: ValidatingClient;
  let b: ValidatingClient;
  let now = new Date('2026-01-10T12:00:00.000Z');
  beforeAll(async () => {
    h = await startHarness({ clock: () => now });
    a = await h.login('reg-a', { objURIs: ALL, extURIs: [NS.secDNS] });
    b = await h.login('reg-b', { objURIs: ALL });
  });
  afterAll(async () => { await h.close(); });

  it('creates contacts, an external host, the domain and an internal host under it', async () => {
    expect(resultCode(await a.request(contactCreateXml({ id: 'owner-a' })))).toBe(1000);
    expect(resultCode(await a.request(contactCreateXml({ id: 'tech-a' })))).toBe(1000);
    expect(resultCode(await a.request(hostCreateXml('ns1.dns-provider.net')))).toBe(1000);
    const created = await a.request(domainCreateXml({ name: 'life.example', period: 2, ns: ['ns1.dns-provider.net'], registrant: 'owner-a', contacts: [{ type: 'tech', id: 'tech-a' }], pw: 'Transfer-Me-123' }));
    expect(resultCode(created)).toBe(1000);
    expect(tag(created, 'domain:crDate')).toBe('2026-01-10T12:00:00.000Z');
    expect(tag(created, 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    expect(resultCode(await a.request(hostCreateXml('ns1.life.example', ['81.2.69.53', '2a01:4f8::53'])))).toBe(1000);
  });

  it('updates name servers, statuses and DS data; the info shows them', async () => {
    const ds = `<secDNS:update xmlns:secDNS="${NS.secDNS}"><secDNS:add><secDNS:dsData><secDNS:keyTag>12345</secDNS:keyTag><secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType><secDNS:digest>${'AB'.repeat(32)}</secDNS:digest></secDNS:dsData></secDNS:add></secDNS:update>`;
    expect(resultCode(await a.request(domainUpdateXml('life.example', { addNs: ['ns1.life.example'], addStatus: ['clientHold'], ext: ds })))).toBe(1000);
    const info = await a.request(domainInfoXml('life.example'));
    expect(info).toContain('<domain:hostObj>ns1.dns-provider.net</domain:hostObj><domain:hostObj>ns1.life.example</domain:hostObj>');
    expect(info).toContain('<domain:status s="clientHold"/>');
    expect(info).toContain('<domain:host>ns1.life.example</domain:host>');
    expect(info).toContain('<secDNS:keyTag>12345</secDNS:keyTag>');
    expect(info).toContain('<domain:pw>Transfer-Me-123</domain:pw>');
    expect(resultCode(await a.request(domainUpdateXml('life.example', { remStatus: ['clientHold'] })))).toBe(1000);
    // A server status is not the client's to set.
    expect(resultCode(await a.request(domainUpdateXml('life.example', { addStatus: ['serverHold'] })))).toBe(2306);
    // The other registrar cannot touch it.
    expect(resultCode(await b.request(domainUpdateXml('life.example', { addStatus: ['clientHold'] })))).toBe(2201);
  });

  it('renews only with the right curExpDate', async () => {
    expect(resultCode(await a.request(domainRenewXml('life.example', '2027-01-10', 1)))).toBe(2306);
    const renewed = await a.request(domainRenewXml('life.example', '2028-01-10', 1));
    expect(resultCode(renewed)).toBe(1000);
    expect(tag(renewed, 'domain:exDate')).toBe('2029-01-10T12:00:00.000Z');
    expect(resultCode(await a.request(domainRenewXml('life.example', '2029-01-10', 9)))).toBe(2306);
  });

  it('transfers to the other registrar with poll messages on both sides', async () => {
    // Within 60 days of creation the domain is locked against transfer.
    expect(resultCode(await b.request(domainTransferXml('request', 'life.example', 'Transfer-Me-123')))).toBe(2106);
    now = new Date('2026-04-01T00:00:00.000Z');
    expect(resultCode(await b.request(domainTransferXml('request', 'life.example', 'wrong-code')))).toBe(2202);
    const req = await b.request(domainTransferXml('request', 'life.example', 'Transfer-Me-123', 1));
    expect(resultCode(req)).toBe(1001);
    expect(tag(req, 'domain:trStatus')).toBe('pending');
    expect(tag(req, 'domain:acDate')).toBe('2026-04-06T00:00:00.000Z');
    expect(tag(req, 'domain:exDate')).toBe('2030-01-10T12:00:00.000Z');
    expect((await a.request(domainInfoXml('life.example')))).toContain('<domain:status s="pendingTransfer"/>');
    expect(resultCode(await b.request(domainTransferXml('request', 'life.example', 'Transfer-Me-123')))).toBe(2300);
    expect(resultCode(await a.request(domainUpdateXml('life.example', { addStatus: ['clientHold'] })))).toBe(2304);
    expect(resultCode(await b.request(domainTransferXml('approve', 'life.example')))).toBe(2201);

    const pollA = await a.request(pollXml('req'));
    expect(resultCode(pollA)).toBe(1301);
    expect(pollA).toContain('<domain:trStatus>pending</domain:trStatus>');
    const approved = await a.request(domainTransferXml('approve', 'life.example'));
    expect(resultCode(approved)).toBe(1000);
    expect(tag(approved, 'domain:trStatus')).toBe('clientApproved');

    const info = await b.request(domainInfoXml('life.example'));
    expect(tag(info, 'domain:clID')).toBe('reg-b');
    expect(tag(info, 'domain:trDate')).toBe('2026-04-01T00:00:00.000Z');
    expect(tag(info, 'domain:exDate')).toBe('2030-01-10T12:00:00.000Z');
    // The subordinate host followed its domain.
    const [host] = await h.t.db.primary.query(sql`SELECT r.client_id FROM hosts h JOIN registrars r ON r.id = h.sponsor_id WHERE h.name = 'ns1.life.example'`);
    expect(host.client_id).toBe('reg-b');

    // reg-b has two messages (request, approval); reg-a has the approval after the request.
    const first = await b.request(pollXml('req'));
    expect(resultCode(first)).toBe(1301);
    expect(first).toMatch(/<msgQ count="2" id="\d+">/);
    const id = /<msgQ count="\d+" id="(\d+)">/.exec(first)![1]!;
    expect(resultCode(await b.request(pollXml('ack', id)))).toBe(1000);
    expect(await b.request(pollXml('req'))).toContain('<domain:trStatus>clientApproved</domain:trStatus>');
    const idA = /<msgQ count="\d+" id="(\d+)">/.exec(pollA)![1]!;
    expect(resultCode(await a.request(pollXml('ack', idA)))).toBe(1000);
    expect(await a.request(pollXml('req'))).toContain('<domain:trStatus>clientApproved</domain:trStatus>');
  });

  it('deletes: subordinate hosts block it until removed; the name waits in redemption, then is purged', async () => {
    expect(resultCode(await a.request(deleteXml('domain', 'life.example')))).toBe(2201);
    expect(resultCode(await b.request(deleteXml('domain', 'life.example')))).toBe(2305);
    expect(resultCode(await b.request(domainUpdateXml('life.example', { remNs: ['ns1.life.example'] })))).toBe(1000);
    expect(resultCode(await b.request(deleteXml('host', 'ns1.life.example')))).toBe(1000);
    // Outside the add grace period a delete is pending (RFC 3915): redemption, then purge.
    expect(resultCode(await b.request(deleteXml('domain', 'life.example')))).toBe(1001);
    expect(await b.request(domainInfoXml('life.example'))).toContain('<domain:status s="pendingDelete"/>');
    expect(resultCode(await a.request(deleteXml('contact', 'owner-a')))).toBe(2305);
    const purge = await runPass(h.t.db, new Date(now.getTime() + 30 * 86_400_000));
    expect(purge.pendingDelete).toBe(1);
    expect((await runPass(h.t.db, new Date(now.getTime() + 35 * 86_400_000))).purged).toBe(1);
    expect(resultCode(await b.request(domainInfoXml('life.example')))).toBe(2303);
    // Contacts are free again once nothing links them.
    expect(resultCode(await a.request(deleteXml('contact', 'owner-a')))).toBe(1000);
    const history = await h.t.db.primary.query(sql`SELECT action FROM object_history WHERE object_type = 'domain' AND object_roid = (SELECT object_roid FROM object_history WHERE action = 'purge') ORDER BY id`);
    expect(history.map((r: { action: string }) => r.action)).toEqual(['create', 'update', 'update', 'renew', 'transfer-request', 'transfer-clientApproved', 'update', 'delete', 'pending-delete', 'purge']);
  });

  it('renames an external host only when no other registrar uses it', async () => {
    expect(resultCode(await a.request(hostCreateXml('ns.shared.net')))).toBe(1000);
    expect(resultCode(await b.request(contactCreateXml({ id: 'owner-b' })))).toBe(1000);
    now = new Date('2026-04-02T00:00:00.000Z');
    expect(resultCode(await b.request(domainCreateXml({ name: 'uses-shared.example', registrant: 'owner-b', ns: ['ns.shared.net'] })))).toBe(1000);
    expect(resultCode(await a.request(hostUpdateXml('ns.shared.net', { chgName: 'ns.renamed.net' })))).toBe(2305);
  });
});
