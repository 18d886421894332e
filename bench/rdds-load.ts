/**
 * RDDS load generator: RDAP lookups over keep-alive HTTP (undici, many connections, closed
 * loops) or WHOIS queries over raw TCP (one query per connection, as RFC 3912 has it). Names
 * are drawn at random from a numbered pattern, optionally from a hot subset. Prints throughput
 * and latency percentiles; connects only to the host given (127.0.0.1 by default) and stops by itself.
 *
 *   node dist/bench/rdds-load.js --mode=rdap --base=http://127.0.0.1:7480/rdap/ --connections=64 --duration=10
 *   node dist/bench/rdds-load.js --mode=whois --port=4343 --connections=64 --duration=10 --names=pre{n}.example --range=1000000
 *   node dist/bench/rdds-load.js --credentials=var/credentials.json --mode=rdap --hot=10000 --procs=2
 *
 * Every flag can also come from the environment: BENCH_CONNECTIONS=8 is --connections=8. See bench/README.md.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { flags, numFlag, round, Samples } from './stats.js';

interface Options {
  mode: 'rdap' | 'whois';
  host: string; whoisPort: number; base: URL;
  connections: number; durationMs: number; warmupMs: number; timeoutMs: number;
  pattern: string; range: number; hot: number; missRatio: number;
  localAddresses: number; maxErrors: number;
}

interface Raw { cpuMs: number; samples: number[]; codes: Record<string, number>; errors: number; errorKinds: Record<string, number>; seconds: number; connections: number; aborted: boolean }

function options(f: Record<string, string>): Options {
  const creds = f.credentials !== undefined ? JSON.parse(readFileSync(f.credentials, 'utf8')) as { rdds?: { whois: { host: string; port: number }; rdap: string } } : undefined;
  const mode = (f.mode ?? 'rdap') as Options['mode'];
  if (mode !== 'rdap' && mode !== 'whois') throw new TypeError('--mode must be rdap or whois');
  const base = new URL(f.base ?? creds?.rdds?.rdap ?? 'http://127.0.0.1:7480/rdap/');
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const host = f.host ?? creds?.rdds?.whois.host ?? '127.0.0.1';
  const pattern = f.names ?? 'pre{n}.example';
  if (!pattern.includes('{n}')) throw new TypeError('--names needs {n} where the number goes');
  const range = Math.floor(numFlag(f, 'range', 1_000_000, 1));
  return {
    mode, host, base, pattern, range,
    whoisPort: numFlag(f, 'port', creds?.rdds?.whois.port ?? 4343, 1),
    connections: Math.floor(numFlag(f, 'connections', 64, 1)),
    durationMs: numFlag(f, 'duration', 10, 0.1) * 1000,
    warmupMs: numFlag(f, 'warmup', 2) * 1000,
    timeoutMs: numFlag(f, 'timeout', 10, 0.1) * 1000,
    hot: Math.min(range, Math.floor(numFlag(f, 'hot', range, 1))),
    missRatio: numFlag(f, 'miss', 0),
    localAddresses: Math.floor(numFlag(f, 'local-addresses', 1, 1)),
    maxErrors: numFlag(f, 'max-errors', 1000),
  };
}

/** A name to look up: one of the first --hot numbers; with --miss, sometimes one that is not registered. */
function pick(o: Options): string {
  if (o.missRatio > 0 && Math.random() < o.missRatio) return o.pattern.replace('{n}', `miss${Math.floor(Math.random() * 1e9)}`);
  return o.pattern.replace('{n}', String(1 + Math.floor(Math.random() * o.hot)));
}

/** One WHOIS query: connect, send the line, read to the server's close. */
function whoisOnce(o: Options, name: string, localAddress: string | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: o.host, port: o.whoisPort, ...(localAddress ? { localAddress } : {}) });
    s.setNoDelay(true);
    let head = '';
    const timer = setTimeout(() => { s.destroy(new Error('timeout')); }, o.timeoutMs);
    s.on('connect', () => s.end(`${name}\r\n`));
    s.on('data', (c: Buffer) => { if (head.length < 64) head += c.toString('latin1', 0, 64); });
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('close', (hadError) => {
      clearTimeout(timer);
      if (hadError) return;
      resolve(head.startsWith('Domain Name:') ? 'found' : head.startsWith('No match') ? 'not_found' : head.startsWith('Query rate limit') ? 'rate_limited' : 'other');
    });
  });
}

async function runOne(argv: string[]): Promise<Raw> {
  const o = options(flags(argv));
  const samples = new Samples();
  const codes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let aborted = false;
  const started = performance.now();
  const measureFrom = started + o.warmupMs;
  const stopAt = measureFrom + o.durationMs;
  let lastDone = measureFrom;
  const pool = o.mode === 'rdap' ? new Pool(o.base.origin, { connections: o.connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs }) : undefined;
  const locals = o.localAddresses > 1 ? Array.from({ length: o.localAddresses }, (_, i) => `127.0.0.${i + 1}`) : [undefined];
  let seq = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;
  const measuring = setTimeout(() => { cpuAtStart = process.cpuUsage(); }, o.warmupMs);

  const op = async (): Promise<string> => {
    const name = pick(o);
    if (pool) {
      const res = await pool.request({ path: `${o.base.pathname}domain/${name}`, method: 'GET', headers: { accept: 'application/rdap+json' } });
      await res.body.dump({ limit: 1 << 20 });
      return String(res.statusCode);
    }
    return whoisOnce(o, name, locals[seq++ % locals.length]);
  };

  const loop = async () => {
    while (!aborted) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      try {
        const code = await op();
        const t1 = performance.now();
        if (t0 >= measureFrom) { samples.add(t1 - t0); codes[code] = (codes[code] ?? 0) + 1; lastDone = Math.max(lastDone, t1); }
      } catch (e) {
        errors++;
        const k = (e as Error).message.slice(0, 60);
        errorKinds[k] = (errorKinds[k] ?? 0) + 1;
        if (errors > o.maxErrors) aborted = true;
      }
    }
  };
  await Promise.all(Array.from({ length: o.connections }, loop));
  clearTimeout(measuring);
  const cpu = process.cpuUsage(cpuAtStart);
  await pool?.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000, samples: [...samples.values()], codes, errors, errorKinds, seconds: (lastDone - measureFrom) / 1000, connections: o.connections, aborted };
}

const split = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

/** Runs --procs client processes (default 1), splitting --connections, and merges their samples. */
export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  const o = options(f);
  const procs = Math.floor(numFlag(f, 'procs', 1, 1));
  if (procs > o.connections) throw new TypeError('--procs must not exceed --connections');
  let raws: Raw[];
  if (procs === 1) raws = [await runOne(argv)];
  else {
    const common = Object.entries(f).filter(([k]) => !['connections', 'procs', 'child'].includes(k)).map(([k, v]) => `--${k}=${v}`);
    raws = await Promise.all(split(o.connections, procs).map((c, i) => new Promise<Raw>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [...common, `--connections=${c}`, '--child']);
      let done = false;
      child.once('message', (m) => { done = true; const msg = m as Raw | { error: string }; if ('error' in msg) reject(new Error(`client process ${i}: ${msg.error}`)); else resolve(msg); });
      child.once('exit', (code) => { if (!done) reject(new Error(`client process ${i} exited ${code} without results`)); });
    })));
  }
  const all = new Samples();
  const codes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  for (const r of raws) {
    all.addAll(r.samples);
    for (const [k, n] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + n;
    for (const [k, n] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  }
  const seconds = Math.max(...raws.map((r) => r.seconds));
  const s = all.summary();
  return {
    mode: o.mode, target: o.mode === 'rdap' ? o.base.href : `${o.host}:${o.whoisPort}`, connections: o.connections, procs,
    names: o.pattern, range: o.range, hot: o.hot, miss: o.missRatio,
    seconds: round(seconds, 3), totalOps: s.count, opsPerSecond: round(s.count / seconds, 0),
    p50ms: round(s.p50), p90ms: round(s.p90), p99ms: round(s.p99), maxMs: round(s.max),
    codes, errors: raws.reduce((n, r) => n + r.errors, 0), errorKinds, aborted: raws.some((r) => r.aborted),
    // The generator's own CPU over the measured window: on a shared machine it competes with the server.
    clientCpuMsPerQuery: s.count ? round(raws.reduce((n, r) => n + r.cpuMs, 0) / s.count, 4) : 0,
  };
}

export function humanLine(r: Record<string, unknown>): string {
  const codes = Object.entries(r.codes as Record<string, number>).map(([k, n]) => `${k}=${n}`).join(' ');
  return `${r.mode}: ${r.totalOps} queries in ${r.seconds} s = ${r.opsPerSecond}/s over ${r.connections} connections (${r.procs} procs, names ${r.hot} of ${r.range}); ` +
    `p50 ${r.p50ms} p90 ${r.p90ms} p99 ${r.p99ms} max ${r.maxMs} ms; codes ${codes || '-'}; errors ${r.errors}${r.aborted ? ' (ABORTED)' : ''}`;
}

if (process.argv.includes('--child')) {
  try {
    const raw = await runOne(process.argv.slice(2));
    process.send!(raw, () => process.exit(0));
  } catch (e) {
    process.send!({ error: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
  }
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await run(process.argv.slice(2));
  process.stdout.write(humanLine(r) + '\n' + JSON.stringify(r) + '\n');
  process.exit(r.aborted ? 1 : 0);
}
