/** The zone content rules on their own: delegation, DS, narrow glue, apex name servers, orderings, opt-out, empty non-terminals. */
import { describe, expect, it } from 'vitest';
import type { ZoneSettings } from '../../src/dns/settings.js';
import { apexUnits, renderApex, renderUnit, type UnitData } from '../../src/dns/zone-content.js';
import { nsec3Hash } from '../../src/dns/names.js';

const settings = (o: Partial<ZoneSettings> = {}): ZoneSettings => ({
  zoneId: 1, zone: 'example', publish: true,
  soa: { mname: 'ns1.nic.example', rname: 'hostmaster.nic.example', refresh: 1800, retry: 900, expire: 1209600, minimum: 900 },
  ttl: { soa: 3600, ns: 86400, ds: 3600, glue: 86400 },
  dnssec: true, nsec3: false, nsec3OptOut: false,
  ns: [{ name: 'ns1.nic.example', addrs: ['127.0.0.53'] }, { name: 'ns.other.net', addrs: [] }],
  ...o,
});
const unit = (o: Partial<UnitData> = {}): UnitData => ({ name: 'foo.example', published: true, ns: ['ns1.foo.example', 'ns.provider.net'], glue: [], ds: [], ...o });
const brief = (recs: ReturnType<typeof renderUnit>) => recs.map((r) => `${r.name} ${r.type ?? 'ENT'} ${r.content ?? ''} auth=${r.auth} order=${r.ordername ?? '-'}`);

describe('zone content', () => {
  it('a delegation: NS not authoritative, DS authoritative, narrow glue below it', () => {
    const recs = renderUnit(settings(), 'foo.example', unit({
      glue: [{ name: 'ns1.foo.example', addrs: ['81.2.69.1', '2a01::1'] }, { name: 'a.b.foo.example', addrs: ['81.2.69.2'] }],
      ds: [{ keyTag: 1, alg: 13, digestType: 2, digest: 'AB' }],
    }));
    expect(brief(recs)).toEqual([
      'a.b.foo.example A 81.2.69.2 auth=false order=-',
      'b.foo.example ENT  auth=false order=-',
      'foo.example DS 1 13 2 ab auth=true order=foo',
      'foo.example NS ns.provider.net auth=false order=foo',
      'foo.example NS ns1.foo.example auth=false order=foo',
      'ns1.foo.example A 81.2.69.1 auth=false order=-',
      'ns1.foo.example AAAA 2a01::1 auth=false order=-',
    ]);
  });

  it('nothing for a domain that is not published', () => {
    expect(renderUnit(settings(), 'foo.example', unit({ published: false }))).toEqual([]);
    expect(renderUnit(settings(), 'foo.example', undefined)).toEqual([]);
  });

  it('glue outside the domain is never published (narrow glue)', () => {
    expect(brief(renderUnit(settings(), 'foo.example', unit({ glue: [{ name: 'ns.bar.example', addrs: ['81.2.69.3'] }] }))).some((l) => l.startsWith('ns.bar'))).toBe(false);
  });

  it('the zone\'s own name servers: authoritative with an empty non-terminal, or glue under a delegation', () => {
    expect(apexUnits(settings())).toEqual(['nic.example']);
    expect(brief(renderUnit(settings(), 'nic.example', undefined))).toEqual(['nic.example ENT  auth=true order=-', 'ns1.nic.example A 127.0.0.53 auth=true order=nic ns1']);
    const delegated = brief(renderUnit(settings(), 'nic.example', unit({ name: 'nic.example', ns: ['ns.provider.net'], glue: [{ name: 'ns1.nic.example', addrs: ['81.2.69.9'] }] })));
    // The zone's configured address wins over the registrar's, and it is glue now.
    expect(delegated).toEqual(['nic.example NS ns.provider.net auth=false order=nic', 'ns1.nic.example A 127.0.0.53 auth=false order=-']);
  });

  it('NSEC3: hashed orderings, authoritative empty non-terminals hashed, opt-out leaves unsigned delegations out', () => {
    const s = settings({ nsec3: true });
    expect(brief(renderUnit(s, 'nic.example', undefined))).toEqual([`nic.example ENT  auth=true order=${nsec3Hash('nic.example')}`, `ns1.nic.example A 127.0.0.53 auth=true order=${nsec3Hash('ns1.nic.example')}`]);
    const optOut = settings({ nsec3: true, nsec3OptOut: true });
    expect(renderUnit(optOut, 'foo.example', unit())[0]!.ordername).toBeNull();
    expect(renderUnit(optOut, 'foo.example', unit({ ds: [{ keyTag: 1, alg: 13, digestType: 2, digest: 'AB' }] }))[0]!.ordername).toBe(nsec3Hash('foo.example'));
  });

  it('unsigned zones carry no ordering; the apex has SOA and NS', () => {
    expect(renderUnit(settings({ dnssec: false }), 'foo.example', unit()).every((r) => r.ordername === null)).toBe(true);
    expect(brief(renderApex(settings(), 42))).toEqual([
      'example NS ns.other.net auth=true order=',
      'example NS ns1.nic.example auth=true order=',
      'example SOA ns1.nic.example hostmaster.nic.example 42 1800 900 1209600 900 auth=true order=',
    ]);
  });
});
