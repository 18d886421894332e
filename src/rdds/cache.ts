/**
 * The RDDS front-end's in-process caches, kept fresh by the change log (changes.ts). Each cached
 * record names the objects it was built from ("d:12", "c:7", "h:3", "dn:foo.example"); a notice
 * (a change-log row) about any of them
 * drops it. Two races are closed here: a load that was in flight when a notice arrived is not
 * cached (it may have read the old row), and, when reads go to a standby, a load is cached only
 * if that standby had replayed the WAL position the primary had reached after the notice.
 */

/** A pg_lsn ("16/B374D848") as a number of bytes; undefined for NULL (a primary has no replay position). */
export function parseLsn(text: string | null | undefined): bigint | undefined {
  if (!text) return undefined;
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  return (BigInt(`0x${text.slice(0, slash)}`) << 32n) + BigInt(`0x${text.slice(slash + 1)}`);
}

interface Taint {
  /** Invalidation sequence number of the notice. */
  seq: number;
  /** Primary WAL insert position sampled after the notice arrived (standby mode only). */
  lsn?: bigint;
}

/**
 * Which objects changed since when. `standby` mode (reads from a standby) also requires a load
 * to have seen a replay position past each change before its result may be cached.
 */
export class Invalidations {
  private seq = 0;
  private readonly taints = new Map<string, Taint>();
  /** A flush (listener reconnect): notices may have been lost, so every object counts as changed. */
  private global: Taint | undefined;
  private readonly inflight = new Map<number, number>();

  constructor(readonly standby: boolean) {}

  get current(): number { return this.seq; }
  get pending(): number { return this.taints.size + (this.global ? 1 : 0); }

  /** A load starts: returns its start sequence number, to pass to fresh() and end(). */
  begin(): number {
    this.inflight.set(this.seq, (this.inflight.get(this.seq) ?? 0) + 1);
    return this.seq;
  }

  end(start: number): void {
    const n = (this.inflight.get(start) ?? 1) - 1;
    if (n > 0) this.inflight.set(start, n); else this.inflight.delete(start);
  }

  note(dep: string): void {
    this.seq++;
    this.taints.delete(dep);
    this.taints.set(dep, { seq: this.seq });
  }

  noteAll(): void {
    this.seq++;
    this.global = { seq: this.seq };
  }

  /** May a load that started at `start`, read at replay position `lsn`, and depends on `deps` be cached? */
  fresh(deps: readonly string[], start: number, lsn: bigint | undefined): boolean {
    const ok = (t: Taint | undefined) => {
      if (!t) return true;
      if (t.seq > start) return false;
      if (!this.standby) return true;
      return t.lsn !== undefined && lsn !== undefined && lsn >= t.lsn;
    };
    if (!ok(this.global)) return false;
    for (const d of deps) if (!ok(this.taints.get(d))) return false;
    return true;
  }

  /** Changes noted so far that still wait for a primary WAL position (standby mode). */
  needsLsn(): boolean {
    if (!this.standby) return false;
    if (this.global && this.global.lsn === undefined) return true;
    for (const t of this.taints.values()) if (t.lsn === undefined) return true;
    return false;
  }

  /** `lsn` was sampled on the primary after every notice up to sequence `upTo` had arrived. */
  stamp(lsn: bigint, upTo: number): void {
    if (this.global && this.global.lsn === undefined && this.global.seq <= upTo) this.global.lsn = lsn;
    for (const t of this.taints.values()) if (t.lsn === undefined && t.seq <= upTo) t.lsn = lsn;
  }

  /**
   * Forgets changes no load can be confused by any more: no load that started before them is
   * still running, and (standby mode) every standby has replayed past them.
   */
  prune(minReplayLsn?: bigint): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const s of this.inflight.keys()) if (s < oldest) oldest = s;
    const done = (t: Taint) => t.seq <= oldest && (!this.standby || (t.lsn !== undefined && minReplayLsn !== undefined && minReplayLsn >= t.lsn));
    if (this.global && done(this.global)) this.global = undefined;
    for (const [k, t] of this.taints) if (done(t)) this.taints.delete(k);
  }
}

export interface Loaded<V> {
  value: V;
  /** Objects the value was built from (besides its own cache key). */
  deps: readonly string[];
  /** The standby's replay position when it was read (undefined on a primary). */
  lsn?: bigint;
}

export interface CacheStats { hit(): void; miss(): void; invalidated(kind: 'key' | 'flush'): void }

interface Entry<V> { value: V; deps: readonly string[] }

/** An LRU map of records, dropped by dependency, filled by single-flight loads. */
export class RecordCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly byDep = new Map<string, Set<string>>();
  private readonly loading = new Map<string, { start: number; promise: Promise<V> }>();

  constructor(private readonly inv: Invalidations, private readonly maxEntries: number, private readonly stats?: CacheStats) {}

  get size(): number { return this.entries.size; }

  async get(key: string, load: () => Promise<Loaded<V>>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.stats?.hit();
      return hit.value;
    }
    // Join a load in flight only if nothing changed since it started: a request that arrives
    // after a notice must not be answered with what was read before it.
    const running = this.loading.get(key);
    if (running && running.start === this.inv.current) { this.stats?.hit(); return running.promise; }
    this.stats?.miss();
    const start = this.inv.begin();
    const promise = load().then((r) => {
      const deps = [key, ...r.deps];
      if (this.inv.fresh(deps, start, r.lsn)) this.store(key, r.value, deps);
      return r.value;
    }).finally(() => {
      this.inv.end(start);
      if (this.loading.get(key)?.promise === promise) this.loading.delete(key);
    });
    this.loading.set(key, { start, promise });
    return promise;
  }

  private store(key: string, value: V, deps: readonly string[]): void {
    this.remove(key);
    this.entries.set(key, { value, deps });
    for (const d of deps) {
      let set = this.byDep.get(d);
      if (!set) this.byDep.set(d, (set = new Set()));
      set.add(key);
    }
    while (this.entries.size > this.maxEntries) this.remove(this.entries.keys().next().value!);
  }

  private remove(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    for (const d of e.deps) {
      const set = this.byDep.get(d);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) this.byDep.delete(d);
    }
  }

  /** Drops every record built from `dep`. */
  invalidate(dep: string): void {
    const keys = this.byDep.get(dep);
    if (!keys) return;
    for (const k of [...keys]) this.remove(k);
    this.stats?.invalidated('key');
  }

  flush(): void {
    this.entries.clear();
    this.byDep.clear();
    this.stats?.invalidated('flush');
  }
}

/**
 * A change-log key (migration 0006) → the objects it names. "rdds:d:12:foo.example" is domain 12
 * and the name foo.example; "rdds:c:7:C7-REG" contact 7 and its ROID; other keys are not ours.
 */
export function depsOfNotice(key: string): string[] {
  if (!key.startsWith('rdds:')) return [];
  const kind = key.charAt(5);
  const rest = key.slice(7);
  const colon = rest.indexOf(':');
  const id = colon < 0 ? rest : rest.slice(0, colon);
  const name = colon < 0 ? undefined : rest.slice(colon + 1);
  if (kind === 'd') return name ? [`d:${id}`, `dn:${name}`] : [`d:${id}`];
  if (kind === 'h') return name ? [`h:${id}`, `hn:${name}`] : [`h:${id}`];
  if (kind === 'c') return name ? [`c:${id}`, `cr:${name}`] : [`c:${id}`];
  return [];
}
