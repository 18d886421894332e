/** RFC 1982 serial arithmetic, NSEC3 hashing (RFC 5155 Appendix A) and PowerDNS orderings. */
import { describe, expect, it } from 'vitest';
import { ancestorsBelowZone, base32hex, nsec3Hash, nsecOrdername, unitOf } from '../../src/dns/names.js';
import { nextSerial, serialGreater, serialMax } from '../../src/dns/serial.js';

describe('serial numbers (RFC 1982)', () => {
  const at = (unix: number) => new Date(unix * 1000);
  it('compares across the wrap', () => {
    expect(serialGreater(1, 0)).toBe(true);
    expect(serialGreater(0, 2 ** 32 - 1)).toBe(true);
    expect(serialGreater(2 ** 32 - 1, 0)).toBe(false);
    expect(serialGreater(5, 5)).toBe(false);
    expect(serialGreater(2 ** 31 + 5, 5)).toBe(false); // exactly 2^31 apart: undefined, never "greater"
    expect(serialMax(2 ** 32 - 10, 3)).toBe(3);
  });
  it('uses the time when it is later, else adds one (mod 2^32)', () => {
    expect(nextSerial(0, at(1_800_000_000))).toBe(1_800_000_000);
    expect(nextSerial(1_800_000_000, at(1_800_000_000))).toBe(1_800_000_001);
    expect(nextSerial(1_800_000_500, at(1_800_000_000))).toBe(1_800_000_501);
    expect(nextSerial(2 ** 32 - 1, at(2 ** 32 - 5))).toBe(0);
    expect(nextSerial(2 ** 32 - 1, at(1_800_000_000))).toBe(1_800_000_000); // later in serial arithmetic across the wrap
    for (const prev of [0, 1, 2 ** 31, 2 ** 32 - 1, 1_800_000_000]) expect(serialGreater(nextSerial(prev, at(1_700_000_000)), prev)).toBe(true);
  });
});

describe('names', () => {
  it('finds the unit (name one label below the zone) of an owner name', () => {
    expect(unitOf('example', 'example')).toBe('example');
    expect(unitOf('foo.example', 'example')).toBe('foo.example');
    expect(unitOf('ns1.sub.foo.example', 'example')).toBe('foo.example');
    expect(unitOf('a.co.uk', 'co.uk')).toBe('a.co.uk');
    expect(unitOf('other.net', 'example')).toBeUndefined();
    expect(unitOf('xexample', 'example')).toBeUndefined();
  });
  it('orders names as PowerDNS does for NSEC, and lists empty non-terminals', () => {
    expect(nsecOrdername('example', 'example')).toBe('');
    expect(nsecOrdername('a.b.c.example', 'example')).toBe('c b a');
    expect(ancestorsBelowZone('a.b.c.example', 'example')).toEqual(['b.c.example', 'c.example']);
  });
  it('hashes as RFC 5155 Appendix A does (salt aabbccdd, 12 iterations)', () => {
    expect(nsec3Hash('example', 12, 'aabbccdd')).toBe('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom');
    expect(nsec3Hash('a.example', 12, 'aabbccdd')).toBe('35mthgpgcu1qg68fab165klnsnk3dpvl');
    expect(nsec3Hash('ns1.example', 12, 'aabbccdd')).toBe('2t7b4g4vsa5smi47k61mv5bv1a22bojr');
    expect(base32hex(Buffer.from('f'))).toBe('co');
  });
});
