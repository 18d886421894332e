/**
 * contact:info (RFC 5733 §3.1.2). The sponsor gets everything, with the authInfo; a client that
 * presents the right authInfo gets everything but the authInfo (a wrong one is 2202).
 *
 * Any other client gets only what the disclose policy allows (RFC 5733 §2.9). This registry's
 * policy (the greeting's <dcp>) is to collect contact data for provisioning and withhold every
 * personal element from third parties unless the contact's <contact:disclose flag="1"> names
 * it; flag="0" lists only restate that default. The infData schema requires a name, an address
 * and an e-mail address, so a contact that discloses less cannot be shown at all: the answer is
 * then 2201, as ICANN RST epp-08 expects for another registrar's contact.
 */
import type { ContactRow } from '../../../db/queries/contacts.js';
import { linkedStatuses } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import type { XmlObj } from '../../../xml/render.js';
import { AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, loadContact, readAccess } from './contact-checks.js';

type Postal = Record<string, unknown>;

function postal(type: 'int' | 'loc', p: Postal, show: { org: boolean }): XmlObj {
  const addr: XmlObj = {};
  if (Array.isArray(p.street) && p.street.length) addr['contact:street'] = p.street;
  addr['contact:city'] = p.city;
  if (p.sp !== undefined) addr['contact:sp'] = p.sp;
  if (p.pc !== undefined) addr['contact:pc'] = p.pc;
  addr['contact:cc'] = p.cc;
  return { '@_type': type, 'contact:name': p.name, ...(p.org !== undefined && show.org ? { 'contact:org': p.org } : {}), 'contact:addr': addr };
}

/** Which elements a client without access may see: those the contact's disclose flag="1" names. */
function disclosed(c: ContactRow): (field: string) => boolean {
  const fields = c.disclose?.flag ? new Set(c.disclose.fields) : new Set<string>();
  return (field) => fields.has(field);
}

function discloseElement(c: ContactRow): XmlObj | undefined {
  if (!c.disclose || c.disclose.fields.length === 0) return undefined;
  // Children in schema order (name, org, addr per type, then voice, fax, email), as stored.
  const d: XmlObj = { '@_flag': c.disclose.flag ? '1' : '0' };
  for (const f of c.disclose.fields) {
    const [name, type] = f.split('_') as [string, string | undefined];
    const key = `contact:${name}`;
    d[key] = type ? [...((d[key] as unknown[] | undefined) ?? []), { '@_type': type }] : '';
  }
  return d;
}

export const ContactInfoFlow = defineFlow({
  command: 'contact:info',
  objectUri: NS.contact,
  mutating: false,
  errors: [ObjectDoesNotExistError, AuthorizationError, InvalidAuthInfoError],
  async run(ctx, cmd) {
    const q = cmd.contactInfo!;
    const c = await loadContact(ctx.db, q.id);
    const access = readAccess(c, ctx.registrar.id, q.authPw);
    const show = access === 'limited' ? disclosed(c) : () => true;
    const postals = (['int', 'loc'] as const).flatMap((type) => {
      const p = type === 'int' ? c.postalInt : c.postalLoc;
      return p && show(`name_${type}`) && show(`addr_${type}`) ? [postal(type, p, { org: show(`org_${type}`) })] : [];
    });
    if (postals.length === 0 || !show('email')) {
      throw new AuthorizationError('this contact\'s data is not disclosed to other registrars; present its authInfo', el('id', c.contactId));
    }
    const inf: XmlObj = {
      '@_xmlns:contact': NS.contact,
      'contact:id': c.contactId,
      'contact:roid': c.roid,
      'contact:status': linkedStatuses(c.statuses, { linked: c.linked, pendingTransfer: c.pendingTransfer }).map((s) => ({ '@_s': s })),
      'contact:postalInfo': postals,
    };
    if (c.voice && show('voice')) inf['contact:voice'] = { ...(c.voiceExt ? { '@_x': c.voiceExt } : {}), '#text': c.voice };
    if (c.fax && show('fax')) inf['contact:fax'] = { ...(c.faxExt ? { '@_x': c.faxExt } : {}), '#text': c.fax };
    inf['contact:email'] = c.email;
    inf['contact:clID'] = c.sponsorClid;
    inf['contact:crID'] = c.creatorClid;
    inf['contact:crDate'] = c.createdAt.toISOString();
    if (c.updaterClid) inf['contact:upID'] = c.updaterClid;
    if (c.updatedAt) inf['contact:upDate'] = c.updatedAt.toISOString();
    if (c.transferredAt) inf['contact:trDate'] = c.transferredAt.toISOString();
    // "This element MUST NOT be provided if the querying client is not the current sponsoring client."
    if (access === 'sponsor') inf['contact:authInfo'] = { 'contact:pw': c.authPw };
    const disclose = discloseElement(c);
    if (disclose) inf['contact:disclose'] = disclose;
    return { resData: { 'contact:infData': inf }, object: { type: 'contact', id: c.contactId } };
  },
});
