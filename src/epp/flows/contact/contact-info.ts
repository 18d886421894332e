/** contact:info (RFC 5733 §3.1.2): full data to the sponsor or with the right authInfo. */
import { linkedStatuses } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import type { XmlObj } from '../../../xml/render.js';
import { AuthorizationError, InvalidAuthInfoError, ObjectDoesNotExistError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadContact, verifyReadAccess } from './contact-checks.js';

function postal(type: 'int' | 'loc', p: Record<string, unknown>): XmlObj {
  const addr: XmlObj = {};
  if (Array.isArray(p.street) && p.street.length) addr['contact:street'] = p.street;
  addr['contact:city'] = p.city;
  if (p.sp !== undefined) addr['contact:sp'] = p.sp;
  if (p.pc !== undefined) addr['contact:pc'] = p.pc;
  addr['contact:cc'] = p.cc;
  return { '@_type': type, 'contact:name': p.name, ...(p.org !== undefined ? { 'contact:org': p.org } : {}), 'contact:addr': addr };
}

export const ContactInfoFlow = defineFlow({
  command: 'contact:info',
  objectUri: NS.contact,
  mutating: false,
  errors: [ObjectDoesNotExistError, AuthorizationError, InvalidAuthInfoError],
  async run(ctx, cmd) {
    const q = cmd.contactInfo!;
    const c = await loadContact(ctx.db, q.id);
    verifyReadAccess(c, ctx.registrar.id, q.authPw);
    const inf: XmlObj = {
      '@_xmlns:contact': NS.contact,
      'contact:id': c.contactId,
      'contact:roid': c.roid,
      'contact:status': linkedStatuses(c.statuses, { linked: c.linked, pendingTransfer: c.pendingTransfer }).map((s) => ({ '@_s': s })),
      'contact:postalInfo': [...(c.postalInt ? [postal('int', c.postalInt)] : []), ...(c.postalLoc ? [postal('loc', c.postalLoc)] : [])],
    };
    if (c.voice) inf['contact:voice'] = { ...(c.voiceExt ? { '@_x': c.voiceExt } : {}), '#text': c.voice };
    if (c.fax) inf['contact:fax'] = { ...(c.faxExt ? { '@_x': c.faxExt } : {}), '#text': c.fax };
    inf['contact:email'] = c.email;
    inf['contact:clID'] = c.sponsorClid;
    inf['contact:crID'] = c.creatorClid;
    inf['contact:crDate'] = c.createdAt.toISOString();
    if (c.updaterClid) inf['contact:upID'] = c.updaterClid;
    if (c.updatedAt) inf['contact:upDate'] = c.updatedAt.toISOString();
    if (c.transferredAt) inf['contact:trDate'] = c.transferredAt.toISOString();
    // authInfo is given to the sponsor only (RFC 5733 §3.1.2).
    if (c.sponsorId === ctx.registrar.id) inf['contact:authInfo'] = { 'contact:pw': c.authPw };
    if (c.disclose && c.disclose.fields.length) {
      const d: XmlObj = { '@_flag': c.disclose.flag ? '1' : '0' };
      for (const f of c.disclose.fields) {
        const [name, type] = f.split('_') as [string, string | undefined];
        const entry = type ? { '@_type': type } : '';
        const key = `contact:${name}`;
        d[key] = d[key] ? ([] as unknown[]).concat(d[key], entry) : type ? [entry] : entry;
      }
      inf['contact:disclose'] = d;
    }
    return { resData: { 'contact:infData': inf }, object: { type: 'contact', id: c.contactId } };
  },
});
