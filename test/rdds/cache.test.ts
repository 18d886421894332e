/** The RDDS caches: dependency invalidation, the in-flight race, standby replay positions, LRU bounds, notice parsing. */
import { describe, expect, it } from 'vitest';
import { depsOfNotice, Invalidations, parseLsn, RecordCache, type Loaded } from '../../src/rdds/cache.js';

/** A load the test completes by hand. */
function deferred<V>() {
  let resolve!: (v: Loaded<V>) => void;
  const promise = new Promise<Loaded<V>>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('depsOfNotice', () => {
  it('maps the migration\'s notice keys to dependency keys', () => {
    expect(depsOfNotice('rdds:d:12:foo.example')).toEqual(['d:12', 'dn:foo.example']);
    expect(depsOfNotice('rdds:d:12')).toEqual(['d:12']);
    expect(depsOfNotice('rdds:h:3:ns1.foo.example')).toEqual(['h:3', 'hn:ns1.foo.example']);
    expect(depsOfNotice('rdds:c:7:C7-REG')).toEqual(['c:7', 'cr:C7-REG']);
    expect(depsOfNotice('rdds:c:7')).toEqual(['c:7']);
    expect(depsOfNotice('registrar:1')).toEqual([]);
    expect(depsOfNotice('zone:1')).toEqual([]);
    expect(depsOfNotice('rdds:x:1')).toEqual([]);
  });

  it('parses pg_lsn values', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(parseLsn(null)).toBeUndefined();
    expect(parseLsn('garbage')).toBeUndefined();
  });
});

describe('RecordCache', () => {
  it('caches a load and drops it when any object it was built from changes', async () => {
    const inv = new Invalidations(false);
    const cache = new RecordCache<string>(inv, 10);
    let loads = 0;
    const load = async () => ({ value: `v${++loads}`, deps: ['d:1', 'c:7'] });
    expect(await cache.get('dn:a', load)).toBe('v1');
    expect(await cache.get('dn:a', load)).toBe('v1');
    inv.note('c:7');
    cache.invalidate('c:7');
    expect(await cache.get('dn:a', load)).toBe('v2');
    // Its own key is a dependency too (a create names the name).
    inv.note('dn:a');
    cache.invalidate('dn:a');
    expect(await cache.get('dn:a', load)).toBe('v3');
    cache.invalidate('c:99');
    expect(await cache.get('dn:a', load)).toBe('v3');
  });

  it('does not cache a load that was in flight when a notice about it arrived', async () => {
    const inv = new Invalidations(false);
    const cache = new RecordCache<string>(inv, 10);
    const first = deferred<string>();
    const p = cache.get('dn:a', () => first.promise);
    // The commit happens and its notice arrives while the load still reads the old row.
    inv.note('d:1');
    cache.invalidate('d:1');
    first.resolve({ value: 'old', deps: ['d:1'] });
    expect(await p).toBe('old');
    expect(cache.size).toBe(0);
    expect(await cache.get('dn:a', async () => ({ value: 'new', deps: ['d:1'] }))).toBe('new');
    expect(cache.size).toBe(1);
    // Once nothing that started before the notice runs, it is forgotten.
    inv.prune();
    expect(inv.pending).toBe(0);
  });

  it('joins a load in flight only when nothing changed since it started', async () => {
    const inv = new Invalidations(false);
    const cache = new RecordCache<string>(inv, 10);
    const first = deferred<string>();
    let second = 0;
    const p1 = cache.get('dn:a', () => first.promise);
    const p2 = cache.get('dn:a', async () => ({ value: `second${++second}`, deps: [] }));
    inv.note('d:9');
    const p3 = cache.get('dn:a', async () => ({ value: `third`, deps: [] }));
    first.resolve({ value: 'first', deps: [] });
    expect(await p1).toBe('first');
    expect(await p2).toBe('first');
    // A request after a notice must not get what was read before it.
    expect(await p3).toBe('third');
    expect(second).toBe(0);
  });

  it('a flush (listener reconnect) counts as a change of everything', async () => {
    const inv = new Invalidations(false);
    const cache = new RecordCache<string>(inv, 10);
    const first = deferred<string>();
    const p = cache.get('dn:a', () => first.promise);
    inv.noteAll();
    cache.flush();
    first.resolve({ value: 'stale', deps: ['d:1'] });
    await p;
    expect(cache.size).toBe(0);
    inv.prune();
    expect(inv.pending).toBe(0);
  });

  it('evicts the least recently used entries beyond its size', async () => {
    const inv = new Invalidations(false);
    const cache = new RecordCache<string>(inv, 2);
    const load = (v: string) => async () => ({ value: v, deps: [`d:${v[0]}`] });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a2'));
    await cache.get('c', load('c'));
    expect(cache.size).toBe(2);
    expect(await cache.get('a', load('a3'))).toBe('a');
    expect(await cache.get('b', load('b2'))).toBe('b2');
    // Evicted entries leave no dependency behind.
    cache.invalidate('d:b');
    expect(await cache.get('b', load('b3'))).toBe('b3');
  });
});

describe('Invalidations in standby mode', () => {
  it('caches a standby read only once that standby replayed past the change', async () => {
    const inv = new Invalidations(true);
    const cache = new RecordCache<string>(inv, 10);
    inv.note('d:1');
    // No primary position yet: nothing read from a standby may be cached.
    expect(inv.needsLsn()).toBe(true);
    await cache.get('dn:a', async () => ({ value: 'maybe-stale', deps: ['d:1'], lsn: 100n }));
    expect(cache.size).toBe(0);
    inv.stamp(500n, inv.current);
    expect(inv.needsLsn()).toBe(false);
    await cache.get('dn:a', async () => ({ value: 'behind', deps: ['d:1'], lsn: 499n }));
    expect(cache.size).toBe(0);
    expect(await cache.get('dn:a', async () => ({ value: 'caught-up', deps: ['d:1'], lsn: 500n }))).toBe('caught-up');
    expect(cache.size).toBe(1);
    // Objects that did not change cache at any position.
    await cache.get('dn:b', async () => ({ value: 'b', deps: ['d:2'], lsn: 1n }));
    expect(cache.size).toBe(2);
    // Settled once every standby has replayed past it.
    inv.prune(499n);
    expect(inv.pending).toBe(1);
    inv.prune(500n);
    expect(inv.pending).toBe(0);
  });

  it('stamps only notices that arrived before the position was sampled', () => {
    const inv = new Invalidations(true);
    inv.note('d:1');
    const upTo = inv.current;
    inv.note('d:2');
    inv.stamp(10n, upTo);
    expect(inv.fresh(['d:1'], inv.current, 10n)).toBe(true);
    expect(inv.fresh(['d:2'], inv.current, 10n)).toBe(false);
    expect(inv.needsLsn()).toBe(true);
  });

  it('after a reconnect, waits for a position before caching anything', () => {
    const inv = new Invalidations(true);
    inv.noteAll();
    expect(inv.fresh(['d:7'], inv.current, 1000n)).toBe(false);
    inv.stamp(50n, inv.current);
    expect(inv.fresh(['d:7'], inv.current, 49n)).toBe(false);
    expect(inv.fresh(['d:7'], inv.current, 50n)).toBe(true);
  });
});
