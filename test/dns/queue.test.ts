/**
 * The change queue: written by triggers in the same transaction as the change, one coalesced row
 * per affected name; changes that do not alter the zone (renewal, contact changes) queue nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { domainRenewXml, domainUpdateXml, hostUpdateXml } from '../helpers/xml.js';

describe('dns_changes written by triggers', () => {
  let h: Harness;
  let a: ValidatingClient;
  const ok = async (xml: string) => expect(resultCode(await a.request(xml))).toBe(1000);
  const queued = async () => (await h.t.db.primary.query(sql`SELECT name FROM dns_changes ORDER BY name`)).map((r: { name: string }) => r.name);
  const clear = () => h.t.db.primary.query(sql`DELETE FROM dns_changes`);

  beforeAll(async () => {
    h = await startHarness({ clock: () => new Date('2026-03-01T00:00:00Z') });
    a = await h.login('reg-a', { objURIs: [NS.domain, NS.host, NS.contact] });
    await ok(contactCreateXml({ id: 'owner-a' }));
    await ok(contactCreateXml({ id: 'tech-a' }));
    await ok(hostCreateXml({ name: 'ns.provider.net' }));
  });
  afterAll(async () => { await a?.close(); await h?.close(); });

  it('a new zone queues its apex', async () => {
    expect(await queued()).toEqual(['example']);
    await clear();
  });

  it('a create with name servers queues the domain once, in the same transaction', async () => {
    await ok(domainCreateXml({ name: 'q1.example', ns: ['ns.provider.net'], registrant: 'owner-a' }));
    expect(await queued()).toEqual(['q1.example']);
    const [r] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM dns_changes`);
    expect(r.n).toBe(1);
  });

  it('a failed command queues nothing', async () => {
    await clear();
    expect(resultCode(await a.request(domainCreateXml({ name: 'q1.example', ns: ['ns.provider.net'], registrant: 'owner-a' })))).toBe(2302);
    expect(resultCode(await a.request(domainUpdateXml('q1.example', { addNs: ['no-such-host.net'] })))).toBe(2303);
    expect(await queued()).toEqual([]);
  });

  it('renewals and contact changes do not touch the zone', async () => {
    await ok(domainRenewXml('q1.example', '2027-03-01', 1));
    await ok(domainUpdateXml('q1.example', { addContacts: [{ type: 'tech', id: 'tech-a' }] }));
    expect(await queued()).toEqual([]);
  });

  it('statuses, glue addresses and host renames queue the domains they affect', async () => {
    await ok(domainUpdateXml('q1.example', { addStatus: ['clientHold'] }));
    expect(await queued()).toEqual(['q1.example']);
    await clear();
    await ok(hostCreateXml({ name: 'ns1.q1.example', addrs: [{ ip: '81.2.69.3' }] }));
    expect(await queued()).toEqual(['q1.example']);
    await clear();
    await ok(domainCreateXml({ name: 'q2.example', ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await ok(domainCreateXml({ name: 'q3.example', ns: ['ns.provider.net'], registrant: 'owner-a' }));
    await clear();
    await ok(hostUpdateXml('ns.provider.net', { chgName: 'ns0.provider.net' }));
    expect(await queued()).toEqual(['q1.example', 'q2.example', 'q3.example']);
  });

  it('repeated changes coalesce into one row whose seq moves on', async () => {
    await clear();
    await ok(domainUpdateXml('q2.example', { addStatus: ['clientHold'] }));
    const [first] = await h.t.db.primary.query(sql`SELECT seq, queued_at FROM dns_changes WHERE name = 'q2.example'`);
    await ok(domainUpdateXml('q2.example', { remStatus: ['clientHold'] }));
    const rows = await h.t.db.primary.query(sql`SELECT seq, queued_at FROM dns_changes WHERE name = 'q2.example'`);
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].seq)).toBeGreaterThan(Number(first.seq));
    // The oldest unpublished change keeps its time: the latency and the alarm count from it.
    expect(rows[0].queued_at.getTime()).toBe(first.queued_at.getTime());
  });
});
