/** The per-client token buckets, on an injected clock. */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/rdds/rate-limit.js';

describe('RateLimiter', () => {
  it('allows a burst, then the sustained rate, with Retry-After in whole seconds', () => {
    let now = 0;
    const l = new RateLimiter({ perMinute: 60, burst: 3, clock: () => now });
    for (let i = 0; i < 3; i++) expect(l.take('192.0.2.1')).toEqual({ ok: true });
    expect(l.take('192.0.2.1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 500;
    expect(l.take('192.0.2.1')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 500;
    expect(l.take('192.0.2.1')).toEqual({ ok: true });
    // Another client has its own budget.
    expect(l.take('192.0.2.2')).toEqual({ ok: true });
    // Refills never exceed the burst.
    now += 3_600_000;
    for (let i = 0; i < 3; i++) expect(l.take('192.0.2.1').ok).toBe(true);
    expect(l.take('192.0.2.1').ok).toBe(false);
  });

  it('charges a costlier query more, at most the whole burst', () => {
    let now = 0;
    const l = new RateLimiter({ perMinute: 60, burst: 5, clock: () => now });
    expect(l.take('198.51.100.1', 3).ok).toBe(true);
    expect(l.take('198.51.100.1', 3)).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 5000;
    expect(l.take('198.51.100.1', 50).ok).toBe(true);
    expect(l.take('198.51.100.1', 50)).toEqual({ ok: false, retryAfterSeconds: 5 });
  });

  it('puts an IPv6 /64 in one bucket and IPv4-mapped addresses with IPv4', () => {
    const l = new RateLimiter({ perMinute: 1, burst: 1, clock: () => 0 });
    expect(l.clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(l.take('2001:db8:1:2::1').ok).toBe(true);
    expect(l.take('2001:db8:1:2:ffff:ffff:ffff:ffff').ok).toBe(false);
    expect(l.take('2001:db8:1:3::1').ok).toBe(true);
    expect(l.take('::ffff:192.0.2.9').ok).toBe(true);
    expect(l.take('192.0.2.9').ok).toBe(false);
    expect(new RateLimiter({ perMinute: 1, burst: 1, ipv6Prefix: 48 }).clientKey('2001:db8:1:2::1')).toBe('2001:db8:1::/48');
  });

  it('never limits exempt networks', () => {
    const l = new RateLimiter({ perMinute: 1, burst: 1, exempt: ['203.0.113.0/24', '2001:db8::/32'], clock: () => 0 });
    for (let i = 0; i < 100; i++) expect(l.take('203.0.113.77').ok).toBe(true);
    for (let i = 0; i < 100; i++) expect(l.take('2001:db8::5').ok).toBe(true);
    expect(l.take('203.0.114.1').ok).toBe(true);
    expect(l.take('203.0.114.1').ok).toBe(false);
    expect(l.trackedClients).toBe(1);
  });

  it('forgets the least recently seen clients beyond its table size', () => {
    const l = new RateLimiter({ perMinute: 1, burst: 1, maxClients: 2, clock: () => 0 });
    expect(l.take('192.0.2.1').ok).toBe(true);
    expect(l.take('192.0.2.2').ok).toBe(true);
    expect(l.take('192.0.2.1').ok).toBe(false);
    expect(l.take('192.0.2.3').ok).toBe(true);
    expect(l.trackedClients).toBe(2);
    // 192.0.2.2 was the least recently seen: forgotten, it starts again with a full budget.
    expect(l.take('192.0.2.2').ok).toBe(true);
  });

  it('refuses a nonsense configuration', () => {
    expect(() => new RateLimiter({ perMinute: 0, burst: 1 })).toThrow(TypeError);
    expect(() => new RateLimiter({ perMinute: 1, burst: 1, exempt: ['not-a-cidr'] })).toThrow(TypeError);
  });
});
