/** contact:transfer (RFC 5733 §3.1.3, §3.2.4): request with authInfo, query, approve, reject, cancel; poll messages to both. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import type { ValidatingClient } from '../../../helpers/harness.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { contactInfoXml, contactTransferXml, contactUpdateXml, msgQ, pollXml, tag } from '../../../helpers/xml.js';

describe('contact:transfer', () => {
  let x: ObjectsHarness;
  const drain = async (c: ValidatingClient) => {
    const out: string[] = [];
    for (;;) {
      const res = await c.request(pollXml('req'));
      if (res.includes('code="1300"')) return out;
      out.push(tag(res, 'contact:trStatus')!);
      await x.expectCode(c, pollXml('ack', msgQ(res)!.id), 1000);
    }
  };
  beforeAll(async () => { x = await objectsHarness(); });
  beforeEach(async () => { await drain(x.a); await drain(x.b); });
  afterAll(async () => { await x.close(); });

  it('request (1001) then approve: the contact changes sponsor; both registrars are told', async () => {
    const id = await x.contact(x.a, { pw: 'Move-pw-1' });
    const req = await x.expectCode(x.b, contactTransferXml('request', id, 'Move-pw-1'), 1001);
    expect(tag(req, 'contact:id')).toBe(id);
    expect(tag(req, 'contact:trStatus')).toBe('pending');
    expect(tag(req, 'contact:reID')).toBe('reg-b');
    expect(tag(req, 'contact:acID')).toBe('reg-a');
    expect(tag(req, 'contact:acDate')).toBe('2026-01-15T12:00:00.000Z');
    expect(tag(await x.expectCode(x.a, contactTransferXml('query', id), 1000), 'contact:trStatus')).toBe('pending');
    await x.fails(x.b, contactTransferXml('approve', id), 2201, { local: 'id', text: id });
    expect(tag(await x.expectCode(x.a, contactTransferXml('approve', id), 1000), 'contact:trStatus')).toBe('clientApproved');
    const info = await x.expectCode(x.b, contactInfoXml(id), 1000);
    expect(tag(info, 'contact:clID')).toBe('reg-b');
    expect(tag(info, 'contact:trDate')).toBe('2026-01-10T12:00:00.000Z');
    expect(await drain(x.a)).toEqual(['pending', 'clientApproved']);
    expect(await drain(x.b)).toEqual(['pending', 'clientApproved']);
  });

  it('reject keeps the sponsor; cancel is the requester\'s; nothing pending is 2301', async () => {
    const id = await x.contact(x.a, { pw: 'Move-pw-1' });
    await x.fails(x.a, contactTransferXml('approve', id), 2301, { local: 'id' });
    await x.expectCode(x.b, contactTransferXml('request', id, 'Move-pw-1'), 1001);
    expect(tag(await x.expectCode(x.a, contactTransferXml('reject', id), 1000), 'contact:trStatus')).toBe('clientRejected');
    expect(tag(await x.expectCode(x.a, contactInfoXml(id), 1000), 'contact:clID')).toBe('reg-a');
    await x.expectCode(x.b, contactTransferXml('request', id, 'Move-pw-1'), 1001);
    await x.fails(x.a, contactTransferXml('cancel', id), 2201, { local: 'id' });
    expect(tag(await x.expectCode(x.b, contactTransferXml('cancel', id), 1000), 'contact:trStatus')).toBe('clientCancelled');
    await x.fails(x.b, contactTransferXml('cancel', id), 2301, { local: 'id' });
    expect(await drain(x.a)).toEqual(['pending', 'clientRejected', 'pending', 'clientCancelled']);
  });

  it('refuses a request by the sponsor (2106), without authInfo (2003), with a wrong one (2202), twice (2300), when prohibited (2304)', async () => {
    const id = await x.contact(x.a, { pw: 'Move-pw-1' });
    await x.fails(x.a, contactTransferXml('request', id, 'Move-pw-1'), 2106, { local: 'id', text: id });
    await x.fails(x.b, contactTransferXml('request', id), 2003, { local: 'authInfo', ns: NS.contact });
    await x.fails(x.b, contactTransferXml('request', id, 'wrong'), 2202, { local: 'pw' });
    await x.expectCode(x.b, contactTransferXml('request', id, 'Move-pw-1'), 1001);
    await x.fails(x.b, contactTransferXml('request', id, 'Move-pw-1'), 2300, { local: 'id' });
    const locked = await x.contact(x.a, { pw: 'Move-pw-1' });
    await x.expectCode(x.a, contactUpdateXml(locked, { addStatus: ['clientTransferProhibited'] }), 1000);
    await x.fails(x.b, contactTransferXml('request', locked, 'Move-pw-1'), 2304, { local: 'id', text: locked });
    const server = await x.contact(x.a, { pw: 'Move-pw-1' });
    await x.db.query(sql`UPDATE contacts SET statuses = '{serverTransferProhibited}' WHERE contact_id = ${server}`);
    await x.fails(x.b, contactTransferXml('request', server, 'Move-pw-1'), 2304, { local: 'id', text: server });
    await x.fails(x.b, contactTransferXml('request', 'nobody-1', 'x'), 2303, { local: 'id' });
  });

  it('query: 2002 with no transfer; another registrar needs the authInfo (2201 / 2202)', async () => {
    const id = await x.contact(x.a, { pw: 'Move-pw-1' });
    await x.fails(x.a, contactTransferXml('query', id), 2002, { local: 'id', text: id });
    await x.fails(x.b, contactTransferXml('query', id), 2201, { local: 'id' });
    await x.fails(x.b, contactTransferXml('query', id, 'wrong'), 2202, { local: 'pw' });
    await x.fails(x.b, contactTransferXml('query', id, 'Move-pw-1'), 2002, { local: 'id' });
  });
});
