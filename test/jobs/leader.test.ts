/** Leader election by advisory lock: one leader at a time, takeover when it stops, prompt stop. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Leadership } from '../../src/jobs/leader.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { eventually } from '../helpers/pdns.js';
import { Database } from '../../src/db/pool.js';

describe('Leadership', () => {
  let t: TestDb;
  let other: Database;
  beforeAll(async () => { t = await createTestDb(); other = new Database({ primary: t.url, poolSize: 2 }); });
  afterAll(async () => { await other.dispose(); await t.drop(); });

  it('has one leader; the other takes over when it stops', async () => {
    const log = pino({ level: 'silent' });
    const runs = { a: 0, b: 0 };
    const a = new Leadership({ pool: t.db.primary, lockId: 4242, name: 'a', log, retryMs: 20 });
    const b = new Leadership({ pool: other.primary, lockId: 4242, name: 'b', log, retryMs: 20 });
    const lead = (k: 'a' | 'b') => async (ctx: { sleep(ms: number): Promise<void> }) => { runs[k]++; await ctx.sleep(5); };
    a.start(lead('a'));
    await eventually(async () => { expect(a.leader).toBe(true); });
    b.start(lead('b'));
    await eventually(async () => { expect(runs.a).toBeGreaterThan(20); });
    expect(b.leader).toBe(false);
    expect(runs.b).toBe(0);
    await a.stop();
    await eventually(async () => { expect(b.leader).toBe(true); });
    const before = Date.now();
    await b.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(b.leader).toBe(false);
  });
});
