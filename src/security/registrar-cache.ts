/**
 * Per-process cache of registrar credentials, allow-lists and certificate bindings, dropped by
 * NOTIFY (registrar:<id>) so a password change or a revoked address takes effect everywhere.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';
import { allAllowedCidrs, findRegistrarAuth, type RegistrarAuth } from '../db/queries/registrars.js';
import { AllowList } from './allowlist.js';
import { verifyPassword } from './password.js';

export interface CachedRegistrar extends RegistrarAuth { allow: AllowList }

export interface CacheStats { hit(): void; miss(): void; invalidated(kind: 'key' | 'flush'): void }

export class RegistrarCache implements CacheListener {
  private readonly byClientId = new Map<string, Promise<CachedRegistrar | undefined>>();
  /** HMAC of a password that already passed scrypt, per registrar: later logins skip scrypt. */
  private readonly verified = new Map<number, Buffer>();
  /** scrypt checks in progress, by registrar, stored hash and password digest. */
  private readonly verifying = new Map<string, Promise<boolean>>();
  private union: Promise<AllowList> | undefined;
  private readonly secret = randomBytes(32);
  private generation = 0;

  constructor(private readonly db: () => Queryable, private readonly stats?: CacheStats) {}

  get(clientId: string): Promise<CachedRegistrar | undefined> {
    let p = this.byClientId.get(clientId);
    if (p) { this.stats?.hit(); return p; }
    this.stats?.miss();
    const gen = this.generation;
    p = findRegistrarAuth(this.db(), clientId).then((r) => (r ? { ...r, allow: new AllowList(r.cidrs) } : undefined));
    this.byClientId.set(clientId, p);
    // A failed load, or one overtaken by an invalidation, must not stay cached.
    p.then((r) => { if (gen !== this.generation || !r) this.byClientId.delete(clientId); },
      () => this.byClientId.delete(clientId));
    return p;
  }

  /** Union of all enabled registrars' allow-lists, for the pre-TLS connection check. */
  allowedAnywhere(): Promise<AllowList> {
    if (!this.union) {
      const gen = this.generation;
      const p = allAllowedCidrs(this.db()).then((c) => new AllowList(c));
      this.union = p;
      p.then(() => { if (gen !== this.generation && this.union === p) this.union = undefined; },
        () => { if (this.union === p) this.union = undefined; });
    }
    return this.union;
  }

  private digest(pw: string): Buffer {
    return createHmac('sha256', this.secret).update(pw.normalize('NFC')).digest();
  }

  /** The password already passed scrypt in this process since the registrar last changed (constant time, no scrypt). */
  knownPassword(r: CachedRegistrar, pw: string): boolean {
    const known = this.verified.get(r.id);
    return known !== undefined && timingSafeEqual(known, this.digest(pw));
  }

  /**
   * Checks a password: in constant time against the remembered digest when this process has
   * seen it succeed since the last change, otherwise with scrypt (then remembered).
   */
  async checkPassword(r: CachedRegistrar | undefined, pw: string): Promise<boolean> {
    if (!r) return verifyPassword(pw, undefined);
    if (this.knownPassword(r, pw)) return true;
    // Sessions of one registrar tend to log in together (a client reconnecting its pool after
    // a restart): the same password for the same stored hash is put through scrypt once.
    const digest = this.digest(pw);
    const key = `${r.id}:${r.passwordHash}:${digest.toString('base64')}`;
    let pending = this.verifying.get(key);
    if (!pending) {
      const gen = this.generation;
      pending = verifyPassword(pw, r.passwordHash).then((ok) => {
        if (ok && gen === this.generation) this.verified.set(r.id, digest);
        return ok;
      }).finally(() => this.verifying.delete(key));
      this.verifying.set(key, pending);
    }
    return pending;
  }

  invalidate(key: string): void {
    this.generation++;
    if (key.startsWith('registrar:')) {
      const id = Number(key.slice('registrar:'.length));
      this.verified.delete(id);
      // Entries are keyed by clID and the notice names an id: registrars are few, so drop all
      // loaded entries synchronously (a login racing the notice cannot reuse stale data).
      this.byClientId.clear();
      this.union = undefined;
      this.stats?.invalidated('key');
    }
  }

  flushAll(): void {
    this.generation++;
    this.byClientId.clear();
    this.verified.clear();
    this.union = undefined;
    this.stats?.invalidated('flush');
  }
}
