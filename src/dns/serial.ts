/** SOA serial numbers: RFC 1982 serial-number arithmetic on 32 bits, and the next serial to publish. */

const MOD = 2 ** 32;
const HALF = 2 ** 31;

/** RFC 1982 §3.2: s1 > s2 in serial arithmetic (undefined for values exactly 2^31 apart: false). */
export function serialGreater(s1: number, s2: number): boolean {
  return (s1 < s2 && s2 - s1 > HALF) || (s1 > s2 && s1 - s2 < HALF);
}

/** The later of two serials in serial arithmetic. */
export function serialMax(a: number, b: number): number {
  return serialGreater(b, a) ? b : a;
}

/**
 * The serial to publish after `prev`: the current Unix time when that is later in serial
 * arithmetic (so serials read as times on a quiet zone), else prev + 1 mod 2^32 (RFC 1982 §3.1
 * addition, always an increase). Either way the result is greater than prev.
 */
export function nextSerial(prev: number, now: Date): number {
  const t = Math.floor(now.getTime() / 1000) % MOD;
  return serialGreater(t, prev) ? t : (prev + 1) % MOD;
}
