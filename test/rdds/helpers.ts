/**
 * Clients for the RDDS tests: raw WHOIS over TCP, the Debian `whois` program, RDAP over undici
 * with every response checked against the RFC 9083 schema and its RFC 9537 paths evaluated,
 * and the EPP commands (contacts with disclose flags, updates) the scenarios need.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { JSONPath } from 'jsonpath-plus';
import { request, type Dispatcher } from 'undici';
import { commandXml } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { assertValidRdap, type RdapKind } from './rdap-schema.js';

/** Sends raw bytes (default: the query and CRLF), returns everything the server sent before closing. */
export function whoisRaw(port: number, query: string | Buffer, o: { end?: boolean; timeoutMs?: number; host?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: o.host ?? '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { s.destroy(); reject(new Error('WHOIS answer timed out')); }, o.timeoutMs ?? 5000);
    s.on('connect', () => {
      s.write(typeof query === 'string' ? `${query}\r\n` : query);
      if (o.end) s.end();
    });
    s.on('data', (c) => chunks.push(c));
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('utf8')); });
  });
}

/** The Debian whois client, as users run it. */
export function whoisCli(port: number, query: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('whois', ['-h', '127.0.0.1', '-p', String(port), query], { timeout: 10_000, env: { ...process.env, LANG: 'C.UTF-8' } }, (err, stdout, stderr) => {
      // whois exits 1 when the answer says "No match"; the text is what matters.
      if (err && typeof (err as { code?: unknown }).code !== 'number') reject(new Error(`${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** "Key: value" lines of a WHOIS answer (values of repeated keys in order). */
export function whoisFields(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(': ');
    const key = i > 0 ? line.slice(0, i) : line.endsWith(':') ? line.slice(0, -1) : undefined;
    if (!key || key.startsWith('>>>')) continue;
    const value = i > 0 ? line.slice(i + 2) : '';
    m.set(key, [...(m.get(key) ?? []), value]);
  }
  return m;
}

export interface RdapResult { status: number; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> | undefined; raw: string }

function kindOf(body: Record<string, unknown>, status: number): RdapKind {
  if (status >= 400) return 'error';
  if ('domainSearchResults' in body) return 'domainSearch';
  if ('nameserverSearchResults' in body) return 'nameserverSearch';
  if ('entitySearchResults' in body) return 'entitySearch';
  const cls = body.objectClassName;
  if (cls === 'domain' || cls === 'nameserver' || cls === 'entity') return cls;
  return 'help';
}

/**
 * RFC 9537 as the ICANN conformance tool checks it: a removal's prePath finds nothing in the
 * response, an emptyValue's postPath finds only empty strings, a replacement's
 * replacementPath finds the replacement.
 */
export function checkRedactions(body: Record<string, unknown>): void {
  const red = (body.redacted ?? []) as { name: Record<string, string>; prePath?: string; postPath?: string; replacementPath?: string; method?: string }[];
  for (const r of red) {
    const what = JSON.stringify(r.name);
    const at = (path: string) => JSONPath({ path, json: body, wrap: true }) as unknown[];
    if ((r.method ?? 'removal') === 'removal' && r.prePath && at(r.prePath).length !== 0) throw new Error(`redaction ${what}: prePath ${r.prePath} still finds ${JSON.stringify(at(r.prePath))}`);
    if (r.method === 'emptyValue') {
      const found = at(r.postPath!);
      if (found.length === 0 || found.some((v) => v !== '')) throw new Error(`redaction ${what}: postPath ${r.postPath} finds ${JSON.stringify(found)}`);
    }
    if (r.method === 'replacementValue') {
      if (r.prePath && at(r.prePath).length !== 0) throw new Error(`redaction ${what}: prePath ${r.prePath} still finds the value`);
      if (r.replacementPath && at(r.replacementPath).length === 0) throw new Error(`redaction ${what}: replacementPath ${r.replacementPath} finds nothing`);
    }
  }
}

/** GET (or HEAD …) through undici; every JSON body is validated against the schema and its redactions checked. */
export async function rdap(url: string, o: { method?: Dispatcher.HttpMethod; headers?: Record<string, string>; dispatcher?: Dispatcher; kind?: RdapKind } = {}): Promise<RdapResult> {
  const res = await request(url, { method: o.method ?? 'GET', headers: { accept: 'application/rdap+json', ...o.headers }, ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}) });
  const raw = await res.body.text();
  const headers = res.headers as RdapResult['headers'];
  if (!raw) return { status: res.statusCode, headers, body: undefined, raw };
  const body = JSON.parse(raw) as Record<string, unknown>;
  assertValidRdap(body, o.kind ?? kindOf(body, res.statusCode));
  checkRedactions(body);
  return { status: res.statusCode, headers, body, raw };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface TestContact {
  id: string; name: string; org?: string; street?: string[]; city: string; sp?: string; pc?: string; cc: string;
  voice?: string; voiceExt?: string; fax?: string; faxExt?: string; email: string;
  disclose?: { flag: boolean; fields: string[] };
  type?: 'int' | 'loc';
}

/** contact:create with every field and an optional disclose element (RFC 5733 §3.2.1, §2.9). */
export function contactCreateFullXml(c: TestContact): string {
  const disclose = c.disclose
    ? `<contact:disclose flag="${c.disclose.flag ? 1 : 0}">${c.disclose.fields.map((f) => {
      const m = /^(name|org|addr)_(int|loc)$/.exec(f);
      return m ? `<contact:${m[1]} type="${m[2]}"/>` : `<contact:${f}/>`;
    }).join('')}</contact:disclose>`
    : '';
  return commandXml('create', `<contact:create xmlns:contact="${NS.contact}"><contact:id>${esc(c.id)}</contact:id>` +
    `<contact:postalInfo type="${c.type ?? 'int'}"><contact:name>${esc(c.name)}</contact:name>${c.org ? `<contact:org>${esc(c.org)}</contact:org>` : ''}<contact:addr>` +
    (c.street ?? []).map((s) => `<contact:street>${esc(s)}</contact:street>`).join('') +
    `<contact:city>${esc(c.city)}</contact:city>${c.sp ? `<contact:sp>${esc(c.sp)}</contact:sp>` : ''}${c.pc ? `<contact:pc>${esc(c.pc)}</contact:pc>` : ''}<contact:cc>${c.cc}</contact:cc></contact:addr></contact:postalInfo>` +
    (c.voice ? `<contact:voice${c.voiceExt ? ` x="${c.voiceExt}"` : ''}>${c.voice}</contact:voice>` : '') +
    (c.fax ? `<contact:fax${c.faxExt ? ` x="${c.faxExt}"` : ''}>${c.fax}</contact:fax>` : '') +
    `<contact:email>${esc(c.email)}</contact:email><contact:authInfo><contact:pw>Contact-pw-1</contact:pw></contact:authInfo>${disclose}</contact:create>`);
}

export function contactUpdateXml(id: string, chg: { email?: string; disclose?: { flag: boolean; fields: string[] } }): string {
  const d = chg.disclose ? `<contact:disclose flag="${chg.disclose.flag ? 1 : 0}">${chg.disclose.fields.map((f) => `<contact:${f}/>`).join('')}</contact:disclose>` : '';
  return commandXml('update', `<contact:update xmlns:contact="${NS.contact}"><contact:id>${esc(id)}</contact:id><contact:chg>${chg.email ? `<contact:email>${esc(chg.email)}</contact:email>` : ''}${d}</contact:chg></contact:update>`);
}
