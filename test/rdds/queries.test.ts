/** Query parsing: RDAP paths and search patterns (RFC 9082 §3, §4.1) and WHOIS lines (RFC 3912). */
import { describe, expect, it } from 'vitest';
import { parsePattern, routeRdap } from '../../src/rdds/rdap/router.js';
import { parseWhoisQuery } from '../../src/rdds/whois/query.js';
import { wrap } from '../../src/rdds/whois/format.js';

describe('RDAP routes', () => {
  it('routes lookups with U-labels and A-labels', () => {
    expect(routeRdap('domain/caf%C3%A9.example', '')).toEqual({ kind: 'domain', name: 'xn--caf-dma.example', idn: true });
    expect(routeRdap('domain/XN--CAF-DMA.example.', '')).toEqual({ kind: 'domain', name: 'xn--caf-dma.example', idn: false });
    expect(routeRdap('nameserver/ns1.example', '')).toEqual({ kind: 'nameserver', name: 'ns1.example', idn: false });
    expect(routeRdap('entity/C1-REG', '')).toEqual({ kind: 'entity', handle: 'C1-REG' });
    expect(routeRdap('help', '')).toEqual({ kind: 'help' });
  });

  it('refuses what is not an RDAP query with 400, under the type it tried', () => {
    expect(routeRdap('domain/-x-.example', '')).toMatchObject({ kind: 'error', status: 400, type: 'domain' });
    expect(routeRdap('domain', '')).toMatchObject({ kind: 'error', status: 400, type: 'domain' });
    expect(routeRdap('ip/192.0.2.1', '')).toMatchObject({ kind: 'error', status: 400 });
    expect(routeRdap('', '')).toMatchObject({ kind: 'error', status: 400 });
    expect((routeRdap('frobnicate', '') as { type?: string }).type).toBeUndefined();
    expect(routeRdap('domains', 'name=a&name=b')).toMatchObject({ kind: 'error', status: 400, type: 'domains' });
  });

  it('routes searches', () => {
    expect(routeRdap('domains', 'name=exa*')).toEqual({ kind: 'domains', by: { name: { prefix: 'exa' } } });
    expect(routeRdap('domains', 'nsLdhName=ns1.example')).toEqual({ kind: 'domains', by: { nsName: { exact: 'ns1.example' } } });
    expect(routeRdap('domains', 'nsIp=2001:db8::1')).toEqual({ kind: 'domains', by: { nsIp: '2001:db8::1' } });
    expect(routeRdap('nameservers', 'ip=192.0.2.1')).toEqual({ kind: 'nameservers', by: { ip: '192.0.2.1' } });
    expect(routeRdap('entities', 'fn=Acme%20*')).toEqual({ kind: 'entities', by: { fn: 'Acme *' } });
    expect(routeRdap('entities', 'handle=12*')).toEqual({ kind: 'entities', by: { handle: '12*' } });
    expect(routeRdap('entities', 'fn=*Acme')).toMatchObject({ kind: 'error', status: 422 });
  });

  it('supports a "*" ending the first label, with or without a suffix (RFC 9082 §4.1); 422 for other forms', () => {
    expect(parsePattern('Exam*.TLD')).toEqual({ match: { prefix: 'exam', suffix: '.tld' } });
    expect(parsePattern('exam*')).toEqual({ match: { prefix: 'exam' } });
    expect(parsePattern('café.tld')).toEqual({ match: { exact: 'xn--caf-dma.tld' } });
    for (const p of ['*', '*exam', 'ex*am*', 'exam.t*', 'caf*é', 'exam*x.tld']) expect(parsePattern(p), p).toMatchObject({ error: { status: 422 } });
    for (const p of ['', 'ex%am*', 'ex_am*', 'exam*.-bad-']) expect(parsePattern(p), p).toMatchObject({ error: { status: 400 } });
  });
});

describe('WHOIS queries', () => {
  it('parses the query forms', () => {
    expect(parseWhoisQuery('example.tld\r\n')).toEqual({ kind: 'domain', input: 'example.tld' });
    expect(parseWhoisQuery('  DOMAIN   example.tld ')).toEqual({ kind: 'domain', input: 'example.tld' });
    expect(parseWhoisQuery('nameserver ns1.example.tld')).toEqual({ kind: 'nameserver', input: 'ns1.example.tld' });
    expect(parseWhoisQuery('nameserver 192.0.2.1')).toEqual({ kind: 'nameserver-ip', input: '192.0.2.1' });
    expect(parseWhoisQuery('NS 2001:db8::1')).toEqual({ kind: 'nameserver-ip', input: '2001:db8::1' });
    expect(parseWhoisQuery('registrar Example Registrar, Inc.')).toEqual({ kind: 'registrar', input: 'Example Registrar, Inc.' });
    expect(parseWhoisQuery('')).toEqual({ kind: 'help' });
    expect(parseWhoisQuery('registrar')).toMatchObject({ kind: 'invalid' });
    expect(parseWhoisQuery('nameserver a b')).toMatchObject({ kind: 'invalid' });
    expect(parseWhoisQuery('a\x00b')).toMatchObject({ kind: 'invalid' });
  });

  it('wraps the terms of use, keeping paragraphs', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('a\nb')).toEqual(['a', 'b']);
  });
});
