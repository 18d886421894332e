/**
 * EPP load generator: many TLS sessions in a closed loop with a configurable command mix, or
 * full handshakes (TLS + greeting + login + logout). Prints throughput and latency percentiles.
 * Only ever connects to the host given (default 127.0.0.1) and stops by itself: after --duration
 * (or --count operations), with a per-request timeout and an error budget.
 *
 *   node dist/bench/epp-load.js --credentials=var/credentials.json --sessions=32 --duration=10 --mix=hello:100
 *   node dist/bench/epp-load.js --credentials=var/credentials.json --sessions=16 --duration=10 --mix=login:100
 *   node dist/bench/epp-load.js --credentials=var/credentials.json --count=100000 --mix=check1:80,info:15,create:5 --procs=2
 *
 * Every flag can also come from the environment: BENCH_SESSIONS=8 is --sessions=8. See bench/README.md.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EppClient, commandXml, domainCheckXml, domainCreateXml, domainInfoXml, helloXml, loginXml, logoutXml, resultCode, resultMessage } from '../src/epp/client.js';
import { NS } from '../src/xml/namespaces.js';
import { flags, numFlag, round, Samples } from './stats.js';

interface Target {
  host: string; port: number; servername?: string;
  ca?: Buffer; cert?: Buffer; key?: Buffer;
  /** Made once from ca/cert/key: parsing them for every connection would be client work the server never sees. */
  context: tls.SecureContext;
  clID: string; pw: string; timeoutMs: number;
}

/** The parts of the server's credentials file the bench reads (it may hold more). */
interface CredentialsFile {
  epp?: { host?: string; port?: number };
  caCert?: string;
  registrars?: { clID: string; password: string; clientCert?: string; clientKey?: string }[];
}

type Op = 'hello' | 'check1' | 'check5' | 'info' | 'create' | 'login';
const OPS: readonly Op[] = ['hello', 'check1', 'check5', 'info', 'create', 'login'];

/** With --count and no --duration, the run still ends after this long. */
const COUNT_MODE_CAP_MS = 600_000;

function parseMix(s: string): { op: Op; weight: number }[] {
  const mix = s.split(',').map((part) => {
    const [op, w] = part.trim().split(':');
    if (!OPS.includes(op as Op)) throw new TypeError(`unknown op ${op} in --mix (known: ${OPS.join(', ')})`);
    const weight = w === undefined ? 1 : Number(w);
    if (!Number.isFinite(weight) || weight < 0) throw new TypeError(`bad weight in --mix: ${part}`);
    return { op: op as Op, weight };
  });
  if (!mix.some((m) => m.weight > 0)) throw new TypeError('--mix needs a positive weight');
  return mix.filter((m) => m.weight > 0);
}

function target(f: Record<string, string>): Target {
  const creds = f.credentials !== undefined ? (JSON.parse(readFileSync(f.credentials, 'utf8')) as CredentialsFile) : undefined;
  const regs = creds?.registrars ?? [];
  const r = f.clid !== undefined ? regs.find((x) => x.clID === f.clid) : regs[numFlag(f, 'registrar', 0)];
  const host = f.host ?? creds?.epp?.host ?? '127.0.0.1';
  const port = numFlag(f, 'port', creds?.epp?.port ?? 700, 1);
  const caPath = f.ca ?? creds?.caCert;
  const certPath = f.cert ?? r?.clientCert;
  const keyPath = f.key ?? r?.clientKey;
  const clID = f.clid ?? r?.clID;
  const pw = f.pw ?? r?.password;
  if (clID === undefined || pw === undefined) throw new TypeError('need --credentials=path (optionally --registrar=N or --clid) or --clid and --pw');
  const ca = caPath !== undefined ? readFileSync(caPath) : undefined;
  const pair = certPath !== undefined && keyPath !== undefined ? { cert: readFileSync(certPath), key: readFileSync(keyPath) } : undefined;
  return {
    host, port, clID, pw, timeoutMs: numFlag(f, 'timeout', 30, 0.001) * 1000,
    ...(f.servername !== undefined ? { servername: f.servername } : {}),
    ...(ca ? { ca } : {}),
    ...(pair ?? {}),
    context: tls.createSecureContext({ minVersion: 'TLSv1.2', ...(ca ? { ca } : {}), ...(pair ?? {}) }),
  };
}

let seq = 0;
const unique = () => `b${process.pid.toString(36)}${(seq++).toString(36)}`;

async function connect(t: Target): Promise<EppClient> {
  return EppClient.connect({
    host: t.host, port: t.port, secureContext: t.context,
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
    ...(t.ca ? {} : { rejectUnauthorized: false }),
    timeoutMs: t.timeoutMs, requestTimeoutMs: t.timeoutMs,
  });
}

async function login(t: Target): Promise<EppClient> {
  const c = await connect(t);
  const res = await c.request(loginXml({ clID: t.clID, pw: t.pw, objURIs: [NS.domain, NS.host, NS.contact] }));
  const code = resultCode(res);
  if (code !== 1000) { c.destroy(); throw new Error(`login as ${t.clID} failed with ${code}: ${resultMessage(res) ?? ''}`); }
  return c;
}

/** The command for an op; `created` is the domain a create makes (info then reads those back). */
function xmlFor(op: Exclude<Op, 'login'>, registrant: string | undefined, known: string[]): { xml: string; created?: string } {
  switch (op) {
    case 'hello': return { xml: helloXml() };
    case 'check1': return { xml: domainCheckXml([`${unique()}.example`]) };
    case 'check5': return { xml: domainCheckXml(Array.from({ length: 5 }, () => `${unique()}.example`)) };
    // Without a created domain yet this reads a name that does not exist (2303).
    case 'info': return { xml: domainInfoXml(known.length ? known[seq++ % known.length]! : `${unique()}.example`) };
    case 'create': {
      const name = `${unique()}.example`;
      return { xml: domainCreateXml({ name, years: 1, ...(registrant ? { registrant } : {}), pw: 'Bench-auth-1' }), created: name };
    }
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Raw results of one client process: samples per op, result codes, errors. */
interface Raw {
  seconds: number; sessions: number; samples: Record<string, number[]>; codes: Record<string, number>;
  errors: number; errorKinds: Record<string, number>; aborted: boolean;
}

export async function runOne(argv: string[]): Promise<Raw> {
  const f = flags(argv);
  const t = target(f);
  const sessions = Math.floor(numFlag(f, 'sessions', 32, 1));
  const count = f.count !== undefined ? Math.floor(numFlag(f, 'count', 0, 1)) : undefined;
  const durationMs = count === undefined || f.duration !== undefined ? numFlag(f, 'duration', 10, 0.001) * 1000 : COUNT_MODE_CAP_MS;
  const warmupMs = numFlag(f, 'warmup', 2) * 1000;
  const maxErrors = numFlag(f, 'max-errors', 1000);
  const mix = parseMix(f.mix ?? 'hello:100');
  const total = mix.reduce((n, m) => n + m.weight, 0);
  const pick = (): Op => { let r = Math.random() * total; for (const m of mix) { if ((r -= m.weight) < 0) return m.op; } return mix[0]!.op; };

  const perOp = new Map<Op, Samples>();
  const codes = new Map<string, number>();
  const errorKinds = new Map<string, number>();
  let errors = 0;
  let aborted = false;
  const known: string[] = [];
  let registrant: string | undefined;
  const fail = (e: unknown) => {
    errors++;
    const k = (e instanceof Error ? e.message : String(e)).slice(0, 120);
    errorKinds.set(k, (errorKinds.get(k) ?? 0) + 1);
    if (errors > maxErrors) aborted = true;
  };

  // Objects the mix needs: a registrant contact for creates (zone policy requires one).
  if (mix.some((m) => m.op === 'create' || m.op === 'info')) {
    const c = await login(t);
    registrant = `bc${process.pid.toString(36)}`.slice(0, 16);
    await c.request(commandXml('create', `<contact:create xmlns:contact="${NS.contact}"><contact:id>${registrant}</contact:id><contact:postalInfo type="int"><contact:name>Bench</contact:name><contact:addr><contact:city>Bench</contact:city><contact:cc>US</contact:cc></contact:addr></contact:postalInfo><contact:email>bench@example.net</contact:email><contact:authInfo><contact:pw>Bench-pw-1</contact:pw></contact:authInfo></contact:create>`));
    await c.close();
  }

  const needsSession = mix.some((m) => m.op !== 'login');
  // Log every session in before the clock starts (a refused login here is a setup error: it throws).
  const opened = needsSession ? await Promise.allSettled(Array.from({ length: sessions }, () => login(t))) : [];
  const clients = opened.map((o) => (o.status === 'fulfilled' ? o.value : undefined));
  const refused = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (refused) {
    for (const c of clients) c?.destroy();
    const ok = clients.filter(Boolean).length;
    throw new Error(`${sessions - ok} of ${sessions} sessions could not log in (${ok} did): ${refused.reason instanceof Error ? refused.reason.message : String(refused.reason)}`);
  }

  const start = Date.now();
  const measureFrom = start + warmupMs;
  const stopAt = measureFrom + durationMs;
  let claimed = 0;

  /** Whether to start another operation, and whether it counts (false during the warm-up). */
  const next = (): { go: boolean; measured: boolean } => {
    const now = Date.now();
    if (aborted || now >= stopAt) return { go: false, measured: false };
    if (now < measureFrom) return { go: true, measured: false };
    if (count !== undefined) { if (claimed >= count) return { go: false, measured: false }; claimed++; }
    return { go: true, measured: true };
  };

  const record = (op: Op, t0: bigint, code: number) => {
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    let s = perOp.get(op);
    if (!s) perOp.set(op, (s = new Samples()));
    s.add(ms);
    const k = `${op}:${code}`;
    codes.set(k, (codes.get(k) ?? 0) + 1);
  };

  const loop = async (i: number) => {
    let c = clients[i];
    for (let n = next(); n.go; n = next()) {
      const op = pick();
      const t0 = process.hrtime.bigint();
      try {
        if (op === 'login') {
          const s = await login(t);
          await s.request(logoutXml());
          await s.close();
          if (n.measured) record(op, t0, 1000);
        } else {
          if (!c) throw new Error('no session');
          const cmd = xmlFor(op, registrant, known);
          const res = await c.request(cmd.xml);
          const code = op === 'hello' ? 0 : resultCode(res);
          if (n.measured) record(op, t0, code);
          if (cmd.created !== undefined && code === 1000) known.push(cmd.created);
          // The server ends the session after some errors (e.g. 2500): open a new one.
          if (c.isClosedNow) throw new Error(`session closed by the server after ${op} (${code})`);
        }
      } catch (e) {
        fail(e);
        if (needsSession && (!c || c.isClosedNow)) {
          c?.destroy();
          c = undefined;
          while (!c && !aborted && Date.now() < stopAt) {
            try { c = await login(t); } catch (e2) { fail(e2); await sleep(200); }
          }
        }
      }
    }
    await c?.close();
  };
  await Promise.all(Array.from({ length: sessions }, (_, i) => loop(i)));
  const seconds = Math.max(0.001, (Date.now() - measureFrom) / 1000);
  return {
    seconds, sessions, aborted,
    samples: Object.fromEntries([...perOp].map(([op, s]) => [op, Array.from(s.values())])),
    codes: Object.fromEntries(codes), errors, errorKinds: Object.fromEntries(errorKinds),
  };
}

/** Splits n as evenly as possible into k integer parts. */
const split = (n: number, k: number) => Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));

/**
 * Runs the load from --procs client processes (default 1), splitting --sessions (and --count)
 * between them, so the client is not the bottleneck; merges their samples.
 */
export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  const procs = Math.floor(numFlag(f, 'procs', 1, 1));
  const sessions = Math.floor(numFlag(f, 'sessions', 32, 1));
  if (procs > sessions) throw new TypeError('--procs must not exceed --sessions');
  const count = f.count !== undefined ? Math.floor(numFlag(f, 'count', 0, 1)) : undefined;
  let raws: Raw[];
  if (procs === 1) raws = [await runOne(argv)];
  else {
    const common = Object.entries(f).filter(([k]) => !['sessions', 'procs', 'count', 'child'].includes(k)).map(([k, v]) => `--${k}=${v}`);
    const perSessions = split(sessions, procs);
    const perCount = count !== undefined ? split(count, procs) : undefined;
    raws = await Promise.all(perSessions.map((s, i) => new Promise<Raw>((resolve, reject) => {
      const args = [...common, `--sessions=${s}`, ...(perCount ? [`--count=${perCount[i]}`] : []), '--child'];
      const child = fork(fileURLToPath(import.meta.url), args);
      let done = false;
      child.once('message', (m) => {
        done = true;
        const msg = m as Raw | { error: string };
        if ('error' in msg) reject(new Error(`client process ${i}: ${msg.error}`)); else resolve(msg);
      });
      child.once('error', (e) => { if (!done) { done = true; reject(e); } });
      child.once('exit', (code, signal) => { if (!done) { done = true; reject(new Error(`client process ${i} exited (${signal ?? code}) without results`)); } });
    })));
  }
  const seconds = Math.max(...raws.map((r) => r.seconds));
  const merged = new Map<string, Samples>();
  const codes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  for (const r of raws) {
    for (const [op, xs] of Object.entries(r.samples)) { let s = merged.get(op); if (!s) merged.set(op, (s = new Samples())); s.addAll(xs); }
    for (const [k, n] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + n;
    for (const [k, n] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
    errors += r.errors;
  }
  const totalOps = [...merged.values()].reduce((n, s) => n + s.count, 0);
  const t = target(f);
  return {
    host: t.host, port: t.port,
    sessions: raws.reduce((n, r) => n + r.sessions, 0), procs, mix: f.mix ?? 'hello:100',
    warmupSeconds: numFlag(f, 'warmup', 2), seconds: round(seconds, 3), totalOps,
    opsPerSecond: round(totalOps / seconds, 0),
    ops: Object.fromEntries([...merged].map(([op, s]) => {
      const x = s.summary();
      return [op, { count: x.count, perSecond: round(x.count / seconds, 0), p50ms: round(x.p50), p90ms: round(x.p90), p99ms: round(x.p99), maxMs: round(x.max) }];
    })),
    codes, errors, errorKinds, aborted: raws.some((r) => r.aborted),
  };
}

interface OpLine { perSecond: number; p50ms: number; p90ms: number; p99ms: number; maxMs: number }

export function humanLine(r: Record<string, unknown>): string {
  const ops = Object.entries(r.ops as Record<string, OpLine>)
    .map(([op, x]) => `${op} ${x.perSecond}/s p50 ${x.p50ms} p90 ${x.p90ms} p99 ${x.p99ms} max ${x.maxMs} ms`);
  const codes = Object.entries(r.codes as Record<string, number>).map(([k, n]) => `${k}=${n}`).join(' ');
  return `${r.totalOps} ops in ${r.seconds} s = ${r.opsPerSecond} ops/s over ${r.sessions} sessions (${r.procs} procs); ` +
    `${ops.join('; ') || 'no ops'}; codes ${codes || '-'}; errors ${r.errors}${r.aborted ? ' (ABORTED: --max-errors exceeded)' : ''}`;
}

if (process.argv.includes('--child')) {
  try {
    const raw = await runOne(process.argv.slice(2));
    process.send!(raw, () => process.exit(0));
  } catch (e) {
    process.send!({ error: e instanceof Error ? e.message : String(e) }, () => process.exit(1));
  }
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const r = await run(process.argv.slice(2));
    process.stdout.write(humanLine(r) + '\n' + JSON.stringify(r) + '\n', () => process.exit(r.aborted ? 1 : 0));
  } catch (e) {
    // Exit explicitly: a failed setup may leave sockets that would keep the process alive.
    process.stderr.write(`epp-load: ${e instanceof Error ? e.message : String(e)}\n`, () => process.exit(1));
  }
}
