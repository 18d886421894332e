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
