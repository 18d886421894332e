/** contact:delete (RFC 5733 §3.2.2): by the sponsor; not while linked (2305, RST epp-15), prohibited or pending transfer (2304). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { contactInfoXml, contactTransferXml, contactUpdateXml, deleteXml, domainUpdateXml } from '../../../helpers/xml.js';

describe('contact:delete', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('deletes an unlinked contact', async () => {
    const id = await x.contact(x.a);
    await x.expectCode(x.a, deleteXml('contact', id), 1000);
    await x.fails(x.a, contactInfoXml(id), 2303, { local: 'id' });
  });

  it('refuses while a domain links it as registrant or as a contact (2305)', async () => {
    const owner = await x.contact(x.a);
    const tech = await x.contact(x.a);
    const d = await x.domain(x.a, { registrant: owner, contacts: [{ type: 'tech', id: tech }] });
    await x.fails(x.a, deleteXml('contact', owner), 2305, { local: 'id', text: owner });
    await x.fails(x.a, deleteXml('contact', tech), 2305, { local: 'id', text: tech });
    await x.expectCode(x.a, domainUpdateXml(d, { remContacts: [{ type: 'tech', id: tech }] }), 1000);
    await x.expectCode(x.a, deleteXml('contact', tech), 1000);
  });

  it('is for the sponsor (2201), of an existing contact (2303), not prohibited (2304) nor pending transfer (2304)', async () => {
    const id = await x.contact(x.a, { pw: 'Del-pw-1' });
    await x.fails(x.b, deleteXml('contact', id), 2201, { local: 'id', text: id });
    await x.fails(x.a, deleteXml('contact', 'nobody-1'), 2303, { local: 'id', text: 'nobody-1' });
    await x.expectCode(x.a, contactUpdateXml(id, { addStatus: ['clientDeleteProhibited'] }), 1000);
    await x.fails(x.a, deleteXml('contact', id), 2304, { local: 'id' });
    await x.db.query(sql`UPDATE contacts SET statuses = '{serverDeleteProhibited}' WHERE contact_id = ${id}`);
    await x.fails(x.a, deleteXml('contact', id), 2304, { local: 'id' });
    await x.db.query(sql`UPDATE contacts SET statuses = '{}' WHERE contact_id = ${id}`);
    await x.expectCode(x.b, contactTransferXml('request', id, 'Del-pw-1'), 1001);
    await x.fails(x.a, deleteXml('contact', id), 2304, { local: 'id' });
  });
});
