/**
 * Request builders for every object command the tests send (beyond the basic ones in
 * src/epp/client.ts) and small readers of the responses (result code, elements, <extValue>).
 */
import { commandXml } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';

const D = `xmlns:domain="${NS.domain}"`;
const H = `xmlns:host="${NS.host}"`;
const C = `xmlns:contact="${NS.contact}"`;
const S = `xmlns:secDNS="${NS.secDNS}"`;
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const each = <T>(xs: readonly T[] | undefined, f: (x: T) => string) => (xs ?? []).map(f).join('');
const opt = (v: string | undefined, f: (v: string) => string) => (v === undefined ? '' : f(v));

export interface Period { value: number; unit?: 'y' | 'm' }
const period = (p: Period | number | undefined) => {
  if (p === undefined) return '';
  const { value, unit } = typeof p === 'number' ? { value: p, unit: 'y' } : { unit: 'y', ...p };
  return `<domain:period unit="${unit}">${value}</domain:period>`;
};

// ---- domain ------------------------------------------------------------------------------

export function domainCheckXml(names: string[]): string {
  return commandXml('check', `<domain:check ${D}>${each(names, (n) => `<domain:name>${esc(n)}</domain:name>`)}</domain:check>`);
}

export function domainInfoXml(name: string, o: { hosts?: 'all' | 'del' | 'sub' | 'none'; pw?: string } = {}): string {
  return commandXml('info', `<domain:info ${D}><domain:name${o.hosts ? ` hosts="${o.hosts}"` : ''}>${esc(name)}</domain:name>` +
    `${opt(o.pw, (pw) => `<domain:authInfo><domain:pw>${esc(pw)}</domain:pw></domain:authInfo>`)}</domain:info>`);
}

export interface DomainCreate {
  name: string; period?: Period | number; ns?: string[]; hostAttr?: string[]; registrant?: string;
  contacts?: { type: string; id: string }[]; pw?: string; ext?: string;
}

export function domainCreateXml(o: DomainCreate): string {
  const ns = o.ns?.length || o.hostAttr?.length
    ? `<domain:ns>${each(o.ns, (h) => `<domain:hostObj>${esc(h)}</domain:hostObj>`)}${each(o.hostAttr, (h) => `<domain:hostAttr><domain:hostName>${esc(h)}</domain:hostName></domain:hostAttr>`)}</domain:ns>` : '';
  return commandXml('create', `<domain:create ${D}><domain:name>${esc(o.name)}</domain:name>${period(o.period)}${ns}` +
    `${opt(o.registrant, (r) => `<domain:registrant>${esc(r)}</domain:registrant>`)}${each(o.contacts, (c) => `<domain:contact type="${c.type}">${esc(c.id)}</domain:contact>`)}` +
    `<domain:authInfo><domain:pw>${esc(o.pw ?? 'Domain-pw-123')}</domain:pw></domain:authInfo></domain:create>`, undefined, o.ext);
}

export interface DomainUpdate {
  addNs?: string[]; remNs?: string[]; addHostAttr?: string[]; addStatus?: string[]; remStatus?: string[];
  addContacts?: { type: string; id: string }[]; remContacts?: { type: string; id: string }[];
  registrant?: string; pw?: string; nullPw?: boolean; ext?: string;
}

export function domainUpdateXml(name: string, o: DomainUpdate): string {
  const part = (tag: string, ns?: string[], attr?: string[], st?: string[], contacts?: { type: string; id: string }[]) =>
    (ns?.length || attr?.length || st?.length || contacts?.length)
      ? `<domain:${tag}>${ns?.length || attr?.length ? `<domain:ns>${each(ns, (h) => `<domain:hostObj>${esc(h)}</domain:hostObj>`)}${each(attr, (h) => `<domain:hostAttr><domain:hostName>${esc(h)}</domain:hostName></domain:hostAttr>`)}</domain:ns>` : ''}` +
        `${each(contacts, (c) => `<domain:contact type="${c.type}">${esc(c.id)}</domain:contact>`)}${each(st, (s) => `<domain:status s="${s}"/>`)}</domain:${tag}>`
      : '';
  const auth = o.nullPw ? '<domain:authInfo><domain:null/></domain:authInfo>' : opt(o.pw, (pw) => `<domain:authInfo><domain:pw>${esc(pw)}</domain:pw></domain:authInfo>`);
  const chg = o.registrant !== undefined || auth ? `<domain:chg>${opt(o.registrant, (r) => `<domain:registrant>${esc(r)}</domain:registrant>`)}${auth}</domain:chg>` : '';
  return commandXml('update', `<domain:update ${D}><domain:name>${esc(name)}</domain:name>${part('add', o.addNs, o.addHostAttr, o.addStatus, o.addContacts)}` +
    `${part('rem', o.remNs, undefined, o.remStatus, o.remContacts)}${chg}</domain:update>`, undefined, o.ext);
}

export function domainRenewXml(name: string, curExpDate: string, p?: Period | number): string {
  return commandXml('renew', `<domain:renew ${D}><domain:name>${esc(name)}</domain:name><domain:curExpDate>${curExpDate}</domain:curExpDate>${period(p)}</domain:renew>`);
}

export function domainTransferXml(op: string, name: string, pw?: string, p?: Period | number): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><command><transfer op="${op}"><domain:transfer ${D}><domain:name>${esc(name)}</domain:name>${period(p)}` +
    `${opt(pw, (v) => `<domain:authInfo><domain:pw>${esc(v)}</domain:pw></domain:authInfo>`)}</domain:transfer></transfer></command></epp>`;
}

// ---- secDNS (RFC 5910) ---------------------------------------------------------------------

export interface Ds { keyTag: number; alg: number; digestType: number; digest: string }
export const ds = (keyTag: number, alg = 13, digestType = 2, digest = 'AB'.repeat(digestType === 4 ? 48 : 32)): Ds => ({ keyTag, alg, digestType, digest });
const dsXml = (d: Ds) => `<secDNS:dsData><secDNS:keyTag>${d.keyTag}</secDNS:keyTag><secDNS:alg>${d.alg}</secDNS:alg><secDNS:digestType>${d.digestType}</secDNS:digestType><secDNS:digest>${d.digest}</secDNS:digest></secDNS:dsData>`;
const keyDataXml = '<secDNS:keyData><secDNS:flags>257</secDNS:flags><secDNS:protocol>3</secDNS:protocol><secDNS:alg>13</secDNS:alg><secDNS:pubKey>AQPJ////4Q==</secDNS:pubKey></secDNS:keyData>';

export function secDnsCreateXml(o: { ds?: Ds[]; maxSigLife?: number; keyData?: boolean }): string {
  return `<secDNS:create ${S}>${opt(o.maxSigLife?.toString(), (m) => `<secDNS:maxSigLife>${m}</secDNS:maxSigLife>`)}${o.keyData ? keyDataXml : each(o.ds, dsXml)}</secDNS:create>`;
}

export function secDnsUpdateXml(o: { remAll?: boolean; rem?: Ds[]; add?: Ds[]; addKeyData?: boolean; urgent?: boolean; maxSigLife?: number }): string {
  const rem = o.remAll ? '<secDNS:rem><secDNS:all>true</secDNS:all></secDNS:rem>' : o.rem?.length ? `<secDNS:rem>${each(o.rem, dsXml)}</secDNS:rem>` : '';
  const add = o.addKeyData ? `<secDNS:add>${keyDataXml}</secDNS:add>` : o.add?.length ? `<secDNS:add>${each(o.add, dsXml)}</secDNS:add>` : '';
  const chg = o.maxSigLife !== undefined ? `<secDNS:chg><secDNS:maxSigLife>${o.maxSigLife}</secDNS:maxSigLife></secDNS:chg>` : '';
  return `<secDNS:update ${S}${o.urgent ? ' urgent="true"' : ''}>${rem}${add}${chg}</secDNS:update>`;
}

// ---- host --------------------------------------------------------------------------------

const addrXml = (a: string) => `<host:addr ip="${a.includes(':') ? 'v6' : 'v4'}">${esc(a)}</host:addr>`;

export function hostCheckXml(names: string[]): string {
  return commandXml('check', `<host:check ${H}>${each(names, (n) => `<host:name>${esc(n)}</host:name>`)}</host:check>`);
}

export function hostInfoXml(name: string): string {
  return commandXml('info', `<host:info ${H}><host:name>${esc(name)}</host:name></host:info>`);
}

/** Addresses as strings; the ip attribute is derived (v6 when it has a colon) unless given as {ip, v}. */
export function hostCreateXml(name: string, addrs: (string | { ip: string; v: 'v4' | 'v6' })[] = []): string {
  return commandXml('create', `<host:create ${H}><host:name>${esc(name)}</host:name>${each(addrs, (a) => (typeof a === 'string' ? addrXml(a) : `<host:addr ip="${a.v}">${esc(a.ip)}</host:addr>`))}</host:create>`);
}

export function hostUpdateXml(name: string, o: { addAddr?: string[]; remAddr?: string[]; addStatus?: string[]; remStatus?: string[]; chgName?: string }): string {
  const part = (tag: string, addrs?: string[], st?: string[]) =>
    addrs?.length || st?.length ? `<host:${tag}>${each(addrs, addrXml)}${each(st, (s) => `<host:status s="${s}"/>`)}</host:${tag}>` : '';
  return commandXml('update', `<host:update ${H}><host:name>${esc(name)}</host:name>${part('add', o.addAddr, o.addStatus)}${part('rem', o.remAddr, o.remStatus)}` +
    `${opt(o.chgName, (n) => `<host:chg><host:name>${esc(n)}</host:name></host:chg>`)}</host:update>`);
}

// ---- contact -----------------------------------------------------------------------------

export interface Postal { name?: string; org?: string; street?: string[]; city?: string; sp?: string; pc?: string; cc?: string }
const postalXml = (type: string, p: Postal, whole = true) =>
  `<contact:postalInfo type="${type}">${opt(p.name ?? (whole ? 'John Doe' : undefined), (v) => `<contact:name>${esc(v)}</contact:name>`)}` +
  `${opt(p.org, (v) => `<contact:org>${esc(v)}</contact:org>`)}` +
  (whole || p.city !== undefined || p.cc !== undefined
    ? `<contact:addr>${each(p.street ?? (whole ? ['1 Main St'] : []), (s) => `<contact:street>${esc(s)}</contact:street>`)}<contact:city>${esc(p.city ?? 'Springfield')}</contact:city>` +
      `${opt(p.sp, (v) => `<contact:sp>${esc(v)}</contact:sp>`)}${opt(p.pc, (v) => `<contact:pc>${esc(v)}</contact:pc>`)}<contact:cc>${esc(p.cc ?? 'US')}</contact:cc></contact:addr>`
    : '') + '</contact:postalInfo>';

/** disclose fields as in the schema order: "name:int", "org:loc", "addr:int", "voice", "fax", "email". */
const discloseXml = (d: { flag: 0 | 1; fields: string[] }) =>
  `<contact:disclose flag="${d.flag}">${each(d.fields, (f) => { const [n, t] = f.split(':'); return t ? `<contact:${n} type="${t}"/>` : `<contact:${n}/>`; })}</contact:disclose>`;

export interface ContactCreate {
  id: string; int?: Postal | null; loc?: Postal; extraPostal?: { type: string; p: Postal }; voice?: string; voiceX?: string; fax?: string; faxX?: string;
  email?: string; pw?: string; disclose?: { flag: 0 | 1; fields: string[] };
}

export function contactCreateXml(o: ContactCreate): string {
  return commandXml('create', `<contact:create ${C}><contact:id>${esc(o.id)}</contact:id>` +
    `${o.int === null ? '' : postalXml('int', o.int ?? {})}${o.loc ? postalXml('loc', o.loc) : ''}${o.extraPostal ? postalXml(o.extraPostal.type, o.extraPostal.p) : ''}` +
    `${opt(o.voice ?? '+1.5555550100', (v) => `<contact:voice${o.voiceX ? ` x="${o.voiceX}"` : ''}>${esc(v)}</contact:voice>`)}` +
    `${opt(o.fax, (v) => `<contact:fax${o.faxX ? ` x="${o.faxX}"` : ''}>${esc(v)}</contact:fax>`)}` +
    `<contact:email>${esc(o.email ?? 'jdoe@example.net')}</contact:email><contact:authInfo><contact:pw>${esc(o.pw ?? 'Contact-pw-1')}</contact:pw></contact:authInfo>` +
    `${o.disclose ? discloseXml(o.disclose) : ''}</contact:create>`);
}

export function contactCheckXml(ids: string[]): string {
  return commandXml('check', `<contact:check ${C}>${each(ids, (i) => `<contact:id>${esc(i)}</contact:id>`)}</contact:check>`);
}

export function contactInfoXml(id: string, pw?: string): string {
  return commandXml('info', `<contact:info ${C}><contact:id>${esc(id)}</contact:id>${opt(pw, (v) => `<contact:authInfo><contact:pw>${esc(v)}</contact:pw></contact:authInfo>`)}</contact:info>`);
}

export interface ContactUpdate {
  addStatus?: string[]; remStatus?: string[]; int?: Postal; loc?: Postal; intTwice?: boolean;
  voice?: string; voiceX?: string; fax?: string; email?: string; pw?: string; disclose?: { flag: 0 | 1; fields: string[] };
}

export function contactUpdateXml(id: string, o: ContactUpdate): string {
  const st = (tag: string, xs?: string[]) => (xs?.length ? `<contact:${tag}>${each(xs, (s) => `<contact:status s="${s}"/>`)}</contact:${tag}>` : '');
  const chgBody = `${o.int ? postalXml('int', o.int, false) : ''}${o.intTwice && o.int ? postalXml('int', o.int, false) : ''}${o.loc ? postalXml('loc', o.loc, false) : ''}` +
    `${opt(o.voice, (v) => `<contact:voice${o.voiceX ? ` x="${o.voiceX}"` : ''}>${esc(v)}</contact:voice>`)}${opt(o.fax, (v) => `<contact:fax>${esc(v)}</contact:fax>`)}` +
    `${opt(o.email, (v) => `<contact:email>${esc(v)}</contact:email>`)}${opt(o.pw, (v) => `<contact:authInfo><contact:pw>${esc(v)}</contact:pw></contact:authInfo>`)}` +
    `${o.disclose ? discloseXml(o.disclose) : ''}`;
  return commandXml('update', `<contact:update ${C}><contact:id>${esc(id)}</contact:id>${st('add', o.addStatus)}${st('rem', o.remStatus)}${chgBody ? `<contact:chg>${chgBody}</contact:chg>` : ''}</contact:update>`);
}

export function contactTransferXml(op: string, id: string, pw?: string): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><command><transfer op="${op}"><contact:transfer ${C}><contact:id>${esc(id)}</contact:id>` +
    `${opt(pw, (v) => `<contact:authInfo><contact:pw>${esc(v)}</contact:pw></contact:authInfo>`)}</contact:transfer></transfer></command></epp>`;
}

// ---- common ------------------------------------------------------------------------------

export function pollXml(op: 'req' | 'ack', id?: string): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><command><poll op="${op}"${id !== undefined ? ` msgID="${id}"` : ''}/></command></epp>`;
}

export function deleteXml(object: 'domain' | 'host' | 'contact', id: string): string {
  const key = object === 'contact' ? 'id' : 'name';
  const ns = object === 'domain' ? NS.domain : object === 'host' ? NS.host : NS.contact;
  return commandXml('delete', `<${object}:delete xmlns:${object}="${ns}"><${object}:${key}>${esc(id)}</${object}:${key}></${object}:delete>`);
}

// ---- reading responses -------------------------------------------------------------------

/** The text of the first element with this qualified name. */
export const tag = (xml: string, name: string): string | undefined => new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
/** The texts of every element with this qualified name. */
export const tags = (xml: string, name: string): string[] => [...xml.matchAll(new RegExp(`<${name}(?: [^>]*)?>([^<]*)</${name}>`, 'g'))].map((m) => m[1]!);
/** Every value of an attribute on elements with this qualified name (e.g. statuses). */
export const attrs = (xml: string, name: string, attr: string): string[] => [...xml.matchAll(new RegExp(`<${name} [^>]*${attr}="([^"]*)"`, 'g'))].map((m) => m[1]!);
export const statuses = (xml: string, object: 'domain' | 'host' | 'contact'): string[] => attrs(xml, `${object}:status`, 's');
export const msgQ = (xml: string): { count: number; id: string } | undefined => {
  const m = /<msgQ count="(\d+)" id="([^"]+)"/.exec(xml);
  return m ? { count: Number(m[1]), id: m[2]! } : undefined;
};

/** The first <extValue>: the offending element as sent back (local name, namespace, text, attributes) and the reason. */
export function extValue(xml: string): { local: string; ns?: string; text?: string; attrs: Record<string, string>; reason: string } | undefined {
  const m = /<extValue><value><([\w.-]+:)?([\w.-]+)((?: [\w:.-]+="[^"]*")*)\s*(?:\/>|>([^<]*)<\/[^>]+>)<\/value><reason[^>]*>([^<]*)<\/reason><\/extValue>/.exec(xml);
  if (!m) return undefined;
  const attrList = Object.fromEntries([...m[3]!.matchAll(/ ([\w:.-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
  const { 'xmlns:v': ns, 'xmlns:epp': _epp, ...rest } = attrList;
  return { local: m[2]!, ...(ns ? { ns } : {}), ...(m[4] !== undefined ? { text: m[4] } : {}), attrs: rest, reason: m[5]! };
}

/** Each <X:cd> of a check response as [name or id as sent, avail, reason]. */
export function checkAnswers(xml: string, object: 'domain' | 'host' | 'contact'): [string, string, string | undefined][] {
  const key = object === 'contact' ? 'id' : 'name';
  const re = new RegExp(`<${object}:cd><${object}:${key} avail="([01])">([^<]*)</${object}:${key}>(?:<${object}:reason lang="en">([^<]*)</${object}:reason>)?</${object}:cd>`, 'g');
  return [...xml.matchAll(re)].map((m) => [m[2]!, m[1]!, m[3]]);
}
