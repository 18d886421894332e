/**
 * A value loaded from the database once and shared until a NOTIFY says it changed. A reload that
 * started before an invalidation is not kept, so a notice can never be lost to a race.
 */
export class ReloadingValue<T> {
  private loading: Promise<T> | undefined;
  private generation = 0;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.loading) {
      const gen = this.generation;
      const p = this.load();
      this.loading = p;
      // A reload that raced an invalidation is served to its callers but not kept.
      p.then(() => { if (gen !== this.generation && this.loading === p) this.loading = undefined; },
        () => { if (this.loading === p) this.loading = undefined; });
    }
    return this.loading;
  }

  invalidate(): void {
    this.generation++;
    this.loading = undefined;
  }
}
