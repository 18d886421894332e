/** Latency samples and percentiles for the benchmarks. */
export class Samples {
  private data = new Float64Array(1 << 16);
  private n = 0;
  add(ms: number): void {
    if (this.n === this.data.length) { const d = new Float64Array(this.data.length * 2); d.set(this.data); this.data = d; }
    this.data[this.n++] = ms;
  }
  get count(): number { return this.n; }
  values(): Float64Array { return this.data.slice(0, this.n); }
  addAll(xs: ArrayLike<number>): void { for (let i = 0; i < xs.length; i++) this.add(xs[i]!); }
  summary(): { count: number; p50: number; p90: number; p99: number; max: number } {
    const s = this.data.slice(0, this.n).sort();
    const q = (p: number) => (this.n ? s[Math.min(this.n - 1, Math.floor(p * this.n))]! : 0);
    return { count: this.n, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: this.n ? s[this.n - 1]! : 0 };
  }
}

export function round(x: number, digits = 2): number { const f = 10 ** digits; return Math.round(x * f) / f; }

/** `--key=value` or `--key value` flags, with environment fallbacks BENCH_KEY. */
export function flags(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else out[a.slice(2)] = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
  }
  return out;
}
