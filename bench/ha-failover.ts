/**
 * Failover time as registrars see it: domain creates from many sessions in a closed loop; after
 * --kill-after seconds it kills (SIGKILL) the process named by --kill-pid-file (the primary's
 * postmaster.pid) and reports the time from the kill to the first confirmed create that was
 * sent after it, the longest gap between confirmed creates, and how the in-flight ones ended.
 *
 *   node dist/bench/ha-failover.js --credentials=creds.json --sessions=12 \
 *     --kill-pid-file=/path/to/data/postmaster.pid --kill-after=8 --duration=25
 *
 * Only connects to the host given and stops by itself. See bench/README.md.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EppClient, commandXml, domainCreateXml, loginXml, resultCode } from '../src/epp/client.js';
import { NS } from '../src/xml/namespaces.js';
import { flags, numFlag, round } from './stats.js';

interface Credentials { epp?: { host?: string; port?: number }; caCert?: string; registrars?: { clID: string; password: string }[] }
interface Result { sentAt: number; doneAt: number; code: number | 'error' }

export async function run(argv: string[]): Promise<Record<string, unknown>> {
  const f = flags(argv);
  if (f.credentials === undefined || f['kill-pid-file'] === undefined) throw new TypeError('need --credentials=FILE and --kill-pid-file=FILE');
  const creds = JSON.parse(readFileSync(f.credentials, 'utf8')) as Credentials;
  const reg = creds.registrars?.[numFlag(f, 'registrar', 0)];
  if (!reg) throw new TypeError('no registrar in the credentials file');
  const host = f.host ?? creds.epp?.host ?? '127.0.0.1';
  const port = numFlag(f, 'port', creds.epp?.port ?? 700, 1);
  const sessions = Math.floor(numFlag(f, 'sessions', 12, 1));
  const killAfterMs = numFlag(f, 'kill-after', 8, 0) * 1000;
  const durationMs = numFlag(f, 'duration', 25, 1) * 1000;
  const ca = creds.caCert ? readFileSync(creds.caCert) : undefined;
  const connect = async () => {
    const c = await EppClient.connect({ host, port, ...(ca ? { ca } : { rejectUnauthorized: false }), requestTimeoutMs: 60_000 });
    if (resultCode(await c.request(loginXml({ clID: reg.clID, pw: reg.password, objURIs: [NS.domain, NS.contact] }))) !== 1000) throw new Error(`login of ${reg.clID} refused`);
    return c;
  };
  const clients = await Promise.all(Array.from({ length: sessions }, connect));
  const registrant = `hf${process.pid.toString(36)}`.slice(0, 16);
  await clients[0]!.request(commandXml('create', `<contact:create xmlns:contact="${NS.contact}"><contact:id>${registrant}</contact:id><contact:postalInfo type="int"><contact:name>Bench</contact:name><contact:addr><contact:city>Bench</contact:city><contact:cc>US</contact:cc></contact:addr></contact:postalInfo><contact:email>bench@example.net</contact:email><contact:authInfo><contact:pw>Bench-pw-1</contact:pw></contact:authInfo></contact:create>`));

  const results: Result[] = [];
  const start = Date.now();
  const stopAt = start + durationMs;
  let seq = 0;
  const loop = async (c: EppClient) => {
    while (Date.now() < stopAt) {
      const sentAt = Date.now();
      try {
        const res = await c.request(domainCreateXml({ name: `hf${process.pid.toString(36)}x${(seq++).toString(36)}.example`, registrant, pw: 'Bench-auth-1' }));
        results.push({ sentAt, doneAt: Date.now(), code: resultCode(res) });
      } catch {
        results.push({ sentAt, doneAt: Date.now(), code: 'error' });
        return;
      }
    }
  };
  const loops = clients.map(loop);
  await new Promise((r) => setTimeout(r, killAfterMs));
  const pid = Number(readFileSync(f['kill-pid-file'], 'utf8').split('\n')[0]);
  const killAt = Date.now();
  process.kill(pid, 'SIGKILL');
  await Promise.all(loops);
  for (const c of clients) await c.close().catch(() => {});

  const ok = results.filter((r) => r.code === 1000).sort((a, b) => a.doneAt - b.doneAt);
  const firstAfter = ok.find((r) => r.sentAt >= killAt);
  let maxGap = 0;
  for (let i = 1; i < ok.length; i++) maxGap = Math.max(maxGap, ok[i]!.doneAt - ok[i - 1]!.doneAt);
  const inFlight = results.filter((r) => r.sentAt < killAt && r.doneAt >= killAt);
  const count = (xs: Result[]) => xs.reduce<Record<string, number>>((m, r) => { m[String(r.code)] = (m[String(r.code)] ?? 0) + 1; return m; }, {});
  return {
    sessions, killAfterSeconds: killAfterMs / 1000,
    killToFirstConfirmedMs: firstAfter ? firstAfter.doneAt - killAt : null,
    longestGapBetweenConfirmedMs: maxGap,
    confirmedPerSecondBeforeKill: round(ok.filter((r) => r.doneAt < killAt && r.doneAt > start + 2000).length / Math.max(0.001, (killAt - start - 2000) / 1000), 0),
    inFlightAtKill: count(inFlight),
    codes: count(results),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const r = await run(process.argv.slice(2));
    process.stdout.write(`kill → first confirmed create ${r.killToFirstConfirmedMs} ms; longest gap ${r.longestGapBetweenConfirmedMs} ms; in flight ${JSON.stringify(r.inFlightAtKill)}; codes ${JSON.stringify(r.codes)}\n${JSON.stringify(r)}\n`, () => process.exit(r.killToFirstConfirmedMs === null ? 1 : 0));
  } catch (e) {
    process.stderr.write(`ha-failover: ${e instanceof Error ? e.message : String(e)}\n`, () => process.exit(1));
  }
}
