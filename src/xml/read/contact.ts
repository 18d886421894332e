/** Readers of contact commands (RFC 5733 §3). */
import type { XmlElement } from 'libxml2-wasm';
import type { PostalInfo } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { attr, child, childrenNamed, elements, text, texts } from '../dom.js';

const C = NS.contact;

function readPostal(el: XmlElement): PostalInfo {
  const addr = child(el, C, 'addr')!;
  const org = text(el, C, 'org');
  const sp = text(addr, C, 'sp');
  const pc = text(addr, C, 'pc');
  return {
    name: text(el, C, 'name')!,
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
    },
  };
});

registerReader('contact:delete', ({ objectEl }) => ({ delete: { id: text(objectEl, C, 'id')! } }));
