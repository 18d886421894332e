/** contact:update (RFC 5733 §3.2.5): chg fields (validated as on create), statuses, prohibitions, sponsor only (RST epp-08/09). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { contactInfoXml, contactTransferXml, contactUpdateXml, statuses, tag, tags } from '../../../helpers/xml.js';

describe('contact:update', () => {
  let x: ObjectsHarness;
  const info = async (id: string) => x.expectCode(x.a, contactInfoXml(id), 1000);
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('changes postal data, voice, fax, e-mail, authInfo and disclose; records who and when', async () => {
    const id = await x.contact(x.a, { int: { name: 'Old Name', city: 'Old Town', cc: 'US' } });
    x.advanceDays(1);
    await x.expectCode(x.a, contactUpdateXml(id, {
      int: { name: 'New Name', org: 'New Org', street: ['2 New St'], city: 'New Town', pc: '12345', cc: 'CA' }, loc: { name: 'Nouveau Nom', city: 'Montréal', cc: 'CA' },
      voice: '+1.5145550100', voiceX: '77', fax: '+1.5145550101', email: 'new@example.ca', pw: 'New-pw-2', disclose: { flag: 1, fields: ['name:int', 'addr:int', 'email'] },
    }), 1000);
    const res = await info(id);
    expect(res).toContain('<contact:postalInfo type="int"><contact:name>New Name</contact:name><contact:org>New Org</contact:org><contact:addr><contact:street>2 New St</contact:street><contact:city>New Town</contact:city><contact:pc>12345</contact:pc><contact:cc>CA</contact:cc></contact:addr></contact:postalInfo><contact:postalInfo type="loc"><contact:name>Nouveau Nom</contact:name>');
    expect(res).toContain('<contact:voice x="77">+1.5145550100</contact:voice><contact:fax>+1.5145550101</contact:fax><contact:email>new@example.ca</contact:email>');
    expect(tag(res, 'contact:pw')).toBe('New-pw-2');
    expect(tag(res, 'contact:upID')).toBe('reg-a');
    expect(tag(res, 'contact:upDate')).toBe('2026-01-11T12:00:00.000Z');
    expect(res).toContain('<contact:disclose flag="1"><contact:name type="int"/><contact:addr type="int"/><contact:email/></contact:disclose>');
    // Only the name: the address stays; an empty voice removes the number.
    await x.expectCode(x.a, contactUpdateXml(id, { int: { name: 'Newer Name' }, voice: '' }), 1000);
    const after = await info(id);
    expect(tags(after, 'contact:name')).toEqual(['Newer Name', 'Nouveau Nom']);
    expect(tag(after, 'contact:city')).toBe('New Town');
    expect(after).not.toContain('contact:voice');
  });

  it('validates changed fields as create does (2005), and a new postalInfo type must come whole (2003)', async () => {
    const id = await x.contact(x.a);
    await x.fails(x.a, contactUpdateXml(id, { int: { name: 'Zoë' } }), 2005, { local: 'name', text: 'Zoë' });
    await x.fails(x.a, contactUpdateXml(id, { int: { city: 'Town', cc: 'ZZ' } }), 2005, { local: 'cc', text: 'ZZ' });
    await x.fails(x.a, contactUpdateXml(id, { email: 'not-an-address' }), 2005, { local: 'email' });
    await x.fails(x.a, contactUpdateXml(id, { voice: '555' }), 2005, { local: 'voice' });
    await x.fails(x.a, contactUpdateXml(id, { loc: { name: 'Only a name' } }), 2003, { local: 'postalInfo', attrs: { type: 'loc' } });
    await x.fails(x.a, contactUpdateXml(id, { int: { name: 'A' }, intTwice: true }), 2306, { local: 'postalInfo', attrs: { type: 'int' } });
    expect(tag(await info(id), 'contact:name')).toBe('John Doe');
  });

  it('adds and removes client statuses; refuses server ones and double adds (2306)', async () => {
    const id = await x.contact(x.a);
    await x.expectCode(x.a, contactUpdateXml(id, { addStatus: ['clientDeleteProhibited', 'clientTransferProhibited'] }), 1000);
    expect(statuses(await info(id), 'contact')).toEqual(['clientDeleteProhibited', 'clientTransferProhibited']);
    await x.fails(x.a, contactUpdateXml(id, { addStatus: ['clientDeleteProhibited'] }), 2306, { local: 'status', attrs: { s: 'clientDeleteProhibited' } });
    await x.fails(x.a, contactUpdateXml(id, { addStatus: ['serverDeleteProhibited'] }), 2306, { local: 'status', attrs: { s: 'serverDeleteProhibited' } });
    await x.expectCode(x.a, contactUpdateXml(id, { remStatus: ['clientDeleteProhibited', 'clientTransferProhibited'] }), 1000);
    expect(statuses(await info(id), 'contact')).toEqual(['ok']);
  });

  it('is for the sponsor only (2201, RST epp-08) and an existing contact (2303)', async () => {
    const id = await x.contact(x.a);
    await x.fails(x.b, contactUpdateXml(id, { email: 'hijack@example.net' }), 2201, { local: 'id', text: id });
    await x.fails(x.a, contactUpdateXml('nobody-1', { email: 'x@example.net' }), 2303, { local: 'id', text: 'nobody-1' });
  });

  it('enforces clientUpdateProhibited, serverUpdateProhibited and pendingTransfer (2304)', async () => {
    const id = await x.contact(x.a, { pw: 'Lock-pw-1' });
    await x.expectCode(x.a, contactUpdateXml(id, { addStatus: ['clientUpdateProhibited'] }), 1000);
    await x.fails(x.a, contactUpdateXml(id, { email: 'x@example.net' }), 2304, { local: 'id', text: id });
    await x.fails(x.a, contactUpdateXml(id, { remStatus: ['clientUpdateProhibited'], email: 'x@example.net' }), 2304, { local: 'id' });
    await x.expectCode(x.a, contactUpdateXml(id, { remStatus: ['clientUpdateProhibited'], addStatus: ['clientDeleteProhibited'] }), 1000);
    await x.db.query(sql`UPDATE contacts SET statuses = '{serverUpdateProhibited}' WHERE contact_id = ${id}`);
    await x.fails(x.a, contactUpdateXml(id, { email: 'x@example.net' }), 2304, { local: 'id' });
    await x.db.query(sql`UPDATE contacts SET statuses = '{}' WHERE contact_id = ${id}`);
    await x.expectCode(x.b, contactTransferXml('request', id, 'Lock-pw-1'), 1001);
    await x.fails(x.a, contactUpdateXml(id, { email: 'x@example.net' }), 2304, { local: 'id' });
  });
});
