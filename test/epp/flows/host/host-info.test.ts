/** host:info (RFC 5732 §3.1.2): open to every registrar; ok/linked derived; sponsor follows the superordinate domain. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainUpdateXml, hostInfoXml, hostUpdateXml, statuses, tag } from '../../../helpers/xml.js';

describe('host:info', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('shows name, roid, statuses, addresses, sponsor, creator and dates to any registrar', async () => {
    const parent = await x.domain(x.a);
    await x.host(x.a, `ns1.${parent}`, ['81.2.69.53']);
    for (const c of [x.a, x.b]) {
      const res = await x.expectCode(c, hostInfoXml(`ns1.${parent}`), 1000);
      expect(tag(res, 'host:name')).toBe(`ns1.${parent}`);
      expect(tag(res, 'host:roid')).toMatch(/^H\d+-REG$/);
      expect(statuses(res, 'host')).toEqual(['ok']);
      expect(tag(res, 'host:addr')).toBe('81.2.69.53');
      expect(tag(res, 'host:clID')).toBe('reg-a');
      expect(tag(res, 'host:crID')).toBe('reg-a');
      expect(tag(res, 'host:crDate')).toBe('2026-01-10T12:00:00.000Z');
      expect(res).not.toMatch(/host:upID|host:upDate|host:trDate/);
    }
  });

  it('adds linked while a domain uses the host; ok goes away when another status is set', async () => {
    await x.host(x.a, 'ns.linked.net');
    const user = await x.domain(x.b, { ns: ['ns.linked.net'] });
    expect(statuses(await x.expectCode(x.a, hostInfoXml('ns.linked.net'), 1000), 'host')).toEqual(['ok', 'linked']);
    x.advanceDays(1);
    await x.expectCode(x.a, hostUpdateXml('ns.linked.net', { addStatus: ['clientDeleteProhibited'] }), 1000);
    const res = await x.expectCode(x.a, hostInfoXml('ns.linked.net'), 1000);
    expect(statuses(res, 'host')).toEqual(['clientDeleteProhibited', 'linked']);
    expect(tag(res, 'host:upID')).toBe('reg-a');
    expect(tag(res, 'host:upDate')).toBe('2026-01-11T12:00:00.000Z');
    await x.expectCode(x.b, domainUpdateXml(user, { remNs: ['ns.linked.net'] }), 1000);
    expect(statuses(await x.expectCode(x.a, hostInfoXml('ns.linked.net'), 1000), 'host')).toEqual(['clientDeleteProhibited']);
  });

  it('answers 2303 for an unknown host and 2005 for a malformed name', async () => {
    await x.fails(x.a, hostInfoXml('ns.nowhere.net'), 2303, { local: 'name', text: 'ns.nowhere.net' });
    await x.fails(x.a, hostInfoXml('bad_host.net'), 2005, { local: 'name', text: 'bad_host.net' });
  });
});
