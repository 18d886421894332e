/** From bytes to an RFC 5730 result code: well-formedness, forbidden markup, schema failures by kind and by position. */
import { describe, expect, it } from 'vitest';
import { forbiddenMarkup, parseAndValidate } from '../../src/xml/validate.js';
import { loginXml } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';

const E = `xmlns="${NS.epp}"`;
const outcome = (xml: string | Buffer) => {
  const v = parseAndValidate(typeof xml === 'string' ? Buffer.from(xml) : xml);
  if (v.ok) { v.doc.dispose(); return { code: 0, element: undefined }; }
  return { code: v.failure.code, element: v.failure.values?.[0]?.element, reason: v.failure.values?.[0]?.reason };
};
const login = (over: Partial<Parameters<typeof loginXml>[0]> = {}) => loginXml({ clID: 'reg-a', pw: 'Secret-a-123', objURIs: [NS.domain], ...over });

describe('parseAndValidate', () => {
  it('accepts a valid command, with or without an XML declaration or a UTF-8 BOM', () => {
    expect(outcome(login()).code).toBe(0);
    expect(outcome(`<epp ${E}><hello/></epp>`).code).toBe(0);
    expect(outcome(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><epp ${E}><hello/></epp>`)])).code).toBe(0);
  });

  it('answers 2001 for XML that is not well-formed, naming the line', () => {
    const o = outcome(`<epp ${E}>\n<hello>\n</epp>`);
    expect(o.code).toBe(2001);
    expect(o.reason).toMatch(/not well-formed \(line \d\)/);
  });

  it.each([
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE epp><epp ${E}><hello/></epp>`],
    ['an external entity (XXE)', `<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY x SYSTEM "file:///etc/passwd">]><epp ${E}><hello/></epp>`],
    ['an entity declaration without a DOCTYPE keyword match', `<epp ${E}><!ENTITY x "y"><hello/></epp>`],
    ['a processing instruction', `<?xml version="1.0"?><?xml-stylesheet href="x"?><epp ${E}><hello/></epp>`],
    ['an XML declaration that is not first', `<epp ${E}><?xml version="1.0"?><hello/></epp>`],
  ])('refuses %s with 2001 before parsing', (_what, xml) => {
    expect(forbiddenMarkup(Buffer.from(xml))).toBeDefined();
    expect(outcome(xml).code).toBe(2001);
  });

  it('maps schema failures by kind: 2003 missing, 2004 range, 2005 syntax, 2100 version', () => {
    expect(outcome(`<epp ${E}><command><login><clID>reg-a</clID><options><version>1.0</version><lang>en</lang></options><svcs><objURI>${NS.domain}</objURI></svcs></login></command></epp>`).code).toBe(2003);
    const short = outcome(login({ clID: 'ab' }));
    expect(short.code).toBe(2004);
    expect(short.element).toEqual({ ns: NS.epp, local: 'clID', text: 'ab' });
    expect(outcome(login().replace('<lang>en</lang>', '<lang>not a language!</lang>')).code).toBe(2005);
    const v = outcome(login().replace('<version>1.0</version>', '<version>2.0</version>'));
    expect(v.code).toBe(2100);
    expect(v.element).toEqual({ ns: NS.epp, local: 'version', text: '2.0' });
  });

  it('maps schema failures by position: 2000 unknown command, 2103 unknown extension, 2307 unknown object service', () => {
    expect(outcome(`<epp ${E}><command><frobnicate/><clTRID>ABC-1</clTRID></command></epp>`).code).toBe(2000);
    // An extra element after a valid verb is a syntax error, not an unknown command.
    expect(outcome(`<epp ${E}><command><logout/><frobnicate/></command></epp>`).code).toBe(2001);
    // Not inside <command>: not a command at all.
    expect(outcome(`<epp ${E}><frobnicate/></epp>`).code).toBe(2001);
    const ext = outcome(`<epp ${E}><command><logout/><extension><x:thing xmlns:x="urn:example:ext-1.0"/></extension></command></epp>`);
    expect(ext.code).toBe(2103);
    expect(ext.element).toMatchObject({ ns: 'urn:example:ext-1.0', local: 'thing' });
    expect(outcome(`<epp ${E}><command><check><x:check xmlns:x="urn:example:obj-1.0"><x:id>a</x:id></x:check></check></command></epp>`).code).toBe(2307);
    // A served object namespace with an element its schema does not define stays a syntax error.
    expect(outcome(`<epp ${E}><command><renew><host:renew xmlns:host="${NS.host}"/></renew></command></epp>`).code).toBe(2001);
  });

  it('answers 2001 for a root element in another namespace', () => {
    expect(outcome('<epp xmlns="urn:example:not-epp"><hello/></epp>').code).toBe(2001);
  });
});
