/**
 * The real appliance for tests: `node dist/cluster/start.js` in a fresh data directory, with
 * the caller's flags, waited for until the supervisor's /health says so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export interface Health { status: string; children: { kind: string; pid?: number; ready: boolean; restarts: number }[] }

export interface Appliance {
  proc: ChildProcess;
  dir: string;
  /** Everything the appliance printed so far (stdout and stderr). */
  output(): string;
  health(): Promise<Health>;
  /** The data directory's credentials.json. */
  credentials<T>(): T;
  /** SIGKILL if still running, then removes the data directory. */
  remove(): void;
}

export async function startAppliance(opts: {
  prefix: string;
  metricsPort: number;
  args: string[];
  /** When the appliance counts as up (default: status ok). */
  ready?: (h: Health) => boolean;
  timeoutMs?: number;
}): Promise<Appliance> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  chmodSync(dir, 0o755);   // the embedded Postgres runs as another user
  const start = fileURLToPath(new URL('../../dist/cluster/start.js', import.meta.url));
  const proc = spawn(process.execPath, [start, '--data-dir', dir, `--metrics.port=${opts.metricsPort}`, ...opts.args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const health = async (): Promise<Health> => (await (await request(`http://127.0.0.1:${opts.metricsPort}/health`)).body.json()) as Health;
  const ready = opts.ready ?? ((h: Health) => h.status === 'ok');
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!ready(await health().catch(() => ({ status: 'down', children: [] })))) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      throw new Error(`appliance did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    proc,
    dir,
    output: () => out,
    health,
    credentials: <T>() => JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as T,
    remove: () => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
