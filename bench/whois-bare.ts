/**
 * Baseline for the WHOIS bench: a bare node:net server, one process, that does what a WHOIS
 * server does with the network and nothing else: accept, read the query line, write a fixed
 * answer (the bytes of a real one, from --answer), close. Driven by rdds-load.js --mode=whois,
 * it is the ceiling of a TCP connection per query for Node on this machine, the way tls-echo.ts
 * is for EPP frames.
 *
 *   node dist/bench/whois-bare.js --answer=answer.txt [--port=0]
 *
 * Prints `listening PORT` once it accepts; exits on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { flags, numFlag } from './stats.js';

const f = flags(process.argv.slice(2));
if (!f.answer) throw new TypeError('--answer=FILE is required');
const answer = readFileSync(f.answer);
const server = createServer((s) => {
  s.setNoDelay(true);
  let seen = 0;
  s.on('data', (c: Buffer) => {
    seen += c.byteLength;
    // The query ends at CRLF (RFC 3912); like the real server, refuse a runaway line.
    if (c.includes(10) || seen > 1024) s.end(answer);
  });
  s.on('error', () => {});
});
server.listen(numFlag(f, 'port', 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`listening ${typeof a === 'object' && a ? a.port : 0}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => server.close(() => process.exit(0)));
