/** WHOIS query lines (RFC 3912: one line, CRLF-terminated): "NAME", "domain NAME", "nameserver NAME|IP", "registrar NAME|IANA-ID". */
import { isIP } from 'node:net';

export type WhoisQuery =
  | { kind: 'domain'; input: string }
  | { kind: 'nameserver'; input: string }
  | { kind: 'nameserver-ip'; input: string }
  | { kind: 'registrar'; input: string }
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string };

export function parseWhoisQuery(line: string): WhoisQuery {
  const q = line.replace(/[\r\n]+$/, '').trim();
  if (q === '' || q.toLowerCase() === 'help') return { kind: 'help' };
  if (/[\x00-\x1f\x7f]/.test(q)) return { kind: 'invalid', reason: 'control characters in the query' };
  if (['domain', 'nameserver', 'ns', 'registrar'].includes(q.toLowerCase())) return { kind: 'invalid', reason: `${q.toLowerCase()} needs a name` };
  const space = q.search(/\s/);
  const keyword = space < 0 ? '' : q.slice(0, space).toLowerCase();
  const rest = space < 0 ? q : q.slice(space).trim();
  if (keyword === 'domain') return oneToken(rest, 'domain');
  if (keyword === 'nameserver' || keyword === 'ns') {
    const t = oneToken(rest, 'nameserver');
    if (t.kind === 'nameserver' && isIP(t.input)) return { kind: 'nameserver-ip', input: t.input };
    return t;
  }
  if (keyword === 'registrar') return rest ? { kind: 'registrar', input: rest } : { kind: 'invalid', reason: 'registrar needs a name or an IANA ID' };
  if (space < 0) return { kind: 'domain', input: q };
  return { kind: 'invalid', reason: 'unknown query type (use a domain name, "nameserver NAME", or "registrar NAME")' };
}

function oneToken(rest: string, kind: 'domain' | 'nameserver'): WhoisQuery {
  if (!rest || /\s/.test(rest)) return { kind: 'invalid', reason: `${kind} needs exactly one name` };
  return { kind, input: rest };
}
