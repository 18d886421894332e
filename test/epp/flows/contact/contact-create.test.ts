/**
 * contact:create (RFC 5733 §3.2.1): id rules, int/loc postalInfo (int is 7-bit ASCII), ISO 3166
 * cc, E.164 voice/fax, RFC 5322 e-mail (RST epp-07), authInfo, disclose; info reads it all back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { contactCreateXml, contactInfoXml, tag, tags } from '../../../helpers/xml.js';

const C = NS.contact;

describe('contact:create', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('creates a contact with int and loc postalInfo, voice and fax with extensions; info gives it back exactly', async () => {
    const res = await x.expectCode(x.a, contactCreateXml({
      id: 'full-1', int: { name: 'Jane Roe', org: 'Roe Ltd', street: ['1 High St', 'Floor 2', 'Suite 3'], city: 'Lyon', sp: 'ARA', pc: '69001', cc: 'FR' },
      loc: { name: 'Jeanne Roë', street: ['1 rue Haute'], city: 'Lyon', cc: 'FR' }, voice: '+33.472000000', voiceX: '123', fax: '+33.472000001', faxX: '9',
      email: 'jane@roe.example', pw: 'Full-pw-1', disclose: { flag: 1, fields: ['name:int', 'addr:int', 'email'] },
    }), 1000);
    expect(tag(res, 'contact:id')).toBe('full-1');
    expect(tag(res, 'contact:crDate')).toBe('2026-01-10T12:00:00.000Z');
    const info = await x.expectCode(x.a, contactInfoXml('full-1'), 1000);
    expect(tag(info, 'contact:roid')).toMatch(/^C\d+-REG$/);
    expect(info).toContain('<contact:postalInfo type="int"><contact:name>Jane Roe</contact:name><contact:org>Roe Ltd</contact:org><contact:addr><contact:street>1 High St</contact:street><contact:street>Floor 2</contact:street><contact:street>Suite 3</contact:street><contact:city>Lyon</contact:city><contact:sp>ARA</contact:sp><contact:pc>69001</contact:pc><contact:cc>FR</contact:cc></contact:addr></contact:postalInfo>');
    expect(info).toContain('<contact:postalInfo type="loc"><contact:name>Jeanne Roë</contact:name>');
    expect(info).toContain('<contact:voice x="123">+33.472000000</contact:voice><contact:fax x="9">+33.472000001</contact:fax><contact:email>jane@roe.example</contact:email>');
    expect(tag(info, 'contact:clID')).toBe('reg-a');
    expect(tag(info, 'contact:crID')).toBe('reg-a');
    expect(tag(info, 'contact:pw')).toBe('Full-pw-1');
    expect(info).toContain('<contact:disclose flag="1"><contact:name type="int"/><contact:addr type="int"/><contact:email/></contact:disclose>');
    const [h] = await x.db.query(sql`SELECT snapshot FROM object_history WHERE object_type = 'contact' AND action = 'create' AND snapshot->>'id' = 'full-1'`);
    expect(JSON.stringify(h.snapshot)).not.toContain('Full-pw-1');
  });

  it('accepts a loc-only contact in any script, without voice', async () => {
    await x.expectCode(x.a, contactCreateXml({ id: 'loc-only', int: null, loc: { name: '山田太郎', city: '東京', cc: 'JP' }, voice: '' }), 1000);
    const info = await x.expectCode(x.a, contactInfoXml('loc-only'), 1000);
    expect(tags(info, 'contact:name')).toEqual(['山田太郎']);
    expect(info).not.toContain('contact:voice');
  });

  it('refuses an id that exists (2302) or that we do not accept (2005)', async () => {
    await x.contact(x.a, { id: 'dup-1' });
    await x.fails(x.b, contactCreateXml({ id: 'dup-1' }), 2302, { local: 'id', ns: C, text: 'dup-1' });
    await x.fails(x.a, contactCreateXml({ id: 'has space' }), 2005, { local: 'id', text: 'has space' });
    await x.fails(x.a, contactCreateXml({ id: 'ünicode' }), 2005, { local: 'id' });
  });

  it('refuses two postalInfo of one type (2306) and an "int" one that is not 7-bit ASCII (2005)', async () => {
    await x.fails(x.a, contactCreateXml({ id: 'two-int', extraPostal: { type: 'int', p: { name: 'Other' } } }), 2306, { local: 'postalInfo', attrs: { type: 'int' } });
    await x.fails(x.a, contactCreateXml({ id: 'non-ascii', int: { name: 'Jeanne Roë' } }), 2005, { local: 'name', text: 'Jeanne Roë' });
    await x.fails(x.a, contactCreateXml({ id: 'non-ascii2', int: { city: 'Zürich', cc: 'CH' } }), 2005, { local: 'city', text: 'Zürich' });
  });

  it('refuses a blank name or city (2005) and a cc that is not an ISO 3166-1 alpha-2 code (2005)', async () => {
    await x.fails(x.a, contactCreateXml({ id: 'blank-name', int: { name: ' ' } }), 2005, { local: 'name' });
    await x.fails(x.a, contactCreateXml({ id: 'blank-city', int: { city: ' ' } }), 2005, { local: 'city' });
    for (const cc of ['XX', 'us', 'UK']) await x.fails(x.a, contactCreateXml({ id: `cc-${cc}`, int: { cc } }), 2005, { local: 'cc', text: cc });
  });

  it('refuses voice and fax numbers that are not E.164 (2005; the schema already does for EPP)', async () => {
    await x.fails(x.a, contactCreateXml({ id: 'bad-voice', voice: '+1-555-0100' }), 2005, { local: 'voice' });
    await x.fails(x.a, contactCreateXml({ id: 'bad-fax', fax: '5550100' }), 2005, { local: 'fax' });
    await x.fails(x.a, contactCreateXml({ id: 'long-voice', voice: '+1234.12345678901234' }), 2004, { local: 'voice' });
  });

  it('takes RFC 5322 addresses and refuses others (2005, RST epp-07)', async () => {
    let n = 0;
    for (const ok of ['a@b', 'first.last+tag@sub.example.net', '"john doe"@example.net', "o'hara@example.ie", 'x@[192.0.2.1]']) {
      await x.expectCode(x.a, contactCreateXml({ id: `mail-ok-${++n}`, email: ok }), 1000);
    }
    for (const bad of ['plain', 'two@@example.net', 'a@b@c', '.lead@example.net', 'trail.@example.net', 'do..ts@example.net', 'sp ace@example.net', 'ü@example.net', `${'a'.repeat(65)}@example.net`, '@example.net', 'a@']) {
      await x.fails(x.a, contactCreateXml({ id: `mail-bad-${++n}`, email: bad }), 2005, { local: 'email', text: bad });
    }
  });
});
