/**
 * A value loaded from the database once and shared until a NOTIFY says it changed. A load that an
 * invalidation overtook is answered but not kept, so a notice can never be lost to a race. A
 * caller inside a transaction passes its own connection (`get(tx)`): it must never wait for a
 * second pooled connection while holding one, or a burst of transactions arriving after an
 * invalidation would hold every connection of the pool while each waits for another (a pool
 * deadlock).
 */
import type { Queryable } from '../db/pool.js';

export class ReloadingValue<T> {
  private value: { generation: number; v: T } | undefined;
  private loading: { generation: number; promise: Promise<T> } | undefined;
  private generation = 0;

  constructor(private readonly db: () => Queryable, private readonly load: (db: Queryable) => Promise<T>) {}

  get(via?: Queryable): Promise<T> {
    if (this.value?.generation === this.generation) return Promise.resolve(this.value.v);
    if (via) return this.fetch(via);
    if (this.loading?.generation !== this.generation) {
      const promise = this.fetch(this.db());
      const loading = { generation: this.generation, promise };
      this.loading = loading;
      promise.catch(() => {}).finally(() => { if (this.loading === loading) this.loading = undefined; });
    }
    return this.loading!.promise;
  }

  private async fetch(db: Queryable): Promise<T> {
    const generation = this.generation;
    const v = await this.load(db);
    if (generation === this.generation) this.value = { generation, v };
    return v;
  }

  invalidate(): void {
    this.generation++;
    this.value = undefined;
    this.loading = undefined;
  }
}
