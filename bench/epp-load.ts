/**
 * EPP load generator: many TLS sessions in a closed loop with a configurable command mix, or
 * full handshakes (TLS + greeting + login + logout). Prints throughput and latency percentiles.
 * Only ever connects to the host given (default 127.0.0.1) and stops by itself.
 *
 *   node dist/bench/epp-load.js --credentials=var/credentials.json --sessions=32 --duration=10 --mix=hello:100
 *   node dist/bench/epp-load.js --credentials=var/credentials.json --sessions=16 --duration=10 --mix=login:100
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EppClient, commandXml, domainCheckXml, domainCreateXml, domainInfoXml, helloXml, loginXml, logoutXml, resultCode } from '../src/epp/client.js';
import { NS } from '../src/xml/namespaces.js';
import { flags, round, Samples } from './stats.js';

interface Target { host: string; port: number; ca?: Buffer; clID: string; pw: string }

type Op = 'hello' | 'check1' | 'check5' | 'info' | 'create' | 'login';

function parseMix(s: string): { op: Op; weight: number }[] {
  return s.split(',').map((part) => {
    const [op, w] = part.split(':');
    if (!['hello', 'check1', 'check5', 'info', 'create', 'login'].includes(op!)) throw new TypeError(`unknown op ${op}`);
    return { op: op as Op, weight: Number(w ?? 1) };
  });
}

function target(f: Record<string, string>): Target {
  const creds = f.credentials ? JSON.parse(readFileSync(f.credentials, 'utf8')) : undefined;
  const r = creds?.registrars?.[Number(f.registrar ?? 0)];
  const host = f.host ?? creds?.epp?.host ?? '127.0.0.1';
  const port = Number(f.port ?? creds?.epp?.port ?? 700);
  const caPath = f.ca ?? creds?.caCert;
  const clID = f.clid ?? r?.clID;
  const pw = f.pw ?? r?.password;
  if (!clID || !pw) throw new TypeError('need --credentials or --clid and --pw');
  return { host, port, ...(caPath ? { ca: readFileSync(caPath) } : {}), clID, pw };
}

const OBJ = [NS.domain, NS.host, NS.contact];
let seq = 0;
const unique = () => `b${process.pid.toString(36)}${(seq++).toString(36)}`;

async function connect(t: Target): Promise<EppClient> {
  return EppClient.connect({ host: t.host, port: t.port, ...(t.ca ? { ca: t.ca } : { rejectUnauthorized: false }), servername: 'localhost' });
}

async function login(t: Target): Promise<EppClient> {
  const c = await connect(t);
  const code = resultCode(await c.request(loginXml({ clID: t.clID, pw: t.pw, objURIs: OBJ })));
  if (code !== 1000) throw new Error(`login failed with ${code}`);
  return c;
}

function xmlFor(op: Exclude<Op, 'login'>, registrant: string | undefined, known: string[]): string {
  switch (op) {
    case 'hello': return helloXml();
    case 'check1': return domainCheckXml([`${unique()}.example`]);
    case 'check5': return domainCheckXml(Array.from({ length: 5 }, () => `${unique()}.example`));
    case 'info': return domainInfoXml(known.length ? known[seq++ % known.length]! : `${unique()}.example`);
    case 'create': {
      const name = `${unique()}.example`;
      known.push(name);
      return domainCreateXml({ name, years: 1, ...(registrant ? { registrant } : {}), pw: 'Bench-auth-1' });
    }
  }
}

/** Raw results of one client process: samples per op, result codes, errors. */
interface Raw { seconds: number; sessions: number; samples: Record<string, number[]>; codes: Record<string, number>; errors: number }

export async function runOne(argv: string[]): Promise<Raw> {
  const f = flags(argv);
  const t = target(f);
  const sessions = Number(f.sessions ?? 32);
  const durationMs = Number(f.duration ?? 10) * 1000;
  const warmupMs = Number(f.warmup ?? 2) * 1000;
  const mix = parseMix(f.mix ?? 'hello:100');
  const total = mix.reduce((n, m) => n + m.weight, 0);
  const pick = (): Op => { let r = Math.random() * total; for (const m of mix) { if ((r -= m.weight) < 0) return m.op; } return mix[0]!.op; };

  const perOp = new Map<Op, Samples>();
  const codes = new Map<string, number>();
  let errors = 0;
  const known: string[] = [];
  let registrant: string | undefined;

  // Objects the mix needs: a registrant contact for creates (zone policy requires one).
  if (mix.some((m) => m.op === 'create' || m.op === 'info')) {
    const c = await login(t);
    registrant = `bc${process.pid.toString(36)}`.slice(0, 16);
    await c.request(commandXml('create', `<contact:create xmlns:contact="${NS.contact}"><contact:id>${registrant}</contact:id><contact:postalInfo type="int"><contact:name>Bench</contact:name><contact:addr><contact:city>Bench</contact:city><contact:cc>US</contact:cc></contact:addr></contact:postalInfo><contact:email>bench@example.net</contact:email><contact:authInfo><contact:pw>Bench-pw-1</contact:pw></contact:authInfo></contact:create>`));
    await c.close();
  }

  const start = Date.now();
  const measureFrom = start + warmupMs;
  const stopAt = measureFrom + durationMs;
  let measuredOps = 0;

  const record = (op: Op, t0: bigint, code: number) => {
    if (Date.now() < measureFrom) return;
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    let s = perOp.get(op);
    if (!s) perOp.set(op, (s = new Samples()));
    s.add(ms);
    measuredOps++;
    const k = `${op}:${code}`;
    codes.set(k, (codes.get(k) ?? 0) + 1);
  };

  const loop = async () => {
    const needsSession = mix.some((m) => m.op !== 'login');
    let c = needsSession ? await login(t) : undefined;
    while (Date.now() < stopAt) {
      const op = pick();
      const t0 = process.hrtime.bigint();
      try {
        if (op === 'login') {
          const s = await login(t);
          await s.request(logoutXml());
          await s.close();
          record(op, t0, 1000);
        } else {
          const res = await c!.request(xmlFor(op, registrant, known));
          record(op, t0, op === 'hello' ? 0 : resultCode(res));
        }
      } catch {
        errors++;
        if (needsSession) { try { await c?.close(); } catch { /* ignore */ } c = await login(t); }
      }
    }
    await c?.close();
  };
  await Promise.all(Array.from({ length: sessions }, loop));
  void measuredOps;
  return {
    seconds: durationMs / 1000, sessions,
    samples: Object.fromEntries([...perOp].map(([op, s]) => [op, Array.from(s.values())])),
    codes: Object.fromEntries(codes), errors,
  };
}

/**
 * Runs the load from --procs client processes (default 1), splitting --sessions between them,
 * so the client is not the bottleneck; merges their samples.
 */
export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  const procs = Math.max(1, Number(f.procs ?? 1));
  const sessions = Number(f.sessions ?? 32);
  let raws: Raw[];
  if (procs === 1) raws = [await runOne(argv)];
  else {
    const per = Math.ceil(sessions / procs);
    raws = await Promise.all(Array.from({ length: procs }, () => new Promise<Raw>((resolve, reject) => {
      const child = fork(fileURLToPath(import.meta.url), [...argv.filter((a) => !a.startsWith('--sessions') && !a.startsWith('--procs')), `--sessions=${per}`, '--child']);
      child.once('message', (m) => resolve(m as Raw));
      child.once('error', reject);
    })));
  }
  const seconds = raws[0]!.seconds;
  const merged = new Map<string, Samples>();
  const codes: Record<string, number> = {};
  let errors = 0;
  for (const r of raws) {
    for (const [op, xs] of Object.entries(r.samples)) { let s = merged.get(op); if (!s) merged.set(op, (s = new Samples())); s.addAll(xs); }
    for (const [k, n] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + n;
    errors += r.errors;
  }
  const total = [...merged.values()].reduce((n, s) => n + s.count, 0);
  return {
    sessions: raws.reduce((n, r) => n + r.sessions, 0), procs, seconds, mix: f.mix ?? 'hello:100',
    opsPerSecond: round(total / seconds, 0),
    ops: Object.fromEntries([...merged].map(([op, s]) => {
      const x = s.summary();
      return [op, { count: x.count, perSecond: round(x.count / seconds, 0), p50ms: round(x.p50), p90ms: round(x.p90), p99ms: round(x.p99), maxMs: round(x.max) }];
    })),
    codes, errors,
  };
}

if (process.argv.includes('--child')) {
  const raw = await runOne(process.argv.slice(2));
  process.send!(raw, () => process.exit(0));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await run(process.argv.slice(2));
  const lines = Object.entries(r.ops as Record<string, { perSecond: number; p50ms: number; p99ms: number }>).map(([op, x]) => `${op}: ${x.perSecond}/s p50 ${x.p50ms} ms p99 ${x.p99ms} ms`);
  process.stdout.write(`${r.opsPerSecond} ops/s over ${r.sessions} sessions; ${lines.join('; ')}; errors ${r.errors}\n`);
  process.stdout.write(JSON.stringify(r) + '\n');
}
