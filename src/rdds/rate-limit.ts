/**
 * Per-client query budgets for WHOIS and RDAP: a token bucket per address (IPv6 per prefix, so
 * one subnet cannot rotate addresses around the limit), an exemption list, a bounded table, and
 * an injected clock so tests do not sleep.
 */
import ipaddr from 'ipaddr.js';
import { AllowList } from '../security/allowlist.js';

export interface RateLimitOptions {
  /** Sustained queries per minute per client. */
  perMinute: number;
  /** Queries a quiet client may send at once. */
  burst: number;
  exempt?: readonly string[];
  /** IPv6 clients share a bucket per prefix of this length (default 64). */
  ipv6Prefix?: number;
  /** Clients tracked; the least recently seen are forgotten beyond this (they start again full). */
  maxClients?: number;
  /** Milliseconds, monotonic enough for refills. */
  clock?: () => number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket { tokens: number; at: number }

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly exempt: AllowList;
  private readonly perMs: number;
  private readonly clock: () => number;
  private readonly maxClients: number;
  private readonly ipv6Prefix: number;

  constructor(private readonly opts: RateLimitOptions) {
    if (!(opts.perMinute > 0) || !(opts.burst >= 1)) throw new TypeError('a rate limit needs perMinute > 0 and burst >= 1');
    this.perMs = opts.perMinute / 60_000;
    this.clock = opts.clock ?? (() => performance.now());
    this.maxClients = opts.maxClients ?? 100_000;
    this.ipv6Prefix = opts.ipv6Prefix ?? 64;
    try {
      this.exempt = new AllowList(opts.exempt ?? []);
    } catch {
      throw new TypeError(`not a list of CIDRs: ${(opts.exempt ?? []).join(', ')}`);
    }
  }

  get trackedClients(): number { return this.buckets.size; }

  /** The bucket an address draws from: the address itself (IPv4, IPv4-mapped IPv6 as IPv4), or its IPv6 prefix. */
  clientKey(address: string): string {
    let a: ipaddr.IPv4 | ipaddr.IPv6;
    try { a = ipaddr.process(address); } catch { return address; }
    if (a.kind() === 'ipv4') return a.toString();
    const bytes = a.toByteArray();
    for (let bit = this.ipv6Prefix; bit < 128; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return `${ipaddr.fromByteArray(bytes).toString()}/${this.ipv6Prefix}`;
  }

  /** Spends `cost` tokens of the client's budget, or says how long until it could. */
  take(address: string, cost = 1): RateDecision {
    if (this.exempt.size && this.exempt.has(address)) return { ok: true };
    const key = this.clientKey(address);
    const now = this.clock();
    let b = this.buckets.get(key);
    if (b) {
      b.tokens = Math.min(this.opts.burst, b.tokens + (now - b.at) * this.perMs);
      b.at = now;
      // Re-insert so that Map order is least recently seen first (eviction below).
      this.buckets.delete(key);
    } else {
      b = { tokens: this.opts.burst, at: now };
    }
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxClients) this.buckets.delete(this.buckets.keys().next().value!);
    // A query dearer than the whole burst would never pass: it costs the burst at most.
    const need = Math.min(cost, this.opts.burst);
    if (b.tokens >= need) { b.tokens -= need; return { ok: true }; }
    // RFC 6585 §4 / RFC 9110 §10.2.3: whole seconds, at least one.
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((need - b.tokens) / this.perMs / 1000)) };
  }
}
