/** Readers of contact commands (RFC 5733 §3). */
import type { XmlElement } from 'libxml2-wasm';
import type { PostalInfo } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { attr, child, childrenNamed, elements, text, texts } from '../dom.js';

const C = NS.contact;

/** postalInfo → PostalInfo; in an update's chg, name may be absent (only the address changes). */
function readPostal(el: XmlElement): PostalInfo {
  const addr = child(el, C, 'addr')!;
  const org = text(el, C, 'org');
  const sp = text(addr, C, 'sp');
  const pc = text(addr, C, 'pc');
  return {
    name: text(el, C, 'name') ?? '',
    ...(org !== undefined ? { org } : {}),
    street: texts(addr, C, 'street'),
    city: text(addr, C, 'city')!,
    ...(sp !== undefined ? { sp } : {}),
    ...(pc !== undefined ? { pc } : {}),
    cc: text(addr, C, 'cc')!,
  };
}

/** disclose children: name/org/addr carry a type (int|loc); voice, fax, email do not. */
export function readDisclose(el: XmlElement | undefined): { flag: boolean; fields: string[] } | undefined {
  if (!el) return undefined;
  const fields = elements(el).map((f) => (['name', 'org', 'addr'].includes(f.name) ? `${f.name}_${attr(f, 'type') ?? 'int'}` : f.name));
  return { flag: attr(el, 'flag') === '1' || attr(el, 'flag') === 'true', fields };
}

registerReader('contact:info', ({ objectEl }) => {
  const ai = child(objectEl, C, 'authInfo');
  const pw = ai ? text(ai, C, 'pw') : undefined;
  return { contactInfo: { id: text(objectEl, C, 'id')!, ...(pw !== undefined ? { authPw: pw } : {}) } };
});

registerReader('contact:create', ({ objectEl }) => {
  const postal = childrenNamed(objectEl, C, 'postalInfo');
  const pInt = postal.find((p) => attr(p, 'type') === 'int');
  const pLoc = postal.find((p) => attr(p, 'type') === 'loc');
  const voice = child(objectEl, C, 'voice');
  const fax = child(objectEl, C, 'fax');
  const ai = child(objectEl, C, 'authInfo');
  const disclose = readDisclose(child(objectEl, C, 'disclose'));
  const vx = voice ? attr(voice, 'x') : undefined;
  const fx = fax ? attr(fax, 'x') : undefined;
  return {
    contactCreate: {
      id: text(objectEl, C, 'id')!,
      ...(pInt ? { postalInt: readPostal(pInt) } : {}),
      ...(pLoc ? { postalLoc: readPostal(pLoc) } : {}),
      ...(voice ? { voice: voice.content.trim() } : {}),
      ...(vx ? { voiceExt: vx } : {}),
      ...(fax ? { fax: fax.content.trim() } : {}),
      ...(fx ? { faxExt: fx } : {}),
      email: text(objectEl, C, 'email')!.trim(),
      authPw: (ai ? text(ai, C, 'pw') : undefined) ?? '',
      ...(disclose ? { disclose } : {}),
      postalTypes: postal.map((p) => attr(p, 'type')!),
    },
  };
});

registerReader('contact:delete', ({ objectEl }) => ({ delete: { id: text(objectEl, C, 'id')! } }));

registerReader('contact:update', ({ objectEl }) => {
  const statuses = (el: XmlElement | undefined) => (el ? childrenNamed(el, C, 'status').map((s) => ({ s: attr(s, 's')! })) : []);
  const chg = child(objectEl, C, 'chg');
  const body: NonNullable<import('../../proto/index.js').Command['contactUpdate']> = {
    id: text(objectEl, C, 'id')!,
    addStatuses: statuses(child(objectEl, C, 'add')),
    remStatuses: statuses(child(objectEl, C, 'rem')),
  };
  if (chg) {
    body.chgPostal = childrenNamed(chg, C, 'postalInfo').map((p) => {
      const addr = child(p, C, 'addr');
      const name = text(p, C, 'name');
      const org = text(p, C, 'org');
      return {
        type: attr(p, 'type') as 'int',
        ...(name !== undefined ? { name } : {}),
        ...(org !== undefined ? { org } : {}),
        ...(addr ? { addr: readPostal(p) } : {}),
      };
    });
    const voice = child(chg, C, 'voice');
    const fax = child(chg, C, 'fax');
    const email = text(chg, C, 'email');
    const ai = child(chg, C, 'authInfo');
    const pw = ai ? text(ai, C, 'pw') : undefined;
    const disclose = readDisclose(child(chg, C, 'disclose'));
    if (voice) { body.chgVoice = voice.content.trim(); const x = attr(voice, 'x'); if (x) body.chgVoiceExt = x; }
    if (fax) { body.chgFax = fax.content.trim(); const x = attr(fax, 'x'); if (x) body.chgFaxExt = x; }
    if (email !== undefined) body.chgEmail = email.trim();
    if (pw !== undefined) body.chgAuthPw = pw;
    if (disclose) body.chgDisclose = disclose;
  }
  return { contactUpdate: body };
});

registerReader('contact:transfer', ({ objectEl, commandEl }) => {
  const ai = child(objectEl, C, 'authInfo');
  const pw = ai ? text(ai, C, 'pw') : undefined;
  return { transfer: { op: attr(commandEl, 'op') as 'request', id: text(objectEl, C, 'id')!, ...(pw !== undefined ? { authPw: pw } : {}) } };
});
