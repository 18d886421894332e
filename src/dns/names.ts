/**
 * DNS name helpers for publication: unit names, the owner-name ordering PowerDNS keeps for
 * DNSSEC (NSEC order and NSEC3 hashes, RFC 4034 §6.1 and RFC 5155 §5), and empty non-terminals.
 */
import { createHash } from 'node:crypto';

/** The unit an owner name belongs to in a zone: the zone itself, or its name one label below. */
export function unitOf(owner: string, zone: string): string | undefined {
  if (owner === zone) return zone;
  if (!owner.endsWith('.' + zone)) return undefined;
  const rel = owner.slice(0, owner.length - zone.length - 1);
  const last = rel.slice(rel.lastIndexOf('.') + 1);
  return `${last}.${zone}`;
}

/** Labels of owner relative to zone ('' for the apex). */
function relativeLabels(owner: string, zone: string): string[] {
  if (owner === zone) return [];
  return owner.slice(0, owner.length - zone.length - 1).split('.');
}

/** PowerDNS's NSEC ordername: the labels below the zone, most significant first, space-separated. */
export function nsecOrdername(owner: string, zone: string): string {
  return relativeLabels(owner, zone).reverse().join(' ');
}

/** Wire form of a name (RFC 1035 §3.1), lower case as canonical form requires (RFC 4034 §6.2). */
export function wireName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name === '' ? [] : name.toLowerCase().split('.')) {
    const b = Buffer.from(label, 'ascii');
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const B32HEX = '0123456789abcdefghijklmnopqrstuv';

/** Base 32 with the extended hex alphabet, no padding (RFC 4648 §7, as RFC 5155 §3.3 uses it). */
export function base32hex(buf: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32HEX[(value << (5 - bits)) & 31];
  return out;
}

/** RFC 5155 §5: IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(salt, x, k-1) || salt); SHA-1. */
export function nsec3Hash(name: string, iterations = 0, saltHex = ''): string {
  const salt = Buffer.from(saltHex, 'hex');
  let h = createHash('sha1').update(wireName(name)).update(salt).digest();
  for (let i = 0; i < iterations; i++) h = createHash('sha1').update(h).update(salt).digest();
  return base32hex(h);
}

/** Every name strictly between the zone apex and owner, e.g. b.c.zone and c.zone for a.b.c.zone. */
export function ancestorsBelowZone(owner: string, zone: string): string[] {
  const labels = relativeLabels(owner, zone);
  const out: string[] = [];
  for (let i = 1; i < labels.length; i++) out.push(`${labels.slice(i).join('.')}.${zone}`);
  return out;
}

/** True when name is at or below ancestor. */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  return name === ancestor || name.endsWith('.' + ancestor);
}
