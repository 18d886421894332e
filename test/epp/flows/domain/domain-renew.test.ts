/** domain:renew (RFC 5731 §3.2.3): curExpDate must match (2306), period range (2004), 10-year cap (2306), prohibitions (2304). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainInfoXml, domainRenewXml, domainTransferXml, domainUpdateXml, tag } from '../../../helpers/xml.js';

describe('domain:renew', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  beforeEach(() => { x.setNow('2026-01-10T12:00:00.000Z'); });
  afterAll(async () => { await x.close(); });

  it('extends the expiry by the period from the current expiry, and answers name and exDate', async () => {
    const name = await x.domain(x.a, { period: 2 });
    x.advanceDays(30);
    const res = await x.expectCode(x.a, domainRenewXml(name, '2028-01-10', 3), 1000);
    expect(tag(res, 'domain:name')).toBe(name);
    expect(tag(res, 'domain:exDate')).toBe('2031-01-10T12:00:00.000Z');
    const info = await x.expectCode(x.a, domainInfoXml(name), 1000);
    expect(tag(info, 'domain:exDate')).toBe('2031-01-10T12:00:00.000Z');
    expect(tag(info, 'domain:upDate')).toBe('2026-02-09T12:00:00.000Z');
    expect(tag(await x.expectCode(x.a, domainRenewXml(name, '2031-01-10'), 1000), 'domain:exDate')).toBe('2032-01-10T12:00:00.000Z');
    expect(tag(await x.expectCode(x.a, domainRenewXml(name, '2032-01-10', { value: 12, unit: 'm' }), 1000), 'domain:exDate')).toBe('2033-01-10T12:00:00.000Z');
    const [{ n }] = await x.db.query(sql`SELECT count(*)::int AS n FROM object_history h JOIN domains d ON d.roid = h.object_roid WHERE d.name = ${name} AND h.action = 'renew'`);
    expect(n).toBe(3);
  });

  it('refuses a curExpDate that is not the current expiry date (2306): a replayed renew does nothing', async () => {
    const name = await x.domain(x.a);
    await x.expectCode(x.a, domainRenewXml(name, '2027-01-10'), 1000);
    await x.fails(x.a, domainRenewXml(name, '2027-01-10'), 2306, { local: 'curExpDate', ns: NS.domain, text: '2027-01-10' });
    expect(tag(await x.expectCode(x.a, domainInfoXml(name), 1000), 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
  });

  it('refuses a period outside 1-10 years (2004) and a renewal ending more than 10 years from now (2306, RST epp-18)', async () => {
    const name = await x.domain(x.a, { period: 5 });
    await x.fails(x.a, domainRenewXml(name, '2031-01-10', 11), 2004, { local: 'period', text: '11', attrs: { unit: 'y' } });
    await x.fails(x.a, domainRenewXml(name, '2031-01-10', { value: 18, unit: 'm' }), 2004, { local: 'period', text: '18', attrs: { unit: 'm' } });
    await x.fails(x.a, domainRenewXml(name, '2031-01-10', 6), 2306, { local: 'period', text: '6' });
    expect(tag(await x.expectCode(x.a, domainRenewXml(name, '2031-01-10', 5), 1000), 'domain:exDate')).toBe('2036-01-10T12:00:00.000Z');
  });

  it('is for the sponsor (2201), of a domain that exists (2303)', async () => {
    const name = await x.domain(x.a);
    await x.fails(x.b, domainRenewXml(name, '2027-01-10'), 2201, { local: 'name', text: name });
    await x.fails(x.a, domainRenewXml('never.example', '2027-01-10'), 2303, { local: 'name', text: 'never.example' });
  });

  it('refuses a renew under clientRenewProhibited, serverRenewProhibited, pendingDelete or pendingTransfer (2304)', async () => {
    const locked = await x.domain(x.a);
    await x.expectCode(x.a, domainUpdateXml(locked, { addStatus: ['clientRenewProhibited'] }), 1000);
    await x.fails(x.a, domainRenewXml(locked, '2027-01-10'), 2304, { local: 'name', text: locked });
    for (const s of ['serverRenewProhibited', 'pendingDelete']) {
      const name = await x.domain(x.a);
      await x.db.query(sql`UPDATE domains SET statuses = ARRAY[${s}] WHERE name = ${name}`);
      await x.fails(x.a, domainRenewXml(name, '2027-01-10'), 2304, { local: 'name' });
    }
    const moving = await x.domain(x.a, { pw: 'Move-me-1' });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${moving}`);
    await x.expectCode(x.b, domainTransferXml('request', moving, 'Move-me-1'), 1001);
    await x.fails(x.a, domainRenewXml(moving, '2027-01-10'), 2304, { local: 'name' });
  });

  it('keeps the end of February when the expiry is 29 February', async () => {
    x.setNow('2028-02-29T08:00:00.000Z');
    const name = await x.domain(x.a);
    expect(tag(await x.expectCode(x.a, domainInfoXml(name), 1000), 'domain:exDate')).toBe('2029-02-28T08:00:00.000Z');
  });
});
