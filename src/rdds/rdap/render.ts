/**
 * RDAP JSON responses (RFC 9083) shaped by the ICANN gTLD RDAP Response Profile and Technical
 * Implementation Guide (2024): objects, jCard entities (RFC 7095), events, links and notices,
 * and the RFC 9537 "redacted" member naming, with a JSONPath, every withheld contact field.
 */
import { domainToUnicode } from 'node:url';
import type { RegistrarInfo } from '../registrars.js';
import { viewContact, type ContactField, type ContactView, type RddsPolicy } from '../redaction.js';
import type { ContactEntityView, DomainView, HostView } from '../service.js';
import { rdapStatuses } from '../statuses.js';
import type { ContactRecord, ContactRole } from '../data.js';

export type Json = Record<string, unknown>;

export const RDAP_MEDIA_TYPE = 'application/rdap+json';

/** RFC 9083 §4.1; the ICANN profile (2024) identifiers; RFC 9537 §5 when a response redacts. */
const CONFORMANCE = ['rdap_level_0', 'icann_rdap_response_profile_1', 'icann_rdap_technical_implementation_guide_1'];

export interface RdapContext {
  /** Public base URL, ending in "/". */
  base: string;
  /** The URL this request was made to (links' "value", TIG 3.2/3.3). */
  requestUrl: string;
  port43?: string;
  terms: string;
  termsUrl: string;
  /** When the data is known current, ISO 8601 (a Template slot when rendering once for reuse). */
  asOf: string;
}

export interface Redaction {
  name: { type: string } | { description: string };
  prePath?: string; postPath?: string; replacementPath?: string;
  pathLang: 'jsonpath';
  method: 'removal' | 'emptyValue' | 'replacementValue';
  reason: { description: string };
}

const REASON = { description: 'Server policy' };

/** A name's U-label form when it has A-labels (RFC 9083 §3: unicodeName only for IDNs). */
export function unicodeNameOf(ldhName: string): string | undefined {
  if (!ldhName.split('.').some((l) => l.startsWith('xn--'))) return undefined;
  const u = domainToUnicode(ldhName);
  return u && u !== ldhName ? u : undefined;
}

const link = (ctx: RdapContext, rel: string, href: string, type = RDAP_MEDIA_TYPE): Json => ({ value: ctx.requestUrl, rel, href, type });
const selfLink = (ctx: RdapContext, path: string): Json => link(ctx, 'self', ctx.base + path);
const event = (eventAction: string, d: Date | undefined): Json[] => (d ? [{ eventAction, eventDate: d.toISOString() }] : []);
/** RFC 9083 §4.5 / RP 2.3.1.3: the date the data behind the answer was current. */
const asOfEvent = (ctx: RdapContext): Json[] => [{ eventAction: 'last update of RDAP database', eventDate: ctx.asOf }];

function termsNotice(ctx: RdapContext): Json {
  return { title: 'Terms of Use', description: [ctx.terms], links: [link(ctx, 'terms-of-service', ctx.termsUrl, 'text/html')] };
}

/** The notices the profile requires on domain answers (RP 2.6.3, RP 2.10; exact strings). */
function domainNotices(ctx: RdapContext): Json[] {
  return [
    { title: 'Status Codes', description: ['For more information on domain status codes, please visit https://icann.org/epp'], links: [link(ctx, 'glossary', 'https://icann.org/epp', 'text/html')] },
    { title: 'RDDS Inaccuracy Complaint Form', description: ['URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf'], links: [link(ctx, 'help', 'https://icann.org/wicf', 'text/html')] },
  ];
}

/** Wraps the topmost object (RFC 9083 §4.1: rdapConformance only there; RFC 9537 §4: redacted there). */
export function topmost(obj: Json, ctx: RdapContext, o: { domainNotices?: boolean; redactions?: Redaction[]; extraNotices?: Json[] } = {}): Json {
  const redacted = o.redactions?.length ? o.redactions : undefined;
  return {
    rdapConformance: redacted ? [...CONFORMANCE, 'redacted'] : CONFORMANCE,
    ...obj,
    notices: [termsNotice(ctx), ...(o.domainNotices ? domainNotices(ctx) : []), ...(o.extraNotices ?? [])],
    ...(ctx.port43 ? { port43: ctx.port43 } : {}),
    ...(redacted ? { redacted } : {}),
  };
}

export function errorBody(errorCode: number, title: string, description: string[]): Json {
  return { rdapConformance: CONFORMANCE, errorCode, title, description };
}

export function helpBody(ctx: RdapContext): Json {
  return {
    rdapConformance: [...CONFORMANCE, 'redacted'],
    notices: [
      termsNotice(ctx),
      {
        title: 'Queries',
        description: [
          'domain/NAME (U-label or A-label), nameserver/NAME, entity/HANDLE (a registrar\'s IANA ID, or a contact\'s ROID), help',
          'domains?name=PATTERN, domains?nsLdhName=PATTERN, domains?nsIp=IP; nameservers?name=PATTERN, nameservers?ip=IP; entities?fn=PATTERN, entities?handle=PATTERN (registrars)',
          'A PATTERN may end its first label with "*" (exam*, exam*.tld). Searches return at most a fixed number of results.',
        ],
        links: [link(ctx, 'self', ctx.base + 'help')],
      },
    ],
  };
}

/** "tel:+1.5555550100;ext=12" (RFC 3966; TIG 7.1: type voice or fax). */
const tel = (type: 'voice' | 'fax', number: string, ext?: string): unknown[] => ['tel', { type }, 'uri', `tel:${number}${ext ? `;ext=${ext}` : ''}`];

/** jCard "adr" (RFC 7095 §3.3.1.3): street lines as an array when more than one (TIG 4.1); country in the cc parameter, name empty (RP 1.4). */
function adr(street: string[] | string, city: string, sp: string | undefined, pc: string | undefined, cc: string | undefined): unknown[] {
  const s = Array.isArray(street) ? (street.length === 1 ? street[0]! : street.length === 0 ? '' : street) : street;
  return ['adr', cc ? { cc } : {}, 'text', ['', '', s, city, sp ?? '', pc ?? '', '']];
}

export function registrarEntity(r: RegistrarInfo, ctx: RdapContext, o: { top: boolean }): Json {
  const handle = r.ianaId !== undefined ? String(r.ianaId) : r.clientId;
  const card: unknown[] = [['version', {}, 'text', '4.0'], ['fn', {}, 'text', r.name]];
  if (r.street.length || r.city || r.cc) card.push(adr(r.street, r.city ?? '', r.sp, r.pc, r.cc));
  if (r.voice) card.push(tel('voice', r.voice));
  if (r.fax) card.push(tel('fax', r.fax));
  if (r.email) card.push(['email', {}, 'text', r.email]);
  const entities: Json[] = [];
  if (r.abuseEmail || r.abusePhone) {
    // RP 2.4.5: the registrar's abuse contact, with tel and email.
    const abuse: unknown[] = [['version', {}, 'text', '4.0'], ['fn', {}, 'text', 'Abuse contact']];
    if (r.abusePhone) abuse.push(tel('voice', r.abusePhone));
    if (r.abuseEmail) abuse.push(['email', {}, 'text', r.abuseEmail]);
    entities.push({ objectClassName: 'entity', roles: ['abuse'], vcardArray: ['vcard', abuse] });
  }
  if (o.top) {
    // RP 3.2: the registrar's administrative and technical contacts, with fn, tel and email.
    for (const c of r.contacts) {
      const card2: unknown[] = [['version', {}, 'text', '4.0'], ['fn', {}, 'text', c.name]];
      if (c.voice) card2.push(tel('voice', c.voice));
      if (c.fax) card2.push(tel('fax', c.fax));
      card2.push(['email', {}, 'text', c.email]);
      entities.push({ objectClassName: 'entity', roles: [c.type === 'admin' ? 'administrative' : 'technical'], vcardArray: ['vcard', card2] });
    }
  }
  const links = [selfLink(ctx, `entity/${encodeURIComponent(handle)}`)];
  // RP 2024 2.4.6: the registrar's RDAP base URL.
  if (r.rdapBaseUrl) links.push({ value: r.rdapBaseUrl, rel: 'about', href: r.rdapBaseUrl, type: RDAP_MEDIA_TYPE });
  return {
    objectClassName: 'entity',
    handle,
    roles: ['registrar'],
    ...(r.ianaId !== undefined ? { publicIds: [{ type: 'IANA Registrar ID', identifier: String(r.ianaId) }] } : {}),
    vcardArray: ['vcard', card],
    ...(entities.length ? { entities } : {}),
    links,
    status: [r.enabled ? 'active' : 'inactive'],
    ...(o.top ? { events: [...event('registration', r.createdAt), ...event('last changed', r.updatedAt), ...asOfEvent(ctx)] } : {}),
  };
}

const RDAP_ROLE: Record<ContactRole, string> = { registrant: 'registrant', admin: 'administrative', tech: 'technical', billing: 'billing' };
/** The profile's names for withheld fields (registered with IANA for registrant and tech); others are descriptions. */
const PREFIX: Record<ContactRole, string> = { registrant: 'Registrant', admin: 'Admin', tech: 'Tech', billing: 'Billing' };
const REGISTERED = new Set(['Registry Registrant ID', 'Registrant Name', 'Registrant Organization', 'Registrant Street', 'Registrant City', 'Registrant Postal Code',
  'Registrant Phone', 'Registrant Phone Ext', 'Registrant Fax', 'Registrant Fax Ext', 'Registrant Email', 'Registry Tech ID', 'Tech Name', 'Tech Phone', 'Tech Phone Ext', 'Tech Email']);

function redactionName(role: ContactRole | undefined, field: ContactField): Redaction['name'] {
  const p = role ? PREFIX[role] : 'Contact';
  const label = field === 'handle' ? `Registry ${p === 'Contact' ? 'Contact' : p} ID`
    : `${p} ${({ name: 'Name', org: 'Organization', street: 'Street', city: 'City', pc: 'Postal Code', voice: 'Phone', voiceExt: 'Phone Ext', fax: 'Fax', faxExt: 'Fax Ext', email: 'Email' } as const)[field]}`;
  return REGISTERED.has(label) ? { type: label } : { description: label };
}

/**
 * A contact as a jCard entity and the redactions it needs, the paths relative to `path` (the
 * JSONPath of this entity in the response: "$" when it is the topmost object).
 */
export function contactEntity(v: ContactView, o: { role?: ContactRole; path: string; ctx: RdapContext; record?: ContactRecord; top: boolean }): { entity: Json; redactions: Redaction[] } {
  const red: Redaction[] = [];
  const card = `${o.path}.vcardArray[1]`;
  const withheld = (f: ContactField) => v.redacted.has(f);
  const add = (f: ContactField, r: Omit<Redaction, 'name' | 'pathLang' | 'reason'>) => red.push({ name: redactionName(o.role, f), ...r, pathLang: 'jsonpath', reason: REASON });
  const items: unknown[] = [['version', {}, 'text', '4.0']];
  // RP 2024 2.7.4.1: fn stays (jCard requires it), emptied when withheld.
  items.push(['fn', {}, 'text', withheld('name') ? '' : v.name]);
  if (withheld('name')) add('name', { postPath: `${card}[?(@[0]=='fn')][3]`, method: 'emptyValue' });
  if (withheld('org')) add('org', { prePath: `${card}[?(@[0]=='org')]`, method: 'removal' });
  else if (v.org) items.push(['org', {}, 'text', v.org]);
  items.push(adr(withheld('street') ? '' : v.street, withheld('city') ? '' : v.city, v.sp, withheld('pc') ? '' : v.pc, v.cc));
  if (withheld('street')) add('street', { postPath: `${card}[?(@[0]=='adr')][3][2]`, method: 'emptyValue' });
  if (withheld('city')) add('city', { postPath: `${card}[?(@[0]=='adr')][3][3]`, method: 'emptyValue' });
  if (withheld('pc')) add('pc', { postPath: `${card}[?(@[0]=='adr')][3][5]`, method: 'emptyValue' });
  if (withheld('voice')) {
    add('voice', { prePath: `${card}[?(@[1].type=='voice')]`, method: 'removal' });
    add('voiceExt', { prePath: `${card}[?(@[1].type=='voice')]`, method: 'removal' });
  } else if (v.voice) items.push(tel('voice', v.voice, v.voiceExt));
  if (withheld('fax')) {
    add('fax', { prePath: `${card}[?(@[1].type=='fax')]`, method: 'removal' });
    add('faxExt', { prePath: `${card}[?(@[1].type=='fax')]`, method: 'removal' });
  } else if (v.fax) items.push(tel('fax', v.fax, v.faxExt));
  if (withheld('email')) {
    if (v.contactUri) {
      // RP 2024 2.7.5.2 / 2.7.4.9: the email replaced by a way to reach the contact (RFC 8605 contact-uri).
      items.push(['contact-uri', {}, 'uri', v.contactUri]);
      add('email', { prePath: `${card}[?(@[0]=='email')]`, replacementPath: `${card}[?(@[0]=='contact-uri')]`, method: 'replacementValue' });
    } else {
      add('email', { prePath: `${card}[?(@[0]=='email')]`, method: 'removal' });
    }
  } else items.push(['email', {}, 'text', v.email]);
  const showHandle = !withheld('handle');
  // A withheld handle is removed; when it is the topmost object, it is what was asked for.
  if (!showHandle && !o.top) add('handle', { prePath: `${o.path}.handle`, method: 'removal' });
  const entity: Json = {
    objectClassName: 'entity',
    ...(showHandle || o.top ? { handle: v.handle } : {}),
    ...(o.role ? { roles: [RDAP_ROLE[o.role]] } : {}),
    vcardArray: ['vcard', items],
  };
  if (showHandle || o.top) entity.links = [selfLink(o.ctx, `entity/${encodeURIComponent(v.handle)}`)];
  if (o.top && o.record) {
    entity.status = rdapStatuses(o.record.statuses);
    entity.events = [...event('registration', o.record.createdAt), ...event('last changed', o.record.updatedAt), ...event('transfer', o.record.transferredAt), ...asOfEvent(o.ctx)];
  }
  return { entity, redactions: red };
}

function nameserverLink(ctx: RdapContext, ns: { roid: string; name: string }): Json {
  const u = unicodeNameOf(ns.name);
  return { objectClassName: 'nameserver', handle: ns.roid, ldhName: ns.name, ...(u ? { unicodeName: u } : {}), links: [selfLink(ctx, `nameserver/${ns.name}`)] };
}

/**
 * A domain object. `withContacts` false (search results) leaves contact entities out, so a
 * search never needs a redaction list of its own: a remark says so (RFC 9083 §4.3 type).
 */
export function domainObject(d: DomainView, ctx: RdapContext, o: { withContacts: boolean; top: boolean }): { obj: Json; redactions: Redaction[] } {
  const { record: r, registrar: g } = d;
  const u = unicodeNameOf(r.name);
  const links = [selfLink(ctx, `domain/${r.name}`)];
  // TIG 3.2: the registrar's RDAP service for the same domain.
  if (g.rdapBaseUrl) links.push(link(ctx, 'related', `${g.rdapBaseUrl}domain/${r.name}`));
  const entities: Json[] = [registrarEntity(g, ctx, { top: false })];
  const redactions: Redaction[] = [];
  if (o.withContacts) {
    for (const c of r.contacts) {
      const view = viewContact(c.contact, d.policy as RddsPolicy, { domain: r.name, role: c.role, ...(g.url ? { registrarUrl: g.url } : {}) });
      const role = RDAP_ROLE[c.role];
      const { entity, redactions: red } = contactEntity(view, { role: c.role, path: `$.entities[?(@.roles[0]=='${role}')]`, ctx, top: false });
      entities.push(entity);
      // One entry per withheld field and role, even with several contacts of a role (the path covers them all).
      for (const x of red) if (!redactions.some((y) => JSON.stringify(y.name) === JSON.stringify(x.name))) redactions.push(x);
    }
  }
  const obj: Json = {
    objectClassName: 'domain',
    handle: r.roid,
    ldhName: r.name,
    ...(u ? { unicodeName: u } : {}),
    links,
    status: rdapStatuses(r.statuses),
    entities,
    events: [
      ...event('registration', r.createdAt), ...event('expiration', r.expiresAt), ...event('last changed', r.updatedAt),
      ...event('transfer', r.transferredAt), ...(o.top ? asOfEvent(ctx) : []),
    ],
    ...(r.ns.length ? { nameservers: r.ns.map((ns) => nameserverLink(ctx, ns)) } : {}),
    // RP 2.10 (2019) / RFC 9083 §5.3: delegationSigned always; dsData when signed.
    secureDNS: r.ds.length
      ? { delegationSigned: true, dsData: r.ds.map((x) => ({ keyTag: x.keyTag, algorithm: x.alg, digest: x.digest, digestType: x.digestType })) }
      : { delegationSigned: false },
    ...(o.withContacts ? {} : { remarks: [{ title: 'Contacts omitted', type: 'object truncated due to excessive load', description: ['Search results carry no contact entities; look the domain up for them.'] }] }),
  };
  return { obj, redactions };
}

export function nameserverObject(h: HostView, ctx: RdapContext, o: { top: boolean }): Json {
  const r = h.record;
  const u = unicodeNameOf(r.name);
  const v4 = r.addrs.filter((a) => !a.includes(':'));
  const v6 = r.addrs.filter((a) => a.includes(':'));
  return {
    objectClassName: 'nameserver',
    handle: r.roid,
    ldhName: r.name,
    ...(u ? { unicodeName: u } : {}),
    links: [selfLink(ctx, `nameserver/${r.name}`)],
    status: rdapStatuses(r.statuses),
    ...(v4.length || v6.length ? { ipAddresses: { ...(v4.length ? { v4 } : {}), ...(v6.length ? { v6 } : {}) } } : {}),
    entities: [registrarEntity(h.registrar, ctx, { top: false })],
    events: [...event('registration', r.createdAt), ...event('last changed', r.updatedAt), ...event('transfer', r.transferredAt), ...(o.top ? asOfEvent(ctx) : [])],
  };
}

/** A contact looked up on its own: the registry-wide strictest policy, paths from "$". */
export function contactTopObject(c: ContactEntityView, ctx: RdapContext): { obj: Json; redactions: Redaction[] } {
  const view = viewContact(c.record, c.policy, { ...(c.registrar?.url ? { registrarUrl: c.registrar.url } : {}) });
  const { entity, redactions } = contactEntity(view, { path: '$', ctx, record: c.record, top: true });
  return { obj: entity, redactions };
}

/** RFC 9083 §4.3: a notice that a search result list was cut. */
export function truncatedNotice(max: number): Json {
  return { title: 'Search results truncated', type: 'result set truncated due to excessive load', description: [`At most ${max} results are returned; narrow the search to see others.`] };
}
