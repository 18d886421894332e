/**
 * Property: whatever registrars do, and whatever the scheduler does as time passes, every
 * account's balance equals the sum of its ledger and no domain exists without its create charge.
 * Thousands of random operations (seeded, so a failure replays) over real TLS and Postgres, with
 * balances small enough that some commands fail for lack of credit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { runPass } from '../../src/jobs/scheduler.js';
import { setPrice, setZonePolicy } from '../../src/admin/catalog.js';
import { topUp } from '../../src/admin/accounts.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { createXml, ledgerProblems, renewXml, restoreXml, simpleDelete, transferXml } from '../helpers/lifecycle.js';

const OPS = Number(process.env.LEDGER_PROPERTY_OPS ?? 2000);
const SEED = Number(process.env.LEDGER_PROPERTY_SEED ?? 20261201);
const DAY = 86_400_000;

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Every result a registrar may legitimately get for these commands; anything else (2400!) is a bug.
const EXPECTED = new Set([1000, 1001, 2104, 2105, 2106, 2201, 2202, 2300, 2301, 2302, 2303, 2304, 2305, 2306]);

describe('ledger invariants under random operations', () => {
  let h: Harness;
  const clients: Record<string, ValidatingClient> = {};
  let now = new Date('2026-01-01T00:00:00.000Z');

  beforeAll(async () => {
    h = await startHarness({ clock: () => now });
    const db = h.t.db.primary;
    for (const [op, amount] of [['create', '10.00'], ['renew', '8.00'], ['autoRenew', '7.00'], ['transfer', '6.00'], ['restore', '20.00']] as const) await setPrice(db, 'example', op, amount);
    await setZonePolicy(db, 'example', ['transferLockDays=0', 'transferAutoApproveDays=3']);
    for (const r of ['reg-a', 'reg-b']) {
      await topUp(db, r, '150.00');
      clients[r] = await h.login(r, { objURIs: [NS.domain, NS.contact, NS.host], extURIs: [NS.rgp] });
      expect(resultCode(await clients[r]!.request(contactCreateXml({ id: `owner-${r}` })))).toBe(1000);
    }
  });
  afterAll(async () => { await h.close(); });

  it(`holds after each of ${OPS} operations (seed ${SEED})`, async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const db = h.t.db.primary;
    const names = Array.from({ length: 60 }, (_, i) => `p${i}.example`);
    const codes = new Map<number, number>();
    const regs = ['reg-a', 'reg-b'] as const;
    for (let i = 0; i < OPS; i++) {
      const who = pick(regs);
      const other = who === 'reg-a' ? 'reg-b' : 'reg-a';
      const c = clients[who]!;
      const name = pick(names);
      const roll = rnd();
      let op: string;
      let code: number | undefined;
      if (roll < 0.3) {
        op = 'create';
        code = resultCode(await c.request(createXml(name, { years: 1 + Math.floor(rnd() * 3), registrant: `owner-${who}` })));
      } else if (roll < 0.42) {
        op = 'renew';
        const [d] = await db.query(sql`SELECT expires_at FROM domains WHERE name = ${name}`);
        code = resultCode(await c.request(renewXml(name, d ? d.expires_at.toISOString().slice(0, 10) : '2030-01-01', 1 + Math.floor(rnd() * 2))));
      } else if (roll < 0.54) {
        op = 'delete';
        code = resultCode(await c.request(simpleDelete(name)));
      } else if (roll < 0.64) {
        op = 'transfer request';
        code = resultCode(await clients[other]!.request(transferXml('request', name, 'Auth-Info-123')));
      } else if (roll < 0.72) {
        op = `transfer ${pick(['approve', 'reject', 'cancel'])}`;
        code = resultCode(await c.request(transferXml(op.split(' ')[1]!, name)));
      } else if (roll < 0.8) {
        op = 'restore request';
        code = resultCode(await c.request(restoreXml(name, 'request')));
      } else if (roll < 0.86) {
        op = 'restore report';
        const [d] = await db.query(sql`SELECT deleted_at FROM domains WHERE name = ${name}`);
        const del = (d?.deleted_at ?? now).toISOString();
        code = resultCode(await c.request(restoreXml(name, 'report', { delTime: del, resTime: del })));
      } else if (roll < 0.965) {
        op = 'time passes';
        now = new Date(now.getTime() + Math.floor(rnd() * 40 * DAY));
        await runPass(h.t.db, now);
      } else {
        op = 'top-up';
        await topUp(db, who, (20 + Math.floor(rnd() * 40)).toFixed(2), { now });
      }
      if (code !== undefined) {
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (!EXPECTED.has(code)) throw new Error(`operation ${i} (${op} ${name} by ${who}, seed ${SEED}) answered ${code}`);
      }
      const problems = await ledgerProblems(db);
      if (problems.length) throw new Error(`after operation ${i} (${op} ${name} by ${who}, seed ${SEED}): ${problems.join('; ')}`);
    }
    // The run must have exercised what it claims to: successes, refusals for lack of funds, pending actions.
    const seen = JSON.stringify(Object.fromEntries(codes));
    expect(codes.get(1000) ?? 0, seen).toBeGreaterThan(OPS / 25);
    expect(codes.get(2104) ?? 0, seen).toBeGreaterThan(0);
    expect(codes.get(1001) ?? 0, seen).toBeGreaterThan(0);
    const [{ refunds }] = await db.query(sql`SELECT count(*)::int AS refunds FROM ledger_entries WHERE kind = 'refund'`);
    expect(refunds).toBeGreaterThan(0);
  }, 240_000);
});
