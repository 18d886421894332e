/**
 * Baseline for the EPP session bench: a bare node:tls server in its own process that echoes
 * RFC 5734 frames, driven over N persistent connections with 1.5 KB frames (or full handshakes).
 * It is the ceiling for Node TLS plus framing on this machine, with no EPP work at all.
 *
 *   node dist/bench/tls-echo.js --sessions=32 --duration=10
 *   node dist/bench/tls-echo.js --handshakes --sessions=16 --duration=10
 *
 * Stops by itself: a watchdog ends the run (exit 2) if it overruns the duration by 30 s.
 */
import { fork } from 'node:child_process';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCa, issueServerCert } from '../src/pki/ca.js';
import { Deframer, frame } from '../src/epp/framing.js';
import { flags, numFlag, round, Samples } from './stats.js';

function serve(): void {
  const ca = createCa('bench CA');
  const cert = issueServerCert(ca, { dns: ['localhost'], ips: ['127.0.0.1'] });
  const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' }, (s) => {
    s.setNoDelay(true);
    const d = new Deframer(1 << 20);
    s.on('data', (chunk: Buffer) => {
      for (const ev of d.push(chunk)) {
        if (ev.kind === 'frame') s.write(frame(Buffer.from(ev.payload).toString('utf8')));
        else s.destroy();
      }
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send!({ port: typeof a === 'object' && a ? a.port : 0, ca: ca.certPem });
  });
  // Never outlive the driver.
  process.on('disconnect', () => process.exit(0));
}

interface Conn { s: tls.TLSSocket; next: () => Promise<void> }

async function drive(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  const sessions = Math.floor(numFlag(f, 'sessions', 32, 1));
  const durationMs = numFlag(f, 'duration', 10, 0.001) * 1000;
  // Run but not measured, as epp-load's --warmup (JIT, TLS session caches): same rules for both.
  const warmupMs = numFlag(f, 'warmup', 2) * 1000;
  const handshakes = f.handshakes === 'true';
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: 'inherit' });
  const watchdog = setTimeout(() => {
    process.stderr.write('tls-echo: watchdog: the run overran its duration by 30 s\n');
    child.kill();
    process.exit(2);
  }, warmupMs + durationMs + 30_000);
  watchdog.unref();
  try {
    const { port, ca } = await new Promise<{ port: number; ca: string }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { port: number; ca: string }));
      child.once('exit', (code) => reject(new Error(`echo server exited (${code}) before listening`)));
    });
    const payload = '<x>' + 'a'.repeat(1536 - 7) + '</x>';
    const samples = new Samples();
    let errors = 0;
    const measureFrom = Date.now() + warmupMs;
    const stopAt = measureFrom + durationMs;
    const record = (t0: bigint) => { if (Date.now() >= measureFrom) samples.add(Number(process.hrtime.bigint() - t0) / 1e6); };

    // One context for every connection, as the EPP load generator does.
    const secureContext = tls.createSecureContext({ ca });
    const open = () => new Promise<Conn>((resolve, reject) => {
      let waiting: { resolve: () => void; reject: (e: Error) => void } | undefined;
      const s = tls.connect({ host: '127.0.0.1', port, secureContext, servername: 'localhost' }, () => {
        s.setNoDelay(true);
        const d = new Deframer(1 << 20);
        s.on('data', (chunk: Buffer) => { for (const ev of d.push(chunk)) if (ev.kind === 'frame') { const w = waiting; waiting = undefined; w?.resolve(); } });
        resolve({ s, next: () => new Promise<void>((res, rej) => { waiting = { resolve: res, reject: rej }; s.write(frame(payload)); }) });
      });
      s.on('error', reject);
      s.on('close', () => { const w = waiting; waiting = undefined; w?.reject(new Error('connection closed')); reject(new Error('connection closed')); });
    });

    await Promise.all(Array.from({ length: sessions }, async () => {
      if (handshakes) {
        while (Date.now() < stopAt) {
          const t0 = process.hrtime.bigint();
          try {
            const c = await open();
            await c.next();
            c.s.destroy();
            record(t0);
          } catch { errors++; }
        }
      } else {
        let c: Conn | undefined;
        while (Date.now() < stopAt) {
          try {
            c ??= await open();
            const t0 = process.hrtime.bigint();
            await c.next();
            record(t0);
          } catch { errors++; c?.s.destroy(); c = undefined; }
        }
        c?.s.destroy();
      }
    }));
    const x = samples.summary();
    return {
      mode: handshakes ? 'handshakes' : 'echo-1.5KB', sessions, seconds: durationMs / 1000, total: x.count,
      perSecond: round(x.count / (durationMs / 1000), 0), p50ms: round(x.p50), p90ms: round(x.p90), p99ms: round(x.p99), maxMs: round(x.max), errors,
    };
  } finally {
    child.kill();
    clearTimeout(watchdog);
  }
}

if (process.argv.includes('--serve')) serve();
else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await drive(process.argv.slice(2));
  process.stdout.write(`${r.mode}: ${r.perSecond}/s over ${r.sessions} connections, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, errors ${r.errors}\n`);
  process.stdout.write(JSON.stringify(r) + '\n');
}

export { drive };
