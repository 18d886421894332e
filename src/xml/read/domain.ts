/** Readers of domain commands (RFC 5731 §3) and the secDNS-1.1 create extension (RFC 5910 §5.2.1). */
import type { XmlElement } from 'libxml2-wasm';
import type { ContactLink, DsData, SecDnsCreate } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { attr, child, childrenNamed, text, texts } from '../dom.js';

function authPw(el: XmlElement, ns: string): string | undefined {
  const ai = child(el, ns, 'authInfo');
  return ai ? text(ai, ns, 'pw') : undefined;
}

export function readDsData(el: XmlElement): DsData {
  return {
    keyTag: Number(text(el, NS.secDNS, 'keyTag')),
    alg: Number(text(el, NS.secDNS, 'alg')),
    digestType: Number(text(el, NS.secDNS, 'digestType')),
    digest: text(el, NS.secDNS, 'digest')!.replace(/\s+/g, '').toUpperCase(),
  };
}

function readSecDnsCreate(extensions: XmlElement[]): SecDnsCreate | undefined {
  const el = extensions.find((e) => e.namespaceUri === NS.secDNS && e.name === 'create');
  if (!el) return undefined;
  const msl = text(el, NS.secDNS, 'maxSigLife');
  return {
    ds: childrenNamed(el, NS.secDNS, 'dsData').map(readDsData),
    ...(msl !== undefined ? { maxSigLife: Number(msl) } : {}),
    keyData: childrenNamed(el, NS.secDNS, 'keyData').length > 0,
  };
}

registerReader('domain:info', ({ objectEl }) => {
  const nameEl = child(objectEl, NS.domain, 'name')!;
  const pw = authPw(objectEl, NS.domain);
  return { domainInfo: { name: nameEl.content, hosts: (attr(nameEl, 'hosts') ?? 'all') as 'all', ...(pw !== undefined ? { authPw: pw } : {}) } };
});

registerReader('domain:create', ({ objectEl, extensions }) => {
  const periodEl = child(objectEl, NS.domain, 'period');
  const nsEl = child(objectEl, NS.domain, 'ns');
  const registrant = text(objectEl, NS.domain, 'registrant');
  const contacts: ContactLink[] = childrenNamed(objectEl, NS.domain, 'contact').map((c) => ({ type: attr(c, 'type') as ContactLink['type'], id: c.content }));
  const secDns = readSecDnsCreate(extensions);
  return {
    domainCreate: {
      name: text(objectEl, NS.domain, 'name')!,
      ...(periodEl ? { period: { value: Number(periodEl.content), unit: (attr(periodEl, 'unit') ?? 'y') as 'y' } } : {}),
      ns: nsEl ? texts(nsEl, NS.domain, 'hostObj') : [],
      hostAttr: nsEl ? childrenNamed(nsEl, NS.domain, 'hostAttr').length > 0 : false,
      ...(registrant !== undefined ? { registrant } : {}),
      contacts,
      authPw: authPw(objectEl, NS.domain) ?? '',
      ...(secDns ? { secDns } : {}),
    },
  };
});

registerReader('domain:delete', ({ objectEl }) => ({ delete: { id: text(objectEl, NS.domain, 'name')! } }));

function readStatuses(el: XmlElement, ns: string) {
  return childrenNamed(el, ns, 'status').map((s) => ({ s: attr(s, 's')!, ...(s.content ? { text: s.content } : {}) }));
}

function readDelta(el: XmlElement | undefined) {
  if (!el) return undefined;
  const nsEl = child(el, NS.domain, 'ns');
  return {
    ns: nsEl ? texts(nsEl, NS.domain, 'hostObj') : [],
    hostAttr: nsEl ? childrenNamed(nsEl, NS.domain, 'hostAttr').length > 0 : false,
    contacts: childrenNamed(el, NS.domain, 'contact').map((c) => ({ type: attr(c, 'type') as ContactLink['type'], id: c.content })),
    statuses: readStatuses(el, NS.domain),
  };
}

registerReader('domain:update', ({ objectEl, extensions }) => {
  const chg = child(objectEl, NS.domain, 'chg');
  const registrant = chg ? child(chg, NS.domain, 'registrant') : undefined;
  const ai = chg ? child(chg, NS.domain, 'authInfo') : undefined;
  const pw = ai ? text(ai, NS.domain, 'pw') : undefined;
  const sec = extensions.find((e) => e.namespaceUri === NS.secDNS && e.name === 'update');
  const rgp = extensions.find((e) => e.namespaceUri === NS.rgp && e.name === 'update');
  const restore = rgp ? child(rgp, NS.rgp, 'restore') : undefined;
  let secDns;
  if (sec) {
    const rem = child(sec, NS.secDNS, 'rem');
    const add = child(sec, NS.secDNS, 'add');
    const chgEl = child(sec, NS.secDNS, 'chg');
    const msl = chgEl ? text(chgEl, NS.secDNS, 'maxSigLife') : undefined;
    const all = rem ? text(rem, NS.secDNS, 'all') : undefined;
    secDns = {
      urgent: ['true', '1'].includes(attr(sec, 'urgent') ?? 'false'),
      remAll: all === 'true' || all === '1',
      rem: rem ? childrenNamed(rem, NS.secDNS, 'dsData').map(readDsData) : [],
      add: add ? childrenNamed(add, NS.secDNS, 'dsData').map(readDsData) : [],
      ...(msl !== undefined ? { maxSigLife: Number(msl) } : add && text(add, NS.secDNS, 'maxSigLife') !== undefined ? { maxSigLife: Number(text(add, NS.secDNS, 'maxSigLife')) } : {}),
      keyData: !!((rem && childrenNamed(rem, NS.secDNS, 'keyData').length) || (add && childrenNamed(add, NS.secDNS, 'keyData').length)),
    };
  }
  const add = readDelta(child(objectEl, NS.domain, 'add'));
  const rem = readDelta(child(objectEl, NS.domain, 'rem'));
  return {
    domainUpdate: {
      name: text(objectEl, NS.domain, 'name')!,
      ...(add ? { add } : {}),
      ...(rem ? { rem } : {}),
      ...(registrant ? { chgRegistrant: registrant.content } : {}),
      ...(pw !== undefined ? { chgAuthPw: pw } : {}),
      chgAuthNull: !!(ai && child(ai, NS.domain, 'null')),
      ...(secDns ? { secDns } : {}),
      ...(restore ? { rgpRestoreOp: attr(restore, 'op')! } : {}),
    },
  };
});

registerReader('domain:renew', ({ objectEl }) => {
  const periodEl = child(objectEl, NS.domain, 'period');
  return {
    domainRenew: {
      name: text(objectEl, NS.domain, 'name')!,
      curExpDate: text(objectEl, NS.domain, 'curExpDate')!.trim(),
      ...(periodEl ? { period: { value: Number(periodEl.content), unit: (attr(periodEl, 'unit') ?? 'y') as 'y' } } : {}),
    },
  };
});

registerReader('domain:transfer', ({ objectEl, commandEl }) => {
  const periodEl = child(objectEl, NS.domain, 'period');
  const pw = authPw(objectEl, NS.domain);
  return {
    transfer: {
      op: attr(commandEl, 'op') as 'request',
      id: text(objectEl, NS.domain, 'name')!,
      ...(periodEl ? { period: { value: Number(periodEl.content), unit: (attr(periodEl, 'unit') ?? 'y') as 'y' } } : {}),
      ...(pw !== undefined ? { authPw: pw } : {}),
    },
  };
});
