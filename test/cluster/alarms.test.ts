/**
 * Children's alarms (the DNS publisher's "publication behind") reach the supervisor's /health:
 * the node shows "degraded" with the alarm while /ready still says it can serve, and the alarm
 * goes away when the child clears it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { freePort } from '../../src/util/net.js';

describe('supervisor alarms', () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-alarm-'));
  let proc: ChildProcess | undefined;
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a child\'s alarm in /health (degraded) without taking the node out of /ready, until cleared', async () => {
    const port = await freePort();
    const clear = join(dir, 'clear');
    proc = spawn(process.execPath, [fileURLToPath(new URL('../fixtures/alarm-supervisor.mjs', import.meta.url))], {
      env: { ...process.env, ALARM_DIR: dir, ALARM_PORT: String(port), ALARM_CLEAR_FILE: clear }, stdio: ['ignore', 'pipe', 'inherit'],
    });
    const get = async (path: string) => {
      const res = await request(`http://127.0.0.1:${port}${path}`);
      return { status: res.statusCode, body: (await res.body.json()) as { status: string; alarms: string[] } };
    };
    await expect.poll(async () => (await get('/health').catch(() => undefined))?.body.alarms, { timeout: 20_000, interval: 50 }).toEqual(['test: something is behind']);
    expect((await get('/health')).body.status).toBe('degraded');
    expect((await get('/health')).status).toBe(200);
    expect((await get('/ready')).status).toBe(200);
    writeFileSync(clear, '');
    await expect.poll(async () => (await get('/health')).body.alarms, { timeout: 10_000, interval: 50 }).toEqual([]);
    expect((await get('/health')).body.status).toBe('ok');
  });
});
