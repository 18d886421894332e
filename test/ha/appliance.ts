/**
 * One appliance node for the HA tests: `node dist/cluster/start.js` in production mode (the
 * supervisor with its EPP front-ends and the jobs child) pointed at every database node, with
 * helpers to read its /health, /ready and /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { freePort } from '../../src/util/net.js';

export interface Health { status: string; database: string; children: { kind: string; pid?: number; ready: boolean; database?: string; restarts: number }[] }

export interface Appliance {
  name: string;
  dir: string;
  eppPort: number;
  metricsPort: number;
  proc: ChildProcess;
  output(): string;
  health(): Promise<Health>;
  /** Status code of GET /ready. */
  ready(): Promise<number>;
  metrics(): Promise<string>;
  /** Sum of one metric's samples whose labels include all of `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

const START = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));

export function registryConfig(o: { hosts: string[]; patroniUrls?: string[]; eppPort: number; metricsPort: number; processes: number; pki?: string; dir: string }) {
  return {
    mode: 'production',
    database: {
      hosts: o.hosts, patroniUrls: o.patroniUrls ?? [], poolSize: 5,
      primaryWaitSeconds: 20, probeIntervalMs: 500, connectTimeoutMs: 1000,
    },
    epp: {
      port: o.eppPort, processes: o.processes, repoId: 'HA', shutdownGraceSeconds: 3,
      ...(o.pki ? { tlsCertFile: join(o.pki, 'server.crt'), tlsKeyFile: join(o.pki, 'server.key'), caCertFile: join(o.pki, 'ca.crt'), caKeyFile: join(o.pki, 'ca.key') } : {}),
    },
    workers: { threads: 1 },
    // The HA tests are about EPP writes across a failover; both nodes run on one machine, so the
    // RDDS and DNS front-ends (fixed ports, covered by their own tests) stay off.
    rdds: { processes: 0 },
    dns: { enabled: false },
    metrics: { port: o.metricsPort },
    log: { level: 'info', file: join(o.dir, 'logs', 'registry.log') },
  };
}

/** Writes <dir>/registry.json (also what the CLI reads with --data-dir) and returns the ports. */
export async function configureAppliance(dir: string, o: { hosts: string[]; patroniUrls?: string[]; processes: number; pki?: string }): Promise<{ eppPort: number; metricsPort: number }> {
  mkdirSync(dir, { recursive: true });
  const eppPort = await freePort();
  const metricsPort = await freePort();
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(registryConfig({ ...o, eppPort, metricsPort, dir }), null, 2));
  return { eppPort, metricsPort };
}

export async function startAppliance(name: string, dir: string, ports: { eppPort: number; metricsPort: number }): Promise<Appliance> {
  let out = '';
  const proc = spawn(process.execPath, [START, '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const base = `http://127.0.0.1:${ports.metricsPort}`;
  const get = async (path: string) => {
    const res = await request(base + path, { headersTimeout: 5000, bodyTimeout: 5000 });
    return { status: res.statusCode, text: await res.body.text() };
  };
  const a: Appliance = {
    name, dir, ...ports, proc,
    output: () => out,
    health: async () => JSON.parse((await get('/health')).text) as Health,
    ready: async () => (await get('/ready')).status,
    metrics: async () => (await get('/metrics')).text,
    async metric(metricName, labels = {}) {
      const text = await a.metrics();
      let sum = 0;
      for (const line of text.split('\n')) {
        const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
        if (!m || m[1] !== metricName) continue;
        const l = m[2] ?? '';
        if (Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`))) sum += Number(m[3]);
      }
      return sum;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const h = await a.health().catch(() => undefined);
    if (h?.status === 'ok') break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      await a.stop(); // nothing else holds it to stop it later
      throw new Error(`appliance ${name} did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return a;
}
