/** Transfer auto-approval by the job runner (injected clock), and leadership by advisory lock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { contactCreateXml, domainCreateXml, domainInfoXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { Database, sql } from '../../src/db/pool.js';
import { runPass, Scheduler } from '../../src/jobs/scheduler.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { domainTransferXml, pollXml, tag } from '../helpers/xml.js';

const ALL = [NS.domain, NS.host, NS.contact];
const DAY = 86_400_000;

describe('transfer auto-approval', () => {
  let h: Harness;
  let a: ValidatingClient;
  let b: ValidatingClient;
  let now = new Date('2026-01-01T00:00:00.000Z');
  beforeAll(async () => {
    h = await startHarness({ clock: () => now });
    a = await h.login('reg-a', { objURIs: ALL });
    b = await h.login('reg-b', { objURIs: ALL });
  });
  afterAll(async () => { await h.close(); });

  it('approves a transfer nobody answered once the zone\'s period has passed, exactly once', async () => {
    await a.request(contactCreateXml({ id: 'auto-owner' }));
    expect(resultCode(await a.request(domainCreateXml({ name: 'auto.example', registrant: 'auto-owner', pw: 'Auto-code-99' })))).toBe(1000);
    now = new Date(now.getTime() + 61 * DAY);
    const requestedAt = now;
    expect(resultCode(await b.request(domainTransferXml('request', 'auto.example', 'Auto-code-99')))).toBe(1001);

    expect(await runPass(h.t.db, new Date(requestedAt.getTime() + 5 * DAY - 1000))).toMatchObject({ transfersApproved: 0 });
    const at = new Date(requestedAt.getTime() + 5 * DAY);
    expect(await runPass(h.t.db, at)).toMatchObject({ transfersApproved: 1 });
    expect(await runPass(h.t.db, at)).toMatchObject({ transfersApproved: 0 });

    now = at;
    const info = await b.request(domainInfoXml('auto.example'));
    expect(tag(info, 'domain:clID')).toBe('reg-b');
    expect(tag(info, 'domain:trDate')).toBe(at.toISOString());
    for (const c of [a, b]) {
      // Oldest first: the request, then the registry's approval.
      const first = await c.request(pollXml('req'));
      const id = /<msgQ count="2" id="(\d+)">/.exec(first)![1]!;
      await c.request(pollXml('ack', id));
      const second = await c.request(pollXml('req'));
      expect(tag(second, 'domain:trStatus')).toBe('serverApproved');
      expect(second).toMatch(/<msgQ count="1" id="\d+">/);
    }
    const [{ n }] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM object_history WHERE action = 'transfer-serverApproved'`);
    expect(n).toBe(1);
  });
});

describe('job runner leadership', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });

  it('has exactly one leader, and another process takes over when it stops', async () => {
    const log = pino({ level: 'silent' });
    const dbs = [0, 1, 2].map(() => new Database({ primary: h.t.url, poolSize: 2 }));
    const runners = dbs.map((db) => new Scheduler({ db, log, intervalMs: 50 }));
    runners.forEach((r) => r.start());
    await expect.poll(() => runners.filter((r) => r.leader).length, { timeout: 5000 }).toBe(1);
    const leader = runners.find((r) => r.leader)!;
    await leader.stop();
    const rest = runners.filter((r) => r !== leader);
    await expect.poll(() => rest.filter((r) => r.leader).length, { timeout: 5000 }).toBe(1);
    await Promise.all(rest.map((r) => r.stop()));
    await Promise.all(dbs.map((d) => d.dispose()));
  });
});
