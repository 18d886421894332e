/**
 * contact:info (RFC 5733 §3.1.2, §2.9): the sponsor sees everything with the authInfo; a client
 * with the authInfo everything but it; any other client only what the contact discloses, or
 * 2201 when that is less than the infData schema requires (RST epp-08). Statuses: ok, linked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { contactInfoXml, contactTransferXml, deleteXml, statuses, tag } from '../../../helpers/xml.js';

describe('contact:info', () => {
  let x: ObjectsHarness;
  const full = { int: { name: 'Jane Roe', org: 'Roe Ltd', city: 'Lyon', cc: 'FR' }, voice: '+33.472000000', fax: '+33.472000001', email: 'jane@roe.example', pw: 'Jane-pw-1' };
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('gives the sponsor everything including the authInfo', async () => {
    const id = await x.contact(x.a, full);
    const res = await x.expectCode(x.a, contactInfoXml(id), 1000);
    expect(statuses(res, 'contact')).toEqual(['ok']);
    expect(tag(res, 'contact:org')).toBe('Roe Ltd');
    expect(tag(res, 'contact:voice')).toBe('+33.472000000');
    expect(tag(res, 'contact:pw')).toBe('Jane-pw-1');
  });

  it('refuses another registrar a contact that discloses nothing (2201, RST epp-08)', async () => {
    const id = await x.contact(x.a, full);
    await x.fails(x.b, contactInfoXml(id), 2201, { local: 'id', text: id });
    const hidden = await x.contact(x.a, { ...full, disclose: { flag: 0, fields: ['voice', 'email'] } });
    await x.fails(x.b, contactInfoXml(hidden), 2201, { local: 'id', text: hidden });
  });

  it('shows another registrar only the disclosed elements (flag="1") and never the authInfo', async () => {
    const id = await x.contact(x.a, { ...full, disclose: { flag: 1, fields: ['name:int', 'addr:int', 'email'] } });
    const res = await x.expectCode(x.b, contactInfoXml(id), 1000);
    expect(tag(res, 'contact:name')).toBe('Jane Roe');
    expect(tag(res, 'contact:city')).toBe('Lyon');
    expect(tag(res, 'contact:email')).toBe('jane@roe.example');
    expect(tag(res, 'contact:clID')).toBe('reg-a');
    expect(res).not.toMatch(/contact:org|contact:voice|contact:fax|contact:authInfo/);
    expect(res).toContain('<contact:disclose flag="1">');
    const more = await x.contact(x.a, { ...full, disclose: { flag: 1, fields: ['name:int', 'org:int', 'addr:int', 'voice', 'email'] } });
    const res2 = await x.expectCode(x.b, contactInfoXml(more), 1000);
    expect(tag(res2, 'contact:org')).toBe('Roe Ltd');
    expect(tag(res2, 'contact:voice')).toBe('+33.472000000');
    expect(res2).not.toMatch(/contact:fax|contact:authInfo/);
    // Name disclosed without the address is not enough for an infData (the schema requires both).
    const half = await x.contact(x.a, { ...full, disclose: { flag: 1, fields: ['name:int', 'email'] } });
    await x.fails(x.b, contactInfoXml(half), 2201, { local: 'id' });
  });

  it('gives a client with the right authInfo everything but the authInfo; a wrong one is 2202', async () => {
    const id = await x.contact(x.a, full);
    const res = await x.expectCode(x.b, contactInfoXml(id, 'Jane-pw-1'), 1000);
    expect(tag(res, 'contact:voice')).toBe('+33.472000000');
    expect(tag(res, 'contact:org')).toBe('Roe Ltd');
    expect(res).not.toContain('contact:authInfo');
    await x.fails(x.b, contactInfoXml(id, 'wrong'), 2202, { local: 'pw' });
  });

  it('derives linked while a domain uses the contact, and pendingTransfer', async () => {
    const id = await x.contact(x.a, full);
    const d = await x.domain(x.a, { registrant: id });
    expect(statuses(await x.expectCode(x.a, contactInfoXml(id), 1000), 'contact')).toEqual(['ok', 'linked']);
    await x.expectCode(x.a, deleteXml('domain', d), 1000);
    expect(statuses(await x.expectCode(x.a, contactInfoXml(id), 1000), 'contact')).toEqual(['ok']);
    await x.expectCode(x.b, contactTransferXml('request', id, 'Jane-pw-1'), 1001);
    expect(statuses(await x.expectCode(x.a, contactInfoXml(id), 1000), 'contact')).toEqual(['pendingTransfer']);
  });

  it('answers 2303 for an unknown id', async () => {
    await x.fails(x.a, contactInfoXml('nobody-1'), 2303, { local: 'id', text: 'nobody-1' });
  });
});
