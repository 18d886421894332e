/**
 * WHOIS answers in the ICANN Registry Agreement Specification 4 format: "Key: value" lines in
 * the specification's order, a key repeated per value, "REDACTED FOR PRIVACY" for withheld
 * contact data, the last-update line, then the status-code pointer and the terms of use.
 */
import type { RegistrarInfo } from '../registrars.js';
import { viewContact, type ContactField, type ContactView } from '../redaction.js';
import type { DomainView, HostView } from '../service.js';
import { whoisStatus } from '../statuses.js';

export const REDACTED = 'REDACTED FOR PRIVACY';
/** Shown for a withheld email when the zone has no contact form (Spec 4 asks for a way to reach the contact). */
export const EMAIL_POINTER = 'Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.';
const WICF = 'URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/';
const STATUS_POINTER = 'For more information on Whois status codes, please visit https://icann.org/epp';

/** asOf: when the data is known current, already formatted (a Template slot when rendering once for reuse). */
export interface WhoisContext { asOf: string; termsOfUse: string }

/** Spec 4 dates: YYYY-MM-DDThh:mm:ssZ (UTC, no fraction). */
export function whoisDate(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/** Registrant-supplied text must not break the line structure (no CR/LF or other controls). */
function clean(v: string | number | undefined): string {
  return v === undefined ? '' : String(v).replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]+/g, ' ').trim();
}

class Lines {
  readonly out: string[] = [];
  add(key: string, value?: string | number): this { this.out.push(`${key}: ${clean(value)}`.trimEnd()); return this; }
  raw(line: string): this { this.out.push(line); return this; }
}

/** Wraps the terms of use at about 78 columns, keeping the operator's paragraphs. */
export function wrap(text: string, width = 78): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) { out.push(line); line = word; } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}

function finish(l: Lines, ctx: WhoisContext, statusPointer: boolean): string {
  l.raw(`>>> Last update of WHOIS database: ${ctx.asOf} <<<`);
  l.raw('');
  if (statusPointer) { l.raw(STATUS_POINTER); l.raw(''); }
  for (const t of wrap(ctx.termsOfUse)) l.raw(t);
  return l.out.join('\r\n') + '\r\n';
}

const LABELS = { registrant: ['Registry Registrant ID', 'Registrant'], admin: ['Registry Admin ID', 'Admin'], tech: ['Registry Tech ID', 'Tech'], billing: ['Registry Billing ID', 'Billing'] } as const;

function contactBlock(l: Lines, role: keyof typeof LABELS, v: ContactView): void {
  const [idKey, p] = LABELS[role];
  const show = (f: ContactField, value: string | undefined) => (v.redacted.has(f) ? REDACTED : value);
  l.add(idKey, show('handle', v.handle));
  l.add(`${p} Name`, show('name', v.name));
  l.add(`${p} Organization`, show('org', v.org));
  if (v.redacted.has('street') || v.street.length === 0) l.add(`${p} Street`, show('street', ''));
  else for (const s of v.street) l.add(`${p} Street`, s);
  l.add(`${p} City`, show('city', v.city));
  l.add(`${p} State/Province`, v.sp);
  l.add(`${p} Postal Code`, show('pc', v.pc));
  l.add(`${p} Country`, v.cc);
  l.add(`${p} Phone`, show('voice', v.voice));
  l.add(`${p} Phone Ext`, show('voiceExt', v.voiceExt));
  l.add(`${p} Fax`, show('fax', v.fax));
  l.add(`${p} Fax Ext`, show('faxExt', v.faxExt));
  l.add(`${p} Email`, v.redacted.has('email') ? (v.contactForm ? v.contactUri : EMAIL_POINTER) : v.email);
}

export function domainAnswer(d: DomainView, ctx: WhoisContext): string {
  const { record: r, registrar: g } = d;
  const l = new Lines()
    .add('Domain Name', r.name)
    .add('Registry Domain ID', r.roid)
    .add('Registrar WHOIS Server', g.whoisServer)
    .add('Registrar URL', g.url)
    .add('Updated Date', whoisDate(r.updatedAt))
    .add('Creation Date', whoisDate(r.createdAt))
    .add('Registry Expiry Date', whoisDate(r.expiresAt))
    .add('Registrar', g.name)
    .add('Registrar IANA ID', g.ianaId)
    .add('Registrar Abuse Contact Email', g.abuseEmail)
    .add('Registrar Abuse Contact Phone', g.abusePhone);
  for (const s of r.statuses) l.add('Domain Status', whoisStatus(s));
  for (const role of ['registrant', 'admin', 'tech', 'billing'] as const) {
    for (const c of r.contacts) {
      if (c.role !== role) continue;
      contactBlock(l, role, viewContact(c.contact, d.policy, { domain: r.name, role, ...(g.url ? { registrarUrl: g.url } : {}) }));
    }
  }
  for (const ns of r.ns) l.add('Name Server', ns.name);
  if (r.ns.length === 0) l.add('Name Server');
  l.add('DNSSEC', r.ds.length ? 'signedDelegation' : 'unsigned');
  l.raw(WICF);
  return finish(l, ctx, true);
}

export function hostsAnswer(hosts: HostView[], ctx: WhoisContext): string {
  const l = new Lines();
  hosts.forEach((h, i) => {
    if (i > 0) l.raw('');
    l.add('Server Name', h.record.name);
    for (const a of h.record.addrs) l.add('IP Address', a);
    l.add('Registrar', h.registrar.name);
    l.add('Registrar WHOIS Server', h.registrar.whoisServer);
    l.add('Registrar URL', h.registrar.url);
  });
  return finish(l, ctx, false);
}

export function registrarAnswer(g: RegistrarInfo, ctx: WhoisContext): string {
  const l = new Lines().add('Registrar', g.name);
  if (g.street.length === 0) l.add('Street');
  for (const s of g.street) l.add('Street', s);
  l.add('City', g.city).add('State/Province', g.sp).add('Postal Code', g.pc).add('Country', g.cc)
    .add('Phone Number', g.voice).add('Fax Number', g.fax).add('Email', g.email)
    .add('Registrar WHOIS Server', g.whoisServer).add('Registrar URL', g.url);
  for (const type of ['admin', 'tech'] as const) {
    for (const c of g.contacts.filter((x) => x.type === type)) {
      l.add(type === 'admin' ? 'Admin Contact' : 'Technical Contact', c.name).add('Phone Number', c.voice).add('Fax Number', c.fax).add('Email', c.email);
    }
  }
  return finish(l, ctx, false);
}

export function noMatch(what: string, query: string, ctx: WhoisContext): string {
  const l = new Lines().raw(`No match for ${what}"${clean(query)}".`);
  return finish(l, ctx, false);
}

/** A refused query: one explanatory line, then the usual footer. */
export function refusal(message: string, ctx: WhoisContext): string {
  return finish(new Lines().raw(clean(message)).raw(''), ctx, false);
}

export function help(ctx: WhoisContext): string {
  const l = new Lines()
    .raw('Queries (one per connection, UTF-8; names as U-labels or A-labels):')
    .raw('  example.tld                 a domain name')
    .raw('  nameserver ns1.example.tld  a name server by name (or by IP address)')
    .raw('  registrar Example Inc       a registrar by name or IANA ID')
    .raw('');
  return finish(l, ctx, false);
}
