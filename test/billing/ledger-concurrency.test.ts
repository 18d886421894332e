/**
 * Charges of one registrar in parallel transactions over its sharded balance (migration 0011):
 * they do not queue on one row, yet never take the account past its credit limit, and the ledger
 * always sums to the balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, sql } from '../../src/db/pool.js';
import { charge, credit, setAccountLimits } from '../../src/billing/ledger.js';
import { BillingFailureError } from '../../src/epp/errors.js';
import { addZone } from '../../src/admin/zones.js';
import { createRegistrar } from '../../src/admin/registrars.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { ledgerProblems } from '../helpers/lifecycle.js';

describe('sharded balances under concurrent charges', () => {
  let t: TestDb;
  let db: Database;
  let registrarId: number;
  let zoneId: number;
  beforeAll(async () => {
    t = await createTestDb();
    zoneId = await addZone(t.db.primary, 'example');
    registrarId = (await createRegistrar(t.db.primary, { clientId: 'reg-a', name: 'A', password: 'Secret-a-123', zones: ['example'] })).id;
    db = new Database({ primary: t.url, poolSize: 24 });
  });
  afterAll(async () => { await db.dispose(); await t.drop(); });

  const quote = (amount: number) => ({ operation: 'create' as const, years: 1, amount, currency: 'USD', feeClass: 'standard', premium: false });
  const tryCharge = (amount: number, i: number) => db.tx((tx) => charge(tx, { registrarId, quote: quote(amount), zoneId, domain: { roid: `D${i}-T`, name: `d${i}.example` }, now: new Date(), svTrid: `t-${i}` }))
    .then(() => 'ok' as const, (err) => { if (err instanceof BillingFailureError) return 'refused' as const; throw err; });
  const balance = async () => Number((await t.db.primary.query(sql`SELECT balance FROM account_balances`))[0].balance);

  it('lets exactly as many charges through as the funds cover, in parallel', async () => {
    await db.tx((tx) => credit(tx, { registrarId, currency: 'USD', amount: 10_000, kind: 'topup', now: new Date() }));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => tryCharge(300, i)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(33);
    expect(await balance()).toBe(100);
    expect(await ledgerProblems(t.db.primary, { runningBalance: false })).toEqual([]);
  });

  it('honours the credit limit exactly, through the slow path, when the shards run dry', async () => {
    await db.tx((tx) => setAccountLimits(tx, registrarId, 'USD', { creditLimit: 1000 }));
    // 1.00 left plus 10.00 of credit: three charges of 3.00 fit, a fourth does not.
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => tryCharge(300, 100 + i)));
    expect(results.filter((r) => r === 'ok')).toHaveLength(3);
    expect(await balance()).toBe(-800);
    expect(await ledgerProblems(t.db.primary, { runningBalance: false })).toEqual([]);
    // A top-up spreads over every shard, so the fast path serves the next charges again.
    await db.tx((tx) => credit(tx, { registrarId, currency: 'USD', amount: 5_000, kind: 'topup', now: new Date() }));
    const [{ negative }] = await t.db.primary.query(sql`SELECT count(*)::int AS negative FROM account_shards WHERE balance < 0`);
    expect(negative).toBe(0);
    const again = await Promise.all(Array.from({ length: 20 }, (_, i) => tryCharge(100, 200 + i)));
    expect(again.every((r) => r === 'ok')).toBe(true);
    expect(await balance()).toBe(2_200);
    expect(await ledgerProblems(t.db.primary, { runningBalance: false })).toEqual([]);
  });
});
