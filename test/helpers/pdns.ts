/**
 * A real pdns_server for a test file: its own gpgsql database on the test cluster, its own
 * config directory and free loopback ports, and a publisher wired to it; plus dig.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { inject } from 'vitest';
import { defaults, type DnsConfig } from '../../src/config.js';
import { createConnectionPool, sql, type Database } from '../../src/db/pool.js';
import { ensurePdnsDatabase, ManagedPowerDns } from '../../src/dns/powerdns-server.js';
import { PdnsUtil, PowerDnsApi, PowerDnsDb } from '../../src/dns/powerdns.js';
import { Publisher, type PublisherDeps } from '../../src/dns/publisher.js';
import { freePort } from '../../src/util/net.js';

const exec = promisify(execFile);

export interface TestPdns {
  server: ManagedPowerDns;
  pdns: PowerDnsDb;
  api: PowerDnsApi;
  pdnsutil: PdnsUtil;
  url: string;
  port: number;
  dir: string;
  dns: DnsConfig;
  publisher(db: Database, extra?: Partial<PublisherDeps>): Publisher;
  stop(): Promise<void>;
}

export async function startPdns(opts: { tweak?: (d: DnsConfig) => void } = {}): Promise<TestPdns> {
  const adminUrl = inject('pgAdminUrl');
  const name = `pdns_${randomBytes(5).toString('hex')}`;
  const url = await ensurePdnsDatabase(adminUrl, name);
  const dir = mkdtempSync(join(tmpdir(), 'registry-pdns-'));
  const port = await freePort();
  const server = new ManagedPowerDns({ dir, database: url, listenHost: '127.0.0.1', listenPort: port, apiPort: await freePort() });
  await server.start();
  const pdns = new PowerDnsDb(url);
  await pdns.ensureSchema();
  const api = new PowerDnsApi(server.apiUrl, server.apiKey);
  const pdnsutil = new PdnsUtil('pdnsutil', dir);
  const dns = structuredClone(defaults(dir).dns);
  // Loopback only: PowerDNS looks up the addresses of apex name servers to NOTIFY them.
  dns.defaults.nameservers = ['ns1.nic.{zone}=127.0.0.53;::1', 'ns2.nic.{zone}=127.0.0.54'];
  opts.tweak?.(dns);
  const log = pino({ level: 'warn' });
  return {
    server, pdns, api, pdnsutil, url, port, dir, dns,
    publisher: (db, extra = {}) => new Publisher({ db, pdns, api, pdnsutil, dns, log, ...extra }),
    async stop() {
      await pdns.dispose();
      await server.stop();
      const admin = createConnectionPool({ connectionString: adminUrl, poolSize: 1 });
      await admin.query(sql`DROP DATABASE IF EXISTS ${sql.ident(name)} WITH (FORCE)`);
      await admin.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** dig against the test server (no recursion); returns the answer section's records as "name ttl class type rdata". */
export async function dig(port: number, name: string, type: string, flags: string[] = []): Promise<string[]> {
  const { stdout } = await exec('dig', [`@127.0.0.1`, '-p', String(port), '+norec', '+noall', '+answer', '+authority', '+additional', '+nosplit', '+time=2', '+tries=1', ...flags, name, type]);
  return stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l && !l.startsWith(';'));
}

/** The full dig output (header, flags and sections). */
export async function digRaw(port: number, args: string[]): Promise<string> {
  const { stdout } = await exec('dig', [`@127.0.0.1`, '-p', String(port), '+norec', '+time=2', '+tries=1', ...args], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

/** Polls until check passes or the deadline passes (DNS convergence is awaited, never slept for). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { return await check(); } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
