/** Domain and host name syntax (RFC 1035 LDH, RFC 5890 A-labels) and zone membership. */
import { domainToASCII } from 'node:url';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export type NameProblem = 'syntax' | 'length' | 'idn';

/**
 * Lower-cases and converts U-labels to A-labels. Returns the A-label form or a problem. Rules:
 * labels 1-63 LDH characters without a leading or trailing hyphen (RFC 1123 §2.1), the whole
 * name at most 253 characters, and "--" in positions 3-4 only for valid "xn--" A-labels
 * (RFC 5891 §4.2.3.1). EPP names carry no root dot: "example.com." is refused rather than
 * accepted as a second spelling of one object.
 */
export function toALabel(input: string): { name: string } | { problem: NameProblem } {
  let name = input.trim().toLowerCase();
  if (name.length === 0 || name.endsWith('.')) return { problem: 'syntax' };
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (!ascii) return { problem: 'idn' };
    name = ascii;
  }
  if (name.length > 253) return { problem: 'length' };
  for (const label of name.split('.')) {
    if (label.length > 63) return { problem: 'length' };
    if (!LABEL.test(label)) return { problem: 'syntax' };
    if (label.slice(2, 4) === '--') {
      if (!label.startsWith('xn--')) return { problem: 'syntax' };
      // An A-label must decode to a valid U-label and encode back to itself.
      const round = domainToASCII(label);
      if (round !== label) return { problem: 'idn' };
    }
  }
  return { name };
}

export interface ZoneRef { id: number; name: string }

/** The zone a name is registered in: the longest zone that is its parent; undefined if none. */
export function zoneOf(name: string, zones: Iterable<ZoneRef>): ZoneRef | undefined {
  let best: ZoneRef | undefined;
  for (const z of zones) {
    if (name.endsWith('.' + z.name) && (!best || z.name.length > best.name.length)) best = z;
  }
  return best;
}

/** Registrations are one label below their zone ("foo.example" in "example", not "a.foo.example"). */
export function isRegistrable(name: string, zone: ZoneRef): boolean {
  const prefix = name.slice(0, name.length - zone.name.length - 1);
  return prefix.length > 0 && !prefix.includes('.');
}
