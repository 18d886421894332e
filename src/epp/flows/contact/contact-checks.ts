/** Guards shared by the contact flows (RFC 5733): identifiers, postal data, phone numbers, e-mail, access. */
import type { PostalInfo } from '../../../proto/index.js';
import { findContact, type ContactRow } from '../../../db/queries/contacts.js';
import type { Queryable } from '../../../db/pool.js';
import { isCountryCode } from '../../../registry/country-codes.js';
import { NS } from '../../../xml/namespaces.js';
import { AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError, ParameterValueSyntaxError } from '../../errors.js';

export const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.contact, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

/**
 * Contact identifiers are clIDType (RFC 5733 §2.1: 3-16 characters, which the schema checks);
 * this registry also keeps them to printable ASCII without spaces, so they can be typed,
 * quoted in RDDS output and compared byte for byte.
 */
export function isValidContactId(id: string): boolean {
  return /^[\x21-\x7e]{3,16}$/.test(id);
}

export function validateContactId(id: string): void {
  if (!isValidContactId(id)) throw new ParameterValueSyntaxError('contact ids are 3-16 printable ASCII characters without spaces', el('id', id));
}

export async function loadContact(db: Queryable, id: string, forUpdate = false): Promise<ContactRow> {
  const c = await findContact(db, id, forUpdate);
  if (!c) throw new ObjectDoesNotExistError(`contact ${id} does not exist`, el('id', id));
  return c;
}

/**
 * RFC 5733 §2.3: an "int" postalInfo holds only 7-bit ASCII (printable here); a "loc" one any
 * UTF-8. §2.4.3: cc is an ISO 3166-1 alpha-2 code (RST epp-07 refuses any other). Name and city
 * are required and not blank.
 */
export function validatePostalInfo(p: PostalInfo | undefined, type: 'int' | 'loc'): void {
  if (!p) return;
  if (!p.name.trim()) throw new ParameterValueSyntaxError('a postalInfo needs a name', el('name', p.name));
  if (!p.city.trim()) throw new ParameterValueSyntaxError('an address needs a city', el('city', p.city));
  if (type === 'int') {
    const fields: [string, string | undefined][] = [['name', p.name], ['org', p.org], ...(p.street ?? []).map((s): [string, string] => ['street', s]), ['city', p.city], ['sp', p.sp], ['pc', p.pc]];
    for (const [local, v] of fields) {
      if (v !== undefined && /[^\x20-\x7e]/.test(v)) throw new ParameterValueSyntaxError('an "int" postalInfo must be 7-bit ASCII (use "loc" for other scripts)', el(local, v));
    }
  }
  if (!isCountryCode(p.cc)) throw new ParameterValueSyntaxError('cc must be an ISO 3166-1 alpha-2 country code (upper case)', el('cc', p.cc));
}

/** RFC 5733 §2.5: "+CC.NUMBER", a 1-3 digit country code and up to 14 digits, at most 17 characters. */
export function validatePhone(local: 'voice' | 'fax', number: string | undefined): void {
  if (number === undefined || number === '') return;
  if (!/^\+[0-9]{1,3}\.[0-9]{1,14}$/.test(number) || number.length > 17) {
    throw new ParameterValueSyntaxError(`${local} must be an E.164 number written +CC.NUMBER (RFC 5733 §2.5)`, el(local, number));
  }
}

// RFC 5322 §3.2.3 atext, §3.4.1 addr-spec = local-part "@" domain (no comments or folding).
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const DOT_ATOM = `${ATOM}(?:\\.${ATOM})*`;
const QUOTED = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*"';
const DOMAIN_LITERAL = '\\[[\\x21-\\x5a\\x5e-\\x7e]*\\]';
const ADDR_SPEC = new RegExp(`^(?:${DOT_ATOM}|${QUOTED})@(?:${DOT_ATOM}|${DOMAIN_LITERAL})$`);

/**
 * RFC 5733 §2.6 and RST epp-07/09: an RFC 5322 addr-spec (dot-atom or quoted local part; dot-atom
 * domain or domain literal), within the RFC 5321 §4.5.3.1 limits (64-octet local part, 254 in all).
 */
export function validateEmail(email: string): void {
  const at = email.lastIndexOf('@');
  if (!ADDR_SPEC.test(email) || at > 64 || email.length > 254) {
    throw new ParameterValueSyntaxError('not an RFC 5322 e-mail address', el('email', email));
  }
}

/**
 * Who may read a contact (RFC 5733 §3.1.2): the sponsor sees everything; another client that
 * presents the contact's authInfo sees everything but the authInfo; a wrong authInfo is 2202.
 * Any other client gets only what the disclose policy lets it see ("limited").
 */
export function readAccess(c: ContactRow, registrarId: number, authPw: string | undefined): 'sponsor' | 'authorised' | 'limited' {
  if (c.sponsorId === registrarId) return 'sponsor';
  if (authPw === undefined) return 'limited';
  if (authPw !== c.authPw || c.authPw === '') throw new InvalidAuthInfoError('authInfo does not match', el('pw'));
  return 'authorised';
}

export function verifySponsor(c: ContactRow, registrarId: number): void {
  if (c.sponsorId !== registrarId) throw new AuthorizationError('contact is sponsored by another registrar', el('id', c.contactId));
}
