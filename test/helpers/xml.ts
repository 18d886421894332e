/** XML builders for the commands the scenario tests send (beyond those in src/epp/client.ts). */
import { commandXml } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';

const D = `xmlns:domain="${NS.domain}"`;

export function domainUpdateXml(name: string, o: { addNs?: string[]; remNs?: string[]; addStatus?: string[]; remStatus?: string[]; addContacts?: { type: string; id: string }[]; registrant?: string; pw?: string; ext?: string }): string {
  const part = (tag: string, ns?: string[], st?: string[], contacts?: { type: string; id: string }[]) =>
    (ns?.length || st?.length || contacts?.length)
      ? `<domain:${tag}>${ns?.length ? `<domain:ns>${ns.map((h) => `<domain:hostObj>${h}</domain:hostObj>`).join('')}</domain:ns>` : ''}${(contacts ?? []).map((c) => `<domain:contact type="${c.type}">${c.id}</domain:contact>`).join('')}${(st ?? []).map((s) => `<domain:status s="${s}"/>`).join('')}</domain:${tag}>`
      : '';
  const chg = o.registrant !== undefined || o.pw !== undefined
    ? `<domain:chg>${o.registrant !== undefined ? `<domain:registrant>${o.registrant}</domain:registrant>` : ''}${o.pw !== undefined ? `<domain:authInfo><domain:pw>${o.pw}</domain:pw></domain:authInfo>` : ''}</domain:chg>` : '';
  return commandXml('update', `<domain:update ${D}><domain:name>${name}</domain:name>${part('add', o.addNs, o.addStatus, o.addContacts)}${part('rem', o.remNs, o.remStatus)}${chg}</domain:update>`, undefined, o.ext);
}

export function domainRenewXml(name: string, curExpDate: string, years?: number): string {
  return commandXml('renew', `<domain:renew ${D}><domain:name>${name}</domain:name><domain:curExpDate>${curExpDate}</domain:curExpDate>${years ? `<domain:period unit="y">${years}</domain:period>` : ''}</domain:renew>`);
}

export function domainTransferXml(op: string, name: string, pw?: string, years?: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${NS.epp}"><command><transfer op="${op}"><domain:transfer ${D}><domain:name>${name}</domain:name>${years ? `<domain:period unit="y">${years}</domain:period>` : ''}${pw !== undefined ? `<domain:authInfo><domain:pw>${pw}</domain:pw></domain:authInfo>` : ''}</domain:transfer></transfer></command></epp>`;
}

export function pollXml(op: 'req' | 'ack', id?: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${NS.epp}"><command><poll op="${op}"${id ? ` msgID="${id}"` : ''}/></command></epp>`;
}

export function deleteXml(object: 'domain' | 'host' | 'contact', id: string): string {
  const key = object === 'contact' ? 'id' : 'name';
  const ns = object === 'domain' ? NS.domain : object === 'host' ? NS.host : NS.contact;
  return commandXml('delete', `<${object}:delete xmlns:${object}="${ns}"><${object}:${key}>${id}</${object}:${key}></${object}:delete>`);
}

export function hostUpdateXml(name: string, o: { addAddr?: string[]; remAddr?: string[]; chgName?: string }): string {
  const addrs = (xs?: string[]) => (xs ?? []).map((a) => `<host:addr ip="${a.includes(':') ? 'v6' : 'v4'}">${a}</host:addr>`).join('');
  return commandXml('update', `<host:update xmlns:host="${NS.host}"><host:name>${name}</host:name>${o.addAddr?.length ? `<host:add>${addrs(o.addAddr)}</host:add>` : ''}${o.remAddr?.length ? `<host:rem>${addrs(o.remAddr)}</host:rem>` : ''}${o.chgName ? `<host:chg><host:name>${o.chgName}</host:name></host:chg>` : ''}</host:update>`);
}

export const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}[^>]*>([^<]*)</${name}>`).exec(xml)?.[1];
