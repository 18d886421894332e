/**
 * DNS publication bench: (1) time from an EPP domain:create answered 1000 to the new delegation
 * answering from PowerDNS, over sequential changes; (2) `registry zone export` of a large zone
 * (bulk-loaded by SQL), its duration and peak RSS, at two sizes to show memory stays flat.
 * Everything runs on loopback: a throwaway PostgreSQL, the EPP front-end, the dns service with
 * its managed pdns_server. Usage: node dist/bench/dns-bench.js [--changes=1000] [--domains=1000000] [--small=100000] [--heap-cap=48] [--no-resync] [--keep]
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import client from 'prom-client';
import { pino } from 'pino';
import { createRegistrar } from '../src/admin/registrars.js';
import { addZone } from '../src/admin/zones.js';
import { ensurePki } from '../src/app/bootstrap.js';
import { startEppApp } from '../src/app/epp-app.js';
import { defaults } from '../src/config.js';
import { createConnectionPool, sql } from '../src/db/pool.js';
import { migrate } from '../src/db/migrate.js';
import { createDnsMetrics } from '../src/dns/metrics.js';
import { startDnsService } from '../src/dns/service.js';
import { LocalPostgres } from '../src/embedded/postgres.js';
import { contactCreateXml, domainCreateXml, EppClient, hostCreateXml, loginXml, resultCode } from '../src/epp/client.js';
import { NS } from '../src/xml/namespaces.js';
import { freePort } from '../src/util/net.js';
import { flags, numFlag, round, Samples } from './stats.js';

const exec = promisify(execFile);

/** One UDP DNS query (RFC 1035 §4.1), answered with its RCODE, or undefined on timeout. */
function query(sock: Socket, port: number, name: string, qtype: number, timeoutMs = 200): Promise<number | undefined> {
  const id = randomInt(65536);
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'ascii')]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(qtype, 1);
  tail.writeUInt16BE(1, 3);
  const msg = Buffer.concat([header, ...labels, tail]);
  return new Promise((resolve) => {
    const onMsg = (buf: Buffer) => { if (buf.readUInt16BE(0) === id) { done(); resolve(buf[3]! & 0x0f); } };
    const t = setTimeout(() => { done(); resolve(undefined); }, timeoutMs);
    const done = () => { clearTimeout(t); sock.off('message', onMsg); };
    sock.on('message', onMsg);
    sock.send(msg, port, '127.0.0.1');
  });
}

async function main(): Promise<void> {
  const f = flags(process.argv.slice(2));
  const changes = numFlag(f, 'changes', 1000, 1);
  const domains = numFlag(f, 'domains', 1_000_000, 0);
  const small = Math.min(domains, numFlag(f, 'small', 100_000, 0));
  const dir = mkdtempSync(join(tmpdir(), 'dns-bench-'));
  chmodSync(dir, 0o755);
  const pg = new LocalPostgres({ dir: join(dir, 'pg'), port: await freePort() });
  await pg.init();
  await pg.start();
  const log = pino({ level: 'warn' }, pino.destination({ dest: join(dir, 'bench.log'), sync: false }));
  const config = defaults(dir);
  config.database.primary = pg.url();
  config.database.poolSize = 5;
  config.workers.threads = 1;
  const dnsPort = await freePort();
  config.dns.listen = `127.0.0.1:${dnsPort}`;
  config.dns.apiPort = await freePort();
  const admin = createConnectionPool({ connectionString: pg.url(), poolSize: 2 });
  await migrate(admin);
  await addZone(admin, 'example');
  await createRegistrar(admin, { clientId: 'bench', name: 'Bench', password: 'Bench-pw-123', ips: ['127.0.0.0/8'], zones: ['example'], maxSessions: 10 });
  ensurePki(config, log);
  const app = await startEppApp({ config, log, port: 0 });
  const svc = await startDnsService(config, log, createDnsMetrics(new client.Registry()));
  const epp = await EppClient.connect({ host: '127.0.0.1', port: app.server.port, ca: readFileSync(config.epp.caCertFile), servername: 'localhost' });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const out: Record<string, unknown> = {};
  try {
    const ok = async (xml: string) => { const res = await epp.request(xml); if (resultCode(res) !== 1000) throw new Error(`EPP: ${res}`); };
    await ok(loginXml({ clID: 'bench', pw: 'Bench-pw-123', objURIs: [NS.domain, NS.host, NS.contact] }));
    await ok(contactCreateXml({ id: 'bench-owner' }));
    await ok(hostCreateXml({ name: 'ns1.provider.net' }));
    await ok(hostCreateXml({ name: 'ns2.provider.net' }));
    const deadline = Date.now() + 30_000;
    while ((await query(sock, dnsPort, 'example', 6)) !== 0) { if (Date.now() > deadline) throw new Error('zone never answered'); await new Promise((r) => setTimeout(r, 50)); }

    // (1) EPP 1000 → delegation answering (NOERROR instead of NXDOMAIN), polled every ~1 ms.
    const lat = new Samples();
    const eppLat = new Samples();
    for (let i = 0; i < changes; i++) {
      const name = `lat${i}.example`;
      const s = performance.now();
      await ok(domainCreateXml({ name, ns: ['ns1.provider.net', 'ns2.provider.net'], registrant: 'bench-owner' }));
      const t0 = performance.now();
      eppLat.add(t0 - s);
      for (;;) {
        if ((await query(sock, dnsPort, name, 2)) === 0) break;
        if (performance.now() - t0 > 10_000) throw new Error(`${name} not published within 10 s`);
        await new Promise((r) => setTimeout(r, 1));
      }
      lat.add(performance.now() - t0);
    }
    out.latency = { changes, eppToDns: mapRound(lat.summary()), eppCommand: mapRound(eppLat.summary()) };
    console.log(JSON.stringify(out.latency));
  } finally {
    sock.close();
    await epp.close();
    await svc.stop();
    await app.close(2000);
  }

  // (2) Zone export of a bulk-loaded zone, in a separate process measured by /usr/bin/time -v.
  const conf = join(dir, 'cli.json');
  writeFileSync(conf, JSON.stringify({ mode: 'production', database: { primary: pg.url() }, log: { file: join(dir, 'cli.log') }, dns: { server: 'external', pdnsDatabase: pg.url('pdns') } }));
  const cli = fileURLToPath(new URL('../src/cli/registry.js', import.meta.url));
  const heapCap = numFlag(f, 'heap-cap', 48, 16);
  const exportRun = async (label: string, n: number, nodeFlags: string[] = []) => {
    const file = join(dir, `${label}.zone`);
    const { stderr } = await exec('/usr/bin/time', ['-v', process.execPath, ...nodeFlags, cli, '--config', conf, 'zone', 'export', 'example', '--out', file], { maxBuffer: 16 * 1024 * 1024 });
    const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]) / 1024;
    const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr)!;
    const seconds = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
    const r = { domains: n, ...(nodeFlags.length ? { node: nodeFlags.join(' ') } : {}), seconds: round(seconds, 1), peakRssMiB: round(rss, 0), fileMiB: round(statSync(file).size / 1048576, 0) };
    console.log(JSON.stringify({ export: label, ...r }));
    rmSync(file);
    return r;
  };
  const load = async (from: number, to: number) => {
    const t = performance.now();
    const [ids] = await admin.query(sql`SELECT (SELECT id FROM zones WHERE name = 'example') AS z, (SELECT id FROM registrars WHERE client_id = 'bench') AS r,
      (SELECT id FROM contacts WHERE contact_id = 'bench-owner') AS c, (SELECT id FROM hosts WHERE name = 'ns1.provider.net') AS h1, (SELECT id FROM hosts WHERE name = 'ns2.provider.net') AS h2`);
    for (let a = from; a < to; a += 100_000) {
      const b = Math.min(to, a + 100_000);
      await admin.tx(async (tx) => {
        await tx.query(sql`INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, created_at, expires_at)
          SELECT 'B' || g || '-BENCH', 'bulk' || g || '.example', ${ids.z}, ${ids.r}, ${ids.r}, ${ids.c}, now(), now() + interval '1 year' FROM generate_series(${a}::int, ${b - 1}::int) g`);
        await tx.query(sql`INSERT INTO domain_hosts (domain_id, host_id) SELECT d.id, h FROM domains d, unnest(ARRAY[${ids.h1}, ${ids.h2}]::bigint[]) h
          WHERE d.name LIKE 'bulk%' AND d.roid IN (SELECT 'B' || g || '-BENCH' FROM generate_series(${a}::int, ${b - 1}::int) g)`);
        // One domain in ten is signed (DS), one in a hundred has its own name server with glue.
        await tx.query(sql`INSERT INTO domain_ds (domain_id, key_tag, alg, digest_type, digest)
          SELECT d.id, 1000 + (d.id % 60000), 13, 2, upper(encode(sha256(d.name::bytea), 'hex')) FROM domains d
           WHERE d.roid IN (SELECT 'B' || g || '-BENCH' FROM generate_series(${a}::int, ${b - 1}::int) g WHERE g % 10 = 0)`);
        await tx.query(sql`WITH h AS (
            INSERT INTO hosts (roid, name, sponsor_id, creator_id, superordinate_id, created_at)
            SELECT 'H' || d.id || '-BENCH', 'ns1.' || d.name, ${ids.r}, ${ids.r}, d.id, now() FROM domains d
             WHERE d.roid IN (SELECT 'B' || g || '-BENCH' FROM generate_series(${a}::int, ${b - 1}::int) g WHERE g % 100 = 0)
            RETURNING id, superordinate_id)
          , a AS (INSERT INTO host_addrs (host_id, addr) SELECT id, ('81.2.' || (id / 250 % 250) || '.' || (id % 250 + 1))::inet FROM h RETURNING host_id)
          INSERT INTO domain_hosts (domain_id, host_id) SELECT superordinate_id, id FROM h`);
      });
    }
    await admin.query(sql`DELETE FROM dns_changes`);
    await admin.query(sql`VACUUM ANALYZE`);
    return round((performance.now() - t) / 1000, 1);
  };
  // (3) `registry dns resync` of the small zone: from a PowerDNS that has none of the bulk
  // domains (every unit written), then again with nothing to correct (a pure comparison).
  const resyncRun = async (label: string) => {
    const t = performance.now();
    const { stdout } = await exec(process.execPath, [cli, '--config', conf, 'dns', 'resync', 'example', '--json'], { maxBuffer: 16 * 1024 * 1024 });
    const r = JSON.parse(stdout) as { unitsChecked: number; unitsCorrected: number; recordsAdded: number };
    const res = { resync: label, seconds: round((performance.now() - t) / 1000, 1), unitsChecked: r.unitsChecked, unitsCorrected: r.unitsCorrected, recordsAdded: r.recordsAdded };
    console.log(JSON.stringify(res));
    return res;
  };
  try {
    const exports: unknown[] = [];
    if (small > 0) {
      const loadS = await load(0, small);
      exports.push({ ...(await exportRun('small', small + changes)), loadSeconds: loadS });
      if (!f['no-resync']) out.resync = [await resyncRun('fill'), await resyncRun('compare')];
    }
    if (domains > small) {
      const loadL = await load(small, domains);
      exports.push({ ...(await exportRun('large', domains + changes)), loadSeconds: loadL });
      // The same export with V8's heap capped: it completes, so memory does not grow with the zone.
      exports.push(await exportRun('capped', domains + changes, [`--max-old-space-size=${heapCap}`]));
    }
    out.export = exports;
    console.log(JSON.stringify(out));
  } finally {
    await admin.dispose();
    if (f.keep) { console.log(`kept: ${dir} (config ${conf}); stop with: pg_ctl -D ${join(dir, 'pg', 'pgdata')} stop`); return; }
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function mapRound(s: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v, 1)]));
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
