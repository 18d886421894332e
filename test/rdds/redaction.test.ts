/** Which contact fields WHOIS and RDAP withhold: zone policy, disclose flags (RFC 5733 §2.9), the strictest policy for registry-wide contacts. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/registry/zone-cache.js';
import { redactedFields, strictestPolicy, viewContact, type RddsPolicy } from '../../src/rdds/redaction.js';
import type { ContactRecord } from '../../src/rdds/data.js';

const contact = (o: Partial<ContactRecord> = {}): ContactRecord => ({
  id: 1, roid: 'C1-REG', contactId: 'c1', sponsorId: 1, statuses: ['ok'], createdAt: new Date(0), email: 'a@b.example',
  postalInt: { name: 'Ann', org: 'Org', street: ['1 St'], city: 'Town', sp: 'ST', pc: '123', cc: 'us' }, voice: '+1.5555550100', ...o,
});
const personal: RddsPolicy = { ...DEFAULT_POLICY };
const open: RddsPolicy = { ...DEFAULT_POLICY, rddsRedaction: 'none' };

describe('redaction', () => {
  it('withholds the personal fields under the default policy, keeping organisation, state and country', () => {
    expect([...redactedFields(contact(), personal)].sort()).toEqual(['city', 'email', 'fax', 'faxExt', 'handle', 'name', 'pc', 'street', 'voice', 'voiceExt']);
    const v = viewContact(contact(), personal);
    expect(v.cc).toBe('US');
    expect(v.sp).toBe('ST');
    expect(v.org).toBe('Org');
    expect(v.redacted.has('org')).toBe(false);
    expect(redactedFields(contact(), { ...personal, rddsRedactOrganization: true }).has('org')).toBe(true);
  });

  it('publishes what a contact consented to (flag=1), matching the postal type shown', () => {
    const c = contact({ disclose: { flag: true, fields: ['name_int', 'addr_int', 'voice', 'email', 'org_loc'] } });
    expect([...redactedFields(c, personal)].sort()).toEqual(['fax', 'faxExt', 'handle']);
    const loc = contact({ postalInt: undefined, postalLoc: { name: 'Анна', street: [], city: 'Город', cc: 'RU' }, disclose: { flag: true, fields: ['name_int'] } });
    expect(redactedFields(loc, personal).has('name')).toBe(true);
    expect(redactedFields({ ...loc, disclose: { flag: true, fields: ['name_loc'] } }, personal).has('name')).toBe(false);
    // Consent is ignored when the zone says so.
    expect(redactedFields(c, { ...personal, rddsHonourDisclose: false }).has('name')).toBe(true);
  });

  it('withholds in an open zone only what a contact asked to withhold (flag=0)', () => {
    expect(redactedFields(contact(), open).size).toBe(0);
    expect([...redactedFields(contact({ disclose: { flag: false, fields: ['email', 'voice'] } }), open)].sort()).toEqual(['email', 'voice', 'voiceExt']);
    expect(redactedFields(contact({ disclose: { flag: true, fields: ['email'] } }), open).size).toBe(0);
    expect(redactedFields(contact({ disclose: { flag: false, fields: ['email'] } }), { ...open, rddsHonourDisclose: false }).size).toBe(0);
  });

  it('points to a contact form, else the registrar, when the email is withheld', () => {
    const form = { ...personal, rddsContactFormUrl: 'https://nic.example/c?d={domain}&r={role}&h={handle}' };
    const v = viewContact(contact(), form, { domain: 'a b.example', role: 'tech', registrarUrl: 'https://r.example' });
    expect(v.contactUri).toBe('https://nic.example/c?d=a%20b.example&r=tech&h=C1-REG');
    expect(v.contactForm).toBe(true);
    const w = viewContact(contact(), personal, { registrarUrl: 'https://r.example' });
    expect(w.contactUri).toBe('https://r.example');
    expect(w.contactForm).toBe(false);
    expect(viewContact(contact(), open, { registrarUrl: 'https://r.example' }).contactUri).toBeUndefined();
  });

  it('uses the strictest zone policy for a contact looked up on its own', () => {
    expect(strictestPolicy([open, personal], DEFAULT_POLICY).rddsRedaction).toBe('personal');
    expect(strictestPolicy([open], DEFAULT_POLICY).rddsRedaction).toBe('none');
    expect(strictestPolicy([], DEFAULT_POLICY)).toEqual(DEFAULT_POLICY);
    expect(strictestPolicy([personal, { ...personal, rddsHonourDisclose: false }], DEFAULT_POLICY).rddsHonourDisclose).toBe(false);
    expect(strictestPolicy([personal, { ...open, rddsRedactOrganization: true }], DEFAULT_POLICY).rddsRedactOrganization).toBe(true);
  });
});
