/**
 * host:update (RFC 5732 §3.2.5): addresses, statuses, prohibitions, and the rename rules
 * (RST epp-23: invalid name, out of bailiwick, into a missing or another registrar's domain,
 * into one's own; a glue host stays with its domain; a linked external host others use: 2305).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainInfoXml, domainUpdateXml, hostInfoXml, hostUpdateXml, statuses, tag, tags } from '../../../helpers/xml.js';

describe('host:update', () => {
  let x: ObjectsHarness;
  let mine: string;
  let mine2: string;
  let theirs: string;
  const info = async (name: string) => x.expectCode(x.a, hostInfoXml(name), 1000);
  beforeAll(async () => {
    x = await objectsHarness();
    mine = await x.domain(x.a, { name: 'mine.example' });
    mine2 = await x.domain(x.a, { name: 'mine2.example' });
    theirs = await x.domain(x.b, { name: 'theirs.example' });
  });
  afterAll(async () => { await x.close(); });

  it('adds and removes addresses and client statuses', async () => {
    const h = await x.host(x.a, `ns1.${mine}`, ['81.2.69.53']);
    await x.expectCode(x.a, hostUpdateXml(h, { addAddr: ['81.2.69.54', '2a01:4f8::53'], remAddr: ['81.2.69.53'], addStatus: ['clientDeleteProhibited'] }), 1000);
    const res = await info(h);
    expect(tags(res, 'host:addr')).toEqual(['81.2.69.54', '2a01:4f8::53']);
    expect(statuses(res, 'host')).toEqual(['clientDeleteProhibited']);
    await x.expectCode(x.a, hostUpdateXml(h, { remStatus: ['clientDeleteProhibited'] }), 1000);
    expect(statuses(await info(h), 'host')).toEqual(['ok']);
  });

  it('refuses address changes that do not fit (2306 absent/present/external, 2003 last one of an internal host, 2005, private 2306)', async () => {
    const h = await x.host(x.a, `ns2.${mine}`, ['81.2.69.53']);
    await x.fails(x.a, hostUpdateXml(h, { remAddr: ['81.2.69.99'] }), 2306, { local: 'addr', text: '81.2.69.99' });
    await x.fails(x.a, hostUpdateXml(h, { addAddr: ['81.2.69.53'] }), 2306, { local: 'addr', text: '81.2.69.53' });
    await x.fails(x.a, hostUpdateXml(h, { remAddr: ['81.2.69.53'] }), 2003, { local: 'addr', ns: NS.host });
    await x.fails(x.a, hostUpdateXml(h, { addAddr: ['10.0.0.1'] }), 2306, { local: 'addr', text: '10.0.0.1' });
    await x.fails(x.a, hostUpdateXml(h, { addAddr: ['81.2.69.300'] }), 2005, { local: 'addr' });
    const ext = await x.host(x.a, 'ns.ext.net');
    await x.fails(x.a, hostUpdateXml(ext, { addAddr: ['81.2.69.53'] }), 2306, { local: 'addr', text: '81.2.69.53' });
  });

  it('lets clients set only client statuses (2306) and refuses another registrar (2201, RST epp-12) and unknown hosts (2303)', async () => {
    const h = await x.host(x.a, 'ns.statuses.net');
    await x.fails(x.a, hostUpdateXml(h, { addStatus: ['serverUpdateProhibited'] }), 2306, { local: 'status', attrs: { s: 'serverUpdateProhibited' } });
    await x.fails(x.a, hostUpdateXml(h, { addStatus: ['linked'] }), 2306, { local: 'status', attrs: { s: 'linked' } });
    await x.fails(x.a, hostUpdateXml(h, { remStatus: ['clientUpdateProhibited'] }), 2306, { local: 'status' });
    await x.fails(x.b, hostUpdateXml(h, { addStatus: ['clientUpdateProhibited'] }), 2201, { local: 'name', text: h });
    await x.fails(x.a, hostUpdateXml('ns.nowhere.net', { addStatus: ['clientUpdateProhibited'] }), 2303, { local: 'name' });
  });

  it('enforces clientUpdateProhibited (only its removal passes) and serverUpdateProhibited (nothing passes)', async () => {
    const h = await x.host(x.a, `ns3.${mine}`, ['81.2.69.53']);
    await x.expectCode(x.a, hostUpdateXml(h, { addStatus: ['clientUpdateProhibited'] }), 1000);
    await x.fails(x.a, hostUpdateXml(h, { addAddr: ['81.2.69.54'] }), 2304, { local: 'name', text: h });
    await x.fails(x.a, hostUpdateXml(h, { chgName: `ns33.${mine}` }), 2304, { local: 'name' });
    await x.fails(x.a, hostUpdateXml(h, { remStatus: ['clientUpdateProhibited'], addAddr: ['81.2.69.54'] }), 2304, { local: 'name' });
    await x.expectCode(x.a, hostUpdateXml(h, { remStatus: ['clientUpdateProhibited'], addStatus: ['clientDeleteProhibited'] }), 1000);
    await x.db.query(sql`UPDATE hosts SET statuses = '{serverUpdateProhibited}' WHERE name = ${h}`);
    await x.fails(x.a, hostUpdateXml(h, { addStatus: ['clientDeleteProhibited'] }), 2304, { local: 'name' });
  });

  describe('rename', () => {
    it('refuses an invalid new name (2005) and one that exists (2302)', async () => {
      const h = await x.host(x.a, 'ns.old.net');
      await x.host(x.a, 'ns.taken.net');
      await x.fails(x.a, hostUpdateXml(h, { chgName: 'bad_name.net' }), 2005, { local: 'name', text: 'bad_name.net' });
      await x.fails(x.a, hostUpdateXml(h, { chgName: 'ns.taken.net' }), 2302, { local: 'name', text: 'ns.taken.net' });
    });

    it('moves an internal host out of bailiwick when its addresses go in the same command (2306 otherwise)', async () => {
      const h = await x.host(x.a, `out.${mine}`, ['81.2.69.53']);
      await x.fails(x.a, hostUpdateXml(h, { chgName: 'out.elsewhere.net' }), 2306, { local: 'addr', text: '81.2.69.53' });
      await x.expectCode(x.a, hostUpdateXml(h, { chgName: 'out.elsewhere.net', remAddr: ['81.2.69.53'] }), 1000);
      const res = await info('out.elsewhere.net');
      expect(res).not.toContain('host:addr');
      const [row] = await x.db.query(sql`SELECT superordinate_id FROM hosts WHERE name = 'out.elsewhere.net'`);
      expect(row.superordinate_id).toBeNull();
      await x.fails(x.a, hostInfoXml(h), 2303, { local: 'name' });
    });

    it('refuses a move into a domain that does not exist (2305) or that another registrar sponsors (2201)', async () => {
      const h = await x.host(x.a, 'ns.mover.net');
      await x.fails(x.a, hostUpdateXml(h, { chgName: 'ns.nodomain.example', addAddr: ['81.2.69.53'] }), 2305, { local: 'name', text: 'ns.nodomain.example' });
      await x.fails(x.a, hostUpdateXml(h, { chgName: `ns.${theirs}`, addAddr: ['81.2.69.53'] }), 2201, { local: 'name', text: `ns.${theirs}` });
    });

    it('moves an external host into the client\'s own domain with an address in the same command (2003 without)', async () => {
      const h = await x.host(x.a, 'ns.comes-in.net');
      await x.fails(x.a, hostUpdateXml(h, { chgName: `ns.${mine}` }), 2003, { local: 'addr' });
      await x.expectCode(x.a, hostUpdateXml(h, { chgName: `ns.${mine}`, addAddr: ['81.2.69.60'] }), 1000);
      expect(tag(await info(`ns.${mine}`), 'host:addr')).toBe('81.2.69.60');
      const sub = await x.expectCode(x.a, domainInfoXml(mine, { hosts: 'sub' }), 1000);
      expect(tags(sub, 'domain:host')).toContain(`ns.${mine}`);
    });

    it('keeps every association: domains using the host show its new name', async () => {
      const h = await x.host(x.a, `keep.${mine}`, ['81.2.69.61']);
      const user = await x.domain(x.b, { ns: [h] });
      await x.expectCode(x.a, hostUpdateXml(h, { chgName: `keep.${mine2}` }), 1000);
      expect(tags(await x.expectCode(x.b, domainInfoXml(user), 1000), 'domain:hostObj')).toEqual([`keep.${mine2}`]);
      expect(statuses(await info(`keep.${mine2}`), 'host')).toEqual(['ok', 'linked']);
    });

    it('does not take a host out from under its own domain that uses it as glue (2305), but renames it within the domain', async () => {
      const h = await x.host(x.a, `glue.${mine}`, ['81.2.69.62']);
      await x.expectCode(x.a, domainUpdateXml(mine, { addNs: [h] }), 1000);
      await x.fails(x.a, hostUpdateXml(h, { chgName: `glue.${mine2}` }), 2305, { local: 'name', text: `glue.${mine2}` });
      await x.fails(x.a, hostUpdateXml(h, { chgName: 'glue.elsewhere.net', remAddr: ['81.2.69.62'] }), 2305, { local: 'name' });
      await x.expectCode(x.a, hostUpdateXml(h, { chgName: `glue2.${mine}` }), 1000);
      expect(tags(await x.expectCode(x.a, domainInfoXml(mine), 1000), 'domain:hostObj')).toContain(`glue2.${mine}`);
    });

    it('refuses to rename an external host that other registrars\' domains use (2305, RFC 5732 §3.2.5); allows it when only the client\'s own do', async () => {
      const shared = await x.host(x.a, 'ns.shared.net');
      const users = [await x.domain(x.a, { ns: [shared] }), await x.domain(x.b, { ns: [shared] })];
      await x.fails(x.a, hostUpdateXml(shared, { chgName: 'ns.renamed.net' }), 2305, { local: 'name', text: 'ns.shared.net' });
      await x.expectCode(x.b, domainUpdateXml(users[1]!, { remNs: [shared] }), 1000);
      await x.expectCode(x.a, hostUpdateXml(shared, { chgName: 'ns.renamed.net' }), 1000);
      expect(tags(await x.expectCode(x.a, domainInfoXml(users[0]!), 1000), 'domain:hostObj')).toEqual(['ns.renamed.net']);
    });
  });
});
