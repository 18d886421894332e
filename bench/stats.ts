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
    // Nearest rank: the smallest sample with at least p·n samples at or below it.
    const q = (p: number) => (this.n ? s[Math.max(0, Math.ceil(p * this.n) - 1)]! : 0);
    return { count: this.n, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: this.n ? s[this.n - 1]! : 0 };
  }
}

export function round(x: number, digits = 2): number { const f = 10 ** digits; return Math.round(x * f) / f; }

/**
 * `--key=value` or `--key value` flags (a bare `--key` is `true`), with environment fallbacks:
 * BENCH_SESSIONS=8 stands for --sessions=8 (lower-cased, `_` becomes `-`); the command line wins.
 */
export function flags(argv: string[], env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith('BENCH_') && k.length > 6 && v !== undefined) out[k.slice(6).toLowerCase().replace(/_/g, '-')] = v;
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else out[a.slice(2)] = argv[i + 1] && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true';
  }
  return out;
}

/** A numeric flag, `def` when absent; throws on anything that is not a finite number ≥ `min`. */
export function numFlag(f: Record<string, string>, key: string, def: number, min = 0): number {
  const raw = f[key];
  if (raw === undefined) return def;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min) throw new TypeError(`--${key} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}
