/** The parse hop: frames of one event-loop turn go to the real worker pool as one task, results come back in order. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { parseWorkerFile } from '../../src/app/epp-app.js';
import { helloXml, loginXml } from '../../src/epp/client.js';
import { ParseBatcher } from '../../src/epp/parse-batch.js';
import { NS } from '../../src/xml/namespaces.js';

describe('ParseBatcher', () => {
  const pool = new Piscina({ filename: parseWorkerFile(), minThreads: 1, maxThreads: 1 });
  afterAll(async () => { await pool.destroy(); });

  it('sends the frames of one turn as one task and answers each in order, failures included', async () => {
    const batches: number[] = [];
    const b = new ParseBatcher(pool, { observe: (_s, n) => batches.push(n) });
    const docs = [helloXml(), '<epp><unclosed></epp>', loginXml({ clID: 'reg-a', pw: 'Secret-a-123', objURIs: [NS.domain], clTRID: 'B-1' }), helloXml()];
    const results = await Promise.all(docs.map((d) => b.parse(Buffer.from(d))));
    expect(batches).toEqual([4]);
    expect(results[0]!.command?.name).toBe('hello');
    expect(results[1]!.failure?.code).toBe(2001);
    expect(results[2]!.command?.login?.clId).toBe('reg-a');
    expect(results[2]!.command?.clTrid).toBe('B-1');
    expect(results[3]!.command?.name).toBe('hello');
  });

  it('splits at maxFrames and sends what arrives in a later turn separately', async () => {
    const batches: number[] = [];
    const b = new ParseBatcher(pool, { maxFrames: 3, observe: (_s, n) => batches.push(n) });
    const now = Array.from({ length: 5 }, () => b.parse(Buffer.from(helloXml())));
    await new Promise((r) => setImmediate(r));
    const later = b.parse(Buffer.from(helloXml()));
    const all = await Promise.all([...now, later]);
    expect(all.every((r) => r.command?.name === 'hello')).toBe(true);
    expect(batches.sort()).toEqual([1, 2, 3]);
  });

  it('with maxInFlight, holds frames while the pool is busy and sends them together when a batch returns', async () => {
    // The first batch is held at a gate until the test opens it, so "the pool is busy" does not
    // depend on how fast a warm worker parses 30 logins.
    let open!: () => void;
    const gate = new Promise<void>((r) => { open = r; });
    const gated = { run: async (task: unknown, o?: Parameters<Piscina['run']>[1]) => { await gate; return pool.run(task, o); } };
    const batches: number[] = [];
    const b = new ParseBatcher(gated, { maxInFlight: 1, observe: (_s, n) => batches.push(n) });
    const heavy = Buffer.from(loginXml({ clID: 'reg-a', pw: 'Secret-a-123', objURIs: [NS.domain, NS.host, NS.contact], extURIs: [NS.secDNS] }));
    const first = Array.from({ length: 30 }, () => b.parse(heavy));
    await new Promise((r) => setImmediate(r));
    expect(b.batchesInFlight).toBe(1);
    const more = [b.parse(Buffer.from(helloXml())), b.parse(Buffer.from(helloXml()))];
    await new Promise((r) => setImmediate(r));
    more.push(b.parse(Buffer.from(helloXml())), b.parse(Buffer.from(helloXml())));
    await new Promise((r) => setImmediate(r));
    expect(b.batchesInFlight).toBe(1);
    open();
    const all = await Promise.all([...first, ...more]);
    expect(all.slice(0, 30).every((r) => r.command?.name === 'login')).toBe(true);
    expect(all.slice(30).every((r) => r.command?.name === 'hello')).toBe(true);
    expect(batches).toEqual([30, 4]);
    expect(b.batchesInFlight).toBe(0);
  });

  it('answers 2400 for every frame of a batch the pool could not run', async () => {
    // A real pool whose task fails, as a worker that hit a bug would.
    const dir = mkdtempSync(join(tmpdir(), 'parse-batch-'));
    writeFileSync(join(dir, 'failing.mjs'), 'export default () => { throw new Error("worker bug"); };\n');
    const dead = new Piscina({ filename: join(dir, 'failing.mjs'), minThreads: 1, maxThreads: 1 });
    const errors: unknown[] = [];
    const b = new ParseBatcher(dead, { onError: (e) => errors.push(e) });
    const rs = await Promise.all([b.parse(Buffer.from(helloXml())), b.parse(Buffer.from(helloXml()))]);
    expect(rs.map((r) => r.failure?.code)).toEqual([2400, 2400]);
    expect(errors).toHaveLength(1);
    await dead.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
});
