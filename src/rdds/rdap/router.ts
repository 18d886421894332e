/**
 * RDAP request targets (RFC 9082) → queries: lookups by path segment, searches by query
 * parameter with the RFC 9082 §4.1 partial-match forms this server supports; anything else is a
 * 400 (not an RDAP query) or 422 (a search form it does not support, RFC 9082 §4.1).
 */
import { isIP } from 'node:net';
import type { NameMatch } from '../data.js';
import { normaliseName } from '../service.js';

export type RdapQuery =
  | { kind: 'domain'; name: string; idn: boolean }
  | { kind: 'nameserver'; name: string; idn: boolean }
  | { kind: 'entity'; handle: string }
  | { kind: 'help' }
  | { kind: 'domains'; by: { name: NameMatch } | { nsName: NameMatch } | { nsIp: string } }
  | { kind: 'nameservers'; by: { name: NameMatch } | { ip: string } }
  | { kind: 'entities'; by: { fn: string } | { handle: string } }
  | { kind: 'error'; status: 400 | 404 | 422; title: string; description: string; type?: string };

const bad = (description: string): RdapQuery => ({ kind: 'error', status: 400, title: 'Bad Request', description });
const unsupported = (description: string): RdapQuery => ({ kind: 'error', status: 422, title: 'Unprocessable Content', description });

const TYPES = new Set(['domain', 'nameserver', 'entity', 'help', 'domains', 'nameservers', 'entities']);

/** Query types for the metrics label (bounded): a refused query counts under the type it tried. */
export function queryType(q: RdapQuery): string {
  return q.kind === 'error' ? q.type ?? 'invalid' : q.kind;
}

function decode(segment: string): string | undefined {
  try { return decodeURIComponent(segment); } catch { return undefined; }
}

/**
 * A search pattern: an exact name, or "label*" / "label*.suffix" (the "*" ends the first
 * label). U-labels are accepted for exact names; a partial U-label has no A-label form.
 */
export function parsePattern(raw: string): { match: NameMatch } | { error: RdapQuery } {
  const p = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!p) return { error: bad('an empty search pattern') };
  const stars = p.split('*').length - 1;
  if (stars === 0) {
    const n = normaliseName(p);
    return 'problem' in n ? { error: bad(`not a valid name (${n.problem})`) } : { match: { exact: n.name } };
  }
  if (stars > 1) return { error: unsupported('only one "*" is supported in a search pattern') };
  if (/[^\x00-\x7f]/.test(p)) return { error: unsupported('partial matches of U-labels are not supported; use A-labels') };
  const star = p.indexOf('*');
  const prefix = p.slice(0, star);
  const suffix = p.slice(star + 1);
  if (prefix.includes('.')) return { error: unsupported('"*" is supported only in the first label') };
  if (prefix.length < 1) return { error: unsupported('a search pattern needs at least one character before "*"') };
  if (!/^[a-z0-9-]+$/.test(prefix)) return { error: bad('a search pattern has LDH characters only') };
  if (suffix) {
    if (!suffix.startsWith('.')) return { error: unsupported('"*" must end a label') };
    const n = normaliseName(suffix.slice(1));
    if ('problem' in n) return { error: bad(`not a valid domain suffix (${n.problem})`) };
    return { match: { prefix, suffix: `.${n.name}` } };
  }
  return { match: { prefix } };
}

function oneParam(params: URLSearchParams, names: readonly string[]): { name: string; value: string } | RdapQuery {
  const present = names.filter((n) => params.has(n));
  if (present.length !== 1) return bad(`exactly one of ${names.join(', ')} is required`);
  const values = params.getAll(present[0]!);
  if (values.length !== 1) return bad(`${present[0]} given more than once`);
  return { name: present[0]!, value: values[0]! };
}

/** `path` is relative to the base path ("domain/example.tld"); `search` is the raw query string. */
export function routeRdap(path: string, search: string): RdapQuery {
  const q = route(path, search);
  const type = path.split('/')[0] ?? '';
  return q.kind === 'error' && TYPES.has(type) ? { ...q, type } : q;
}

function route(path: string, search: string): RdapQuery {
  const segments = path.split('/');
  const [type, ...rest] = segments;
  const params = new URLSearchParams(search);
  if ((type === 'domain' || type === 'nameserver' || type === 'entity') && rest.length === 1) {
    const value = decode(rest[0]!);
    if (value === undefined || value === '') return bad(`${type} needs a ${type === 'entity' ? 'handle' : 'name'}`);
    if (type === 'entity') return { kind: 'entity', handle: value };
    const n = normaliseName(value);
    if ('problem' in n) return bad(`not a valid ${type === 'domain' ? 'domain' : 'host'} name (${n.problem})`);
    return { kind: type, name: n.name, idn: n.idn };
  }
  if (type === 'help' && rest.length === 0) return { kind: 'help' };
  if (rest.length === 0 && type === 'domains') {
    const p = oneParam(params, ['name', 'nsLdhName', 'nsIp']);
    if ('kind' in p) return p;
    if (p.name === 'nsIp') return isIP(p.value) ? { kind: 'domains', by: { nsIp: p.value } } : bad('nsIp is not an IP address');
    const m = parsePattern(p.value);
    if ('error' in m) return m.error;
    return { kind: 'domains', by: p.name === 'name' ? { name: m.match } : { nsName: m.match } };
  }
  if (rest.length === 0 && type === 'nameservers') {
    const p = oneParam(params, ['name', 'ip']);
    if ('kind' in p) return p;
    if (p.name === 'ip') return isIP(p.value) ? { kind: 'nameservers', by: { ip: p.value } } : bad('ip is not an IP address');
    const m = parsePattern(p.value);
    return 'error' in m ? m.error : { kind: 'nameservers', by: { name: m.match } };
  }
  if (rest.length === 0 && type === 'entities') {
    const p = oneParam(params, ['fn', 'handle']);
    if ('kind' in p) return p;
    const v = p.value.trim();
    if (!v || v === '*') return unsupported('an entity search needs at least one character before "*"');
    if (v.indexOf('*') >= 0 && v.indexOf('*') !== v.length - 1) return unsupported('"*" is supported only at the end of an entity search');
    return { kind: 'entities', by: p.name === 'fn' ? { fn: v } : { handle: v } };
  }
  if (['domains', 'nameservers', 'entities', 'ip', 'autnum'].includes(type ?? '') && rest.length === 0) return bad('not a supported query');
  return bad('not an RDAP query this server answers (RFC 9082 §3)');
}
