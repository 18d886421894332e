/** Registrar passwords: scrypt (memory-hard) hashes, constant-time comparison, generated passwords. */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// N = 2^15, r = 8: 32 MiB and tens of milliseconds per hash (OWASP's scrypt baseline or above).
const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scryptAsync(pw: string, salt: Buffer, logN: number, r: number, p: number, keyLen = KEY_LEN): Promise<Buffer> {
  const opts: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 2 * 128 * r * 2 ** logN + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(pw.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pw, salt, LOG_N, R, P);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

// Verifying against this when the clID is unknown keeps the time of a refusal independent of
// whether the registrar exists.
const DUMMY = `scrypt$${LOG_N}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LEN).toString('base64')}`;

/**
 * Compares in constant time (timingSafeEqual over equal-length keys). A stored hash with other
 * parameters is verified with its own; a malformed or out-of-bounds one never matches.
 */
export async function verifyPassword(pw: string, stored: string | undefined): Promise<boolean> {
  const parts = (stored ?? DUMMY).split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, logN, r, p, salt, hash] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, 'base64');
  const [n, rr, pp] = [Number(logN), Number(r), Number(p)];
  // Bounds keep a corrupted row from asking for gigabytes or hours.
  if (![n, rr, pp].every(Number.isInteger) || !(n >= 10 && n <= 20 && rr >= 1 && rr <= 32 && pp >= 1 && pp <= 16 && expected.length >= 16 && expected.length <= 64)) return false;
  const key = await scryptAsync(pw, Buffer.from(salt, 'base64'), n, rr, pp, expected.length);
  return timingSafeEqual(key, expected) && stored !== undefined;
}

/** A password that satisfies EPP's pwType (6-16 characters) and our policy, with 96 bits of entropy. */
export function generatePassword(): string {
  for (;;) {
    const pw = randomBytes(12).toString('base64url');
    if (!passwordPolicyError(pw)) return pw;
  }
}

/** RFC 5730 pwType is 6-16 characters; we additionally refuse whitespace-only and trivially short sets. */
export function passwordPolicyError(pw: string): string | undefined {
  if (pw.length < 8 || pw.length > 16) return 'password must be 8-16 characters';
  if (!/[A-Za-z]/.test(pw) || !/[0-9_\-!@#$%^&*()+=.,;:?~]/.test(pw)) return 'password needs letters and digits or symbols';
  return undefined;
}
