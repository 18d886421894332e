/**
 * Baseline for the EPP session bench: a bare node:tls server in its own process that echoes
 * RFC 5734 frames, driven over N persistent connections with 1.5 KB frames (or full handshakes).
 *
 *   node dist/bench/tls-echo.js --sessions=32 --duration=10
 *   node dist/bench/tls-echo.js --handshakes --sessions=16 --duration=10
 */
import { fork } from 'node:child_process';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { createCa, issueServerCert } from '../src/pki/ca.js';
import { Deframer, frame } from '../src/epp/framing.js';
import { flags, round, Samples } from './stats.js';

function serve(): void {
  const ca = createCa('bench CA');
  const cert = issueServerCert(ca, { dns: ['localhost'], ips: ['127.0.0.1'] });
  const server = tls.createServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' }, (s) => {
    s.setNoDelay(true);
    const d = new Deframer(1 << 20);
    s.on('data', (chunk: Buffer) => {
      for (const ev of d.push(chunk)) if (ev.kind === 'frame') s.write(frame(Buffer.from(ev.payload).toString('utf8')));
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    process.send!({ port: typeof a === 'object' && a ? a.port : 0, ca: ca.certPem });
  });
}

async function drive(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  const sessions = Number(f.sessions ?? 32);
  const durationMs = Number(f.duration ?? 10) * 1000;
  const handshakes = f.handshakes === 'true';
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: 'inherit' });
  const { port, ca } = await new Promise<{ port: number; ca: string }>((r) => child.once('message', (m) => r(m as { port: number; ca: string })));
  const payload = '<x>' + 'a'.repeat(1536 - 7) + '</x>';
  const samples = new Samples();
  const stopAt = Date.now() + durationMs;

  const open = () => new Promise<{ s: tls.TLSSocket; next: () => Promise<void> }>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      s.setNoDelay(true);
      const d = new Deframer(1 << 20);
      let waiting: (() => void) | undefined;
      s.on('data', (chunk: Buffer) => { for (const ev of d.push(chunk)) if (ev.kind === 'frame') { const w = waiting; waiting = undefined; w?.(); } });
      resolve({ s, next: () => new Promise<void>((r) => { waiting = r; s.write(frame(payload)); }) });
    });
    s.on('error', reject);
  });

  await Promise.all(Array.from({ length: sessions }, async () => {
    if (handshakes) {
      while (Date.now() < stopAt) {
        const t0 = process.hrtime.bigint();
        const c = await open();
        await c.next();
        c.s.destroy();
        samples.add(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    } else {
      const c = await open();
      while (Date.now() < stopAt) {
        const t0 = process.hrtime.bigint();
        await c.next();
        samples.add(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      c.s.destroy();
    }
  }));
  child.kill();
  const x = samples.summary();
  return { mode: handshakes ? 'handshakes' : 'echo-1.5KB', sessions, seconds: durationMs / 1000, perSecond: round(x.count / (durationMs / 1000), 0), p50ms: round(x.p50), p99ms: round(x.p99) };
}

if (process.argv.includes('--serve')) serve();
else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await drive(process.argv.slice(2));
  process.stdout.write(JSON.stringify(r) + '\n');
}

export { drive };
