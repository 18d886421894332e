/** domain:delete (RFC 5731 §3.2.2): by the sponsor; prohibitions (2304); subordinate hosts (2305, or removed by policy). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { deleteXml, domainCheckXml, domainInfoXml, domainTransferXml, domainUpdateXml, hostInfoXml } from '../../../helpers/xml.js';

describe('domain:delete', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('removes the domain with its links and DS data; the name is free and its contacts can go (RST epp-21)', async () => {
    const owner = await x.contact(x.a);
    await x.host(x.a, 'ns.elsewhere.net');
    const name = await x.domain(x.a, { registrant: owner, contacts: [{ type: 'tech', id: owner }], ns: ['ns.elsewhere.net'] });
    await x.expectCode(x.a, deleteXml('domain', name), 1000);
    await x.fails(x.a, domainInfoXml(name), 2303, { local: 'name', text: name });
    expect(await x.a.request(domainCheckXml([name]))).toContain('avail="1"');
    await x.expectCode(x.a, deleteXml('contact', owner), 1000);
    await x.expectCode(x.a, deleteXml('host', 'ns.elsewhere.net'), 1000);
    const history = await x.db.query(sql`SELECT action FROM object_history WHERE object_type = 'domain' AND snapshot->>'name' = ${name} ORDER BY id`);
    expect(history.map((r: { action: string }) => r.action)).toEqual(['create', 'delete', 'purge']);
  });

  it('is for the sponsor (2201), of a domain that exists (2303)', async () => {
    const name = await x.domain(x.a);
    await x.fails(x.b, deleteXml('domain', name), 2201, { local: 'name', text: name });
    await x.fails(x.a, deleteXml('domain', 'never.example'), 2303, { local: 'name', text: 'never.example' });
  });

  it('refuses under clientDeleteProhibited, serverDeleteProhibited, pendingDelete or pendingTransfer (2304)', async () => {
    const locked = await x.domain(x.a);
    await x.expectCode(x.a, domainUpdateXml(locked, { addStatus: ['clientDeleteProhibited'] }), 1000);
    await x.fails(x.a, deleteXml('domain', locked), 2304, { local: 'name', text: locked });
    await x.expectCode(x.a, domainUpdateXml(locked, { remStatus: ['clientDeleteProhibited'] }), 1000);
    await x.expectCode(x.a, deleteXml('domain', locked), 1000);
    for (const s of ['serverDeleteProhibited', 'pendingDelete']) {
      const name = await x.domain(x.a);
      await x.db.query(sql`UPDATE domains SET statuses = ARRAY[${s}] WHERE name = ${name}`);
      await x.fails(x.a, deleteXml('domain', name), 2304, { local: 'name' });
    }
    const moving = await x.domain(x.a, { pw: 'Move-me-1' });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${moving}`);
    await x.expectCode(x.b, domainTransferXml('request', moving, 'Move-me-1'), 1001);
    await x.fails(x.a, deleteXml('domain', moving), 2304, { local: 'name' });
  });

  it('refuses while subordinate hosts exist (2305), until they are deleted', async () => {
    const name = await x.domain(x.a);
    await x.host(x.a, `ns1.${name}`, ['81.2.69.53']);
    await x.fails(x.a, deleteXml('domain', name), 2305, { local: 'name', text: name });
    await x.expectCode(x.a, deleteXml('host', `ns1.${name}`), 1000);
    await x.expectCode(x.a, deleteXml('domain', name), 1000);
  });

  it('with deleteWithSubordinateHosts, removes them too unless another domain uses one (2305)', async () => {
    await x.zone('cascade', { deleteWithSubordinateHosts: true });
    const owner = await x.contact(x.a);
    const name = await x.domain(x.a, { name: 'parent.cascade', registrant: owner });
    await x.host(x.a, 'ns1.parent.cascade', ['81.2.69.53']);
    await x.host(x.a, 'ns2.parent.cascade', ['81.2.69.54']);
    await x.expectCode(x.a, domainUpdateXml(name, { addNs: ['ns1.parent.cascade'] }), 1000);
    const user = await x.domain(x.a, { name: 'user.cascade', registrant: owner, ns: ['ns2.parent.cascade'] });
    await x.fails(x.a, deleteXml('domain', name), 2305, { local: 'name', text: name });
    await x.expectCode(x.a, domainUpdateXml(user, { remNs: ['ns2.parent.cascade'] }), 1000);
    await x.expectCode(x.a, deleteXml('domain', name), 1000);
    await x.fails(x.a, hostInfoXml('ns1.parent.cascade'), 2303, { local: 'name' });
    const gone = await x.db.query(sql`SELECT snapshot->>'name' AS name FROM object_history WHERE object_type = 'host' AND action = 'delete' AND snapshot->>'with' = ${name} ORDER BY id`);
    expect(gone.map((r: { name: string }) => r.name)).toEqual(['ns1.parent.cascade', 'ns2.parent.cascade']);
  });
});
