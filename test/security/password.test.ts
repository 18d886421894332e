/** Registrar passwords: scrypt hashes, verification with the stored parameters, and what never matches. */
import { describe, expect, it } from 'vitest';
import { randomBytes, scryptSync } from 'node:crypto';
import { generatePassword, hashPassword, passwordPolicyError, verifyPassword } from '../../src/security/password.js';

const stored = (pw: string, logN: number, r: number, p: number, keyLen: number) => {
  const salt = randomBytes(16);
  const key = scryptSync(pw, salt, keyLen, { N: 2 ** logN, r, p, maxmem: 256 * 1024 * 1024 });
  return `scrypt$${logN}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
};

describe('passwords', () => {
  it('hashes with scrypt (N=2^15, r=8) and a fresh salt, and verifies only the right password', async () => {
    const h = await hashPassword('Secret-123');
    expect(h).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await hashPassword('Secret-123')).not.toBe(h);
    expect(await verifyPassword('Secret-123', h)).toBe(true);
    expect(await verifyPassword('Secret-124', h)).toBe(false);
  });

  it('verifies a hash made with other parameters and key length with its own', async () => {
    expect(await verifyPassword('Older-pw-1', stored('Older-pw-1', 14, 8, 1, 64))).toBe(true);
    expect(await verifyPassword('Older-pw-2', stored('Older-pw-1', 14, 8, 1, 64))).toBe(false);
  });

  it('never matches an unknown registrar, a malformed hash or parameters out of bounds', async () => {
    expect(await verifyPassword('anything-1', undefined)).toBe(false);
    expect(await verifyPassword('anything-1', 'plaintext')).toBe(false);
    expect(await verifyPassword('anything-1', 'scrypt$15$8$1$c2FsdA==')).toBe(false);
    expect(await verifyPassword('Secret-123', stored('Secret-123', 9, 8, 1, 32))).toBe(false);
    expect(await verifyPassword('Secret-123', 'scrypt$40$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(32).toString('base64'))).toBe(false);
    expect(await verifyPassword('Secret-123', 'scrypt$15.5$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(32).toString('base64'))).toBe(false);
  });

  it('treats NFC and NFD spellings of a password as the same', async () => {
    expect(await verifyPassword('Caf\u0065\u0301-12', await hashPassword('Caf\u00e9-12'))).toBe(true);
  });

  it('generates passwords that satisfy the policy and EPP pwType (6-16 characters)', () => {
    for (let i = 0; i < 50; i++) {
      const pw = generatePassword();
      expect(passwordPolicyError(pw)).toBeUndefined();
      expect(pw.length).toBeGreaterThanOrEqual(6);
      expect(pw.length).toBeLessThanOrEqual(16);
    }
    expect(passwordPolicyError('short1')).toBeDefined();
    expect(passwordPolicyError('onlyletters')).toBeDefined();
  });
});
