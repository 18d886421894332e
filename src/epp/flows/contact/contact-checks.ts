/** Guards shared by the contact flows (RFC 5733). */
import type { PostalInfo } from '../../../proto/index.js';
import { findContact, type ContactRow } from '../../../db/queries/contacts.js';
import type { Queryable } from '../../../db/pool.js';
import { NS } from '../../../xml/namespaces.js';
import { AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError, ParameterValueSyntaxError } from '../../errors.js';

const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.contact, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

export async function loadContact(db: Queryable, id: string, forUpdate = false): Promise<ContactRow> {
  const c = await findContact(db, id, forUpdate);
  if (!c) throw new ObjectDoesNotExistError(`contact ${id} does not exist`, el('id', id));
  return c;
}

/** RFC 5733 §2.3: an "int" postalInfo holds only 7-bit printable ASCII. */
export function validatePostalInfo(p: PostalInfo | undefined, type: 'int' | 'loc'): void {
  if (!p) return;
  if (type === 'int') {
    const values = [p.name, p.org, ...(p.street ?? []), p.city, p.sp, p.pc, p.cc].filter((v): v is string => v !== undefined);
    const bad = values.find((v) => /[^\x20-\x7e]/.test(v));
    if (bad !== undefined) throw new ParameterValueSyntaxError('an "int" postalInfo must be 7-bit ASCII', el('postalInfo', undefined, { type: 'int' }));
  }
  if (!/^[A-Z]{2}$/.test(p.cc)) throw new ParameterValueSyntaxError('cc must be an ISO 3166 alpha-2 code in upper case', el('cc', p.cc));
}

/** A pragmatic RFC 5322 addr-spec check: local@domain with a dot-separated LDH domain. */
export function validateEmail(email: string): void {
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(email) || email.length > 254) {
    throw new ParameterValueSyntaxError('not a valid e-mail address', el('email', email));
  }
}

/**
 * Full contact data goes to the sponsor, or to a client presenting the contact's authInfo
 * (RFC 5733 §3.1.2). Others are refused (2201), a wrong authInfo is 2202 (ICANN RST epp-08).
 */
export function verifyReadAccess(c: ContactRow, registrarId: number, authPw: string | undefined): void {
  if (c.sponsorId === registrarId) return;
  if (authPw === undefined) throw new AuthorizationError('contact is sponsored by another registrar', el('id', c.contactId));
  if (authPw !== c.authPw || c.authPw === '') throw new InvalidAuthInfoError('authInfo does not match', el('id', c.contactId));
}

export function verifySponsor(c: ContactRow, registrarId: number): void {
  if (c.sponsorId !== registrarId) throw new AuthorizationError('contact is sponsored by another registrar', el('id', c.contactId));
}
