/**
 * The domain lifecycle with an injected clock (RFC 3915, ICANN practice): grace periods and their
 * refunds, auto-renew, the redemption grace period with restore, purge, and a transfer during the
 * auto-renew grace period. Every test ends by checking that the ledger sums to each balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainInfoXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { runPass } from '../../src/jobs/scheduler.js';
import { setPrice, setZonePolicy } from '../../src/admin/catalog.js';
import { setLimits, topUp } from '../../src/admin/accounts.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { pollXml } from '../helpers/xml.js';
import {
  balanceOf, checkXml, createXml, expectLedgerConsistent, feeCheckExt, feeExt, renewXml, restoreXml, simpleDelete, tag, transferXml,
} from '../helpers/lifecycle.js';

const DAY = 86_400_000;
const ALL = [NS.domain, NS.host, NS.contact];
const EXT = [NS.rgp, NS.fee, NS.secDNS];

describe('domain lifecycle and billing', () => {
  let h: Harness;
  let a: ValidatingClient;
  let b: ValidatingClient;
  let now = new Date('2026-03-01T10:00:00.000Z');
  const at = (ms: number) => { now = new Date(now.getTime() + ms); return now; };

  beforeAll(async () => {
    h = await startHarness({ clock: () => now });
    const db = h.t.db.primary;
    for (const [op, amount] of [['create', '10.00'], ['renew', '8.00'], ['autoRenew', '7.00'], ['transfer', '6.00'], ['restore', '50.00']] as const) {
      await setPrice(db, 'example', op, amount);
    }
    await topUp(db, 'reg-a', '1000.00');
    await topUp(db, 'reg-b', '1000.00');
    a = await h.login('reg-a', { objURIs: ALL, extURIs: EXT });
    b = await h.login('reg-b', { objURIs: ALL, extURIs: EXT });
    expect(resultCode(await a.request(contactCreateXml({ id: 'owner' })))).toBe(1000);
  });
  afterAll(async () => { await h.close(); });

  const poll = async (c: ValidatingClient): Promise<string[]> => {
    const out: string[] = [];
    for (;;) {
      const res = await c.request(pollXml('req'));
      if (resultCode(res) === 1300) return out;
      out.push(res);
      const id = /<msgQ count="\d+" id="(\d+)"/.exec(res)![1]!;
      expect(resultCode(await c.request(pollXml('ack', id)))).toBe(1000);
    }
  };
  const info = (c: ValidatingClient, name: string) => c.request(domainInfoXml(name));
  const pass = () => runPass(h.t.db, now);
  /** Price lists are cached per process and reloaded on NOTIFY: wait until the front-end quotes the new price. */
  const priceSeen = async (amount: string) => {
    for (let i = 0; i < 200; i++) {
      if ((await a.request(checkXml(['price-probe.example'], feeCheckExt([{ name: 'create' }])))).includes(`>${amount}</fee:fee>`)) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the front-end never quoted ${amount}`);
  };

  it('charges a create and refunds it in full when deleted within the add grace period; the name is free at once', async () => {
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    const created = await a.request(createXml('grace-add.example', { years: 2 }));
    expect(resultCode(created)).toBe(1000);
    // Logged in with the fee extension: the response says what was charged and what is left.
    expect(created).toContain('<fee:fee description="Registration fee" refundable="1" grace-period="P5D" applied="immediate">20.00</fee:fee>');
    expect(tag(created, 'fee:balance')).toBe(((before - 2000) / 100).toFixed(2));
    expect(await info(a, 'grace-add.example')).toContain('<rgp:rgpStatus s="addPeriod"/>');
    at(2 * DAY);
    const deleted = await a.request(simpleDelete('grace-add.example'));
    expect(resultCode(deleted)).toBe(1000);
    expect(deleted).toContain('<fee:credit description="Registration fee refund">-20.00</fee:credit>');
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before);
    expect(await a.request(checkXml(['grace-add.example']))).toContain('avail="1"');
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('refunds a renewal deleted within its renew grace period and takes the years back', async () => {
    expect(resultCode(await a.request(createXml('grace-renew.example')))).toBe(1000);
    const exp = tag(await info(a, 'grace-renew.example'), 'domain:exDate')!;
    at(10 * DAY);
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    const renewed = await a.request(renewXml('grace-renew.example', exp.slice(0, 10), 2));
    expect(resultCode(renewed)).toBe(1000);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before - 1600);
    expect(await info(a, 'grace-renew.example')).toContain('<rgp:rgpStatus s="renewPeriod"/>');
    at(1 * DAY);
    expect(resultCode(await a.request(simpleDelete('grace-renew.example')))).toBe(1001);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before);
    // In redemption, with the expiry it had before the refunded renewal.
    const i = await info(a, 'grace-renew.example');
    expect(tag(i, 'domain:exDate')).toBe(exp);
    expect(i).toContain('<domain:status s="pendingDelete"/>');
    expect(i).toContain('<rgp:rgpStatus s="redemptionPeriod"/>');
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('auto-renews at expiry (billed, poll message) and refunds it when deleted within the auto-renew grace period', async () => {
    expect(resultCode(await a.request(createXml('auto.example', { years: 1 })))).toBe(1000);
    const exp = new Date(tag(await info(a, 'auto.example'), 'domain:exDate')!);
    await poll(a);
    now = new Date(exp.getTime() + 60_000);
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    expect((await pass()).autoRenewed).toBeGreaterThanOrEqual(1);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before - 700);
    const renewedTo = new Date(exp); renewedTo.setUTCFullYear(exp.getUTCFullYear() + 1);
    const i = await info(a, 'auto.example');
    expect(tag(i, 'domain:exDate')).toBe(renewedTo.toISOString());
    expect(i).toContain('<rgp:rgpStatus s="autoRenewPeriod"/>');
    const msgs = await poll(a);
    expect(msgs.some((m) => m.includes('<domain:renData') && m.includes(`<domain:exDate>${renewedTo.toISOString()}</domain:exDate>`))).toBe(true);
    // A second pass at the same instant renews nothing again.
    expect((await pass()).autoRenewed).toBe(0);
    at(10 * DAY);
    expect(resultCode(await a.request(simpleDelete('auto.example')))).toBe(1001);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before);
    expect(tag(await info(a, 'auto.example'), 'domain:exDate')).toBe(exp.toISOString());
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('restores from redemption: request (billed, pendingRestore) then report within the window', async () => {
    expect(resultCode(await a.request(createXml('restore.example')))).toBe(1000);
    at(6 * DAY);
    expect(resultCode(await a.request(simpleDelete('restore.example')))).toBe(1001);
    const deletedAt = now.toISOString();
    // Only the restore is allowed in redemption.
    expect(resultCode(await a.request(renewXml('restore.example', '2027-01-01')))).toBe(2304);
    expect(resultCode(await a.request(restoreXml('restore.example', 'report', { delTime: deletedAt, resTime: deletedAt })))).toBe(2304);
    expect(resultCode(await b.request(restoreXml('restore.example', 'request')))).toBe(2201);
    at(3 * DAY);
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    const req = await a.request(restoreXml('restore.example', 'request'));
    expect(resultCode(req)).toBe(1000);
    expect(req).toContain('<rgp:upData xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:rgpStatus s="pendingRestore"/></rgp:upData>');
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before - 5000);
    expect(await info(a, 'restore.example')).toContain('<rgp:rgpStatus s="pendingRestore"/>');
    // The report needs both statements.
    expect(resultCode(await a.request(restoreXml('restore.example', 'report', { delTime: deletedAt, resTime: now.toISOString(), statements: 1 })))).toBe(2003);
    at(1 * DAY);
    await poll(a);
    expect(resultCode(await a.request(restoreXml('restore.example', 'report', { delTime: deletedAt, resTime: new Date(now.getTime() - DAY).toISOString() })))).toBe(1000);
    const i = await info(a, 'restore.example');
    expect(i).not.toContain('pendingDelete');
    expect(i).not.toContain('<rgp:infData');
    expect(i).toContain('<domain:status s="inactive"/>');
    expect((await poll(a)).some((m) => m.includes('<domain:name paResult="1">restore.example</domain:name>'))).toBe(true);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before - 5000);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('returns a restore with no report in time to redemption and refunds the restore fee', async () => {
    expect(resultCode(await a.request(createXml('late.example')))).toBe(1000);
    at(6 * DAY);
    expect(resultCode(await a.request(simpleDelete('late.example')))).toBe(1001);
    const deletedAt = now.toISOString();
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    expect(resultCode(await a.request(restoreXml('late.example', 'request')))).toBe(1000);
    await poll(a);
    at(7 * DAY + 1000);
    expect((await pass()).restoresExpired).toBe(1);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before);
    expect(await info(a, 'late.example')).toContain('<rgp:rgpStatus s="redemptionPeriod"/>');
    expect((await poll(a)).some((m) => m.includes('<domain:name paResult="0">late.example</domain:name>'))).toBe(true);
    expect(resultCode(await a.request(restoreXml('late.example', 'report', { delTime: deletedAt, resTime: deletedAt })))).toBe(2304);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('moves an unrestored domain to pendingDelete after 30 days and purges it 5 days later; the name is available again', async () => {
    expect(resultCode(await a.request(createXml('purge.example')))).toBe(1000);
    at(6 * DAY);
    expect(resultCode(await a.request(simpleDelete('purge.example')))).toBe(1001);
    await poll(a);
    at(30 * DAY + 1000);
    expect((await pass()).pendingDelete).toBeGreaterThanOrEqual(1);
    expect(await info(a, 'purge.example')).toContain('<rgp:rgpStatus s="pendingDelete"/>');
    expect(resultCode(await a.request(restoreXml('purge.example', 'request')))).toBe(2304);
    expect(await a.request(checkXml(['purge.example']))).toContain('avail="0"');
    at(5 * DAY);
    expect((await pass()).purged).toBeGreaterThanOrEqual(1);
    expect(resultCode(await info(a, 'purge.example'))).toBe(2303);
    expect(await a.request(checkXml(['purge.example']))).toContain('avail="1"');
    expect((await poll(a)).some((m) => m.includes('<domain:name paResult="1">purge.example</domain:name>'))).toBe(true);
    // The ledger still names the purged domain.
    const [{ n }] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM ledger_entries WHERE domain_name = 'purge.example'`);
    expect(n).toBe(1);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('undoes the auto-renewal when the domain is transferred within the auto-renew grace period', async () => {
    expect(resultCode(await a.request(createXml('moving.example')))).toBe(1000);
    const exp = new Date(tag(await info(a, 'moving.example'), 'domain:exDate')!);
    now = new Date(exp.getTime() + DAY);
    await pass();
    const aBefore = await balanceOf(h.t.db.primary, 'reg-a');
    const bBefore = await balanceOf(h.t.db.primary, 'reg-b');
    const req = await b.request(transferXml('request', 'moving.example', 'Auth-Info-123', feeExt('transfer', '6.00')));
    expect(resultCode(req)).toBe(1001);
    expect(req).toContain('<fee:trnData');
    expect(await balanceOf(h.t.db.primary, 'reg-b')).toBe(bBefore - 600);
    at(DAY);
    expect(resultCode(await a.request(transferXml('approve', 'moving.example')))).toBe(1000);
    // The losing registrar gets the auto-renewal back; the transfer's year replaces it.
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(aBefore + 700);
    const plusOne = new Date(exp); plusOne.setUTCFullYear(exp.getUTCFullYear() + 1);
    const i = await info(b, 'moving.example');
    expect(tag(i, 'domain:exDate')).toBe(plusOne.toISOString());
    expect(tag(i, 'domain:clID')).toBe('reg-b');
    expect(i).toContain('<rgp:rgpStatus s="transferPeriod"/>');
    // A delete in the transfer grace period refunds the transfer.
    expect(resultCode(await b.request(simpleDelete('moving.example')))).toBe(1001);
    expect(await balanceOf(h.t.db.primary, 'reg-b')).toBe(bBefore);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('refunds a rejected or cancelled transfer to the gaining registrar', async () => {
    expect(resultCode(await a.request(createXml('stay.example')))).toBe(1000);
    at(61 * DAY);
    const bBefore = await balanceOf(h.t.db.primary, 'reg-b');
    expect(resultCode(await b.request(transferXml('request', 'stay.example', 'Auth-Info-123')))).toBe(1001);
    expect(resultCode(await a.request(transferXml('reject', 'stay.example')))).toBe(1000);
    expect(await balanceOf(h.t.db.primary, 'reg-b')).toBe(bBefore);
    expect(resultCode(await b.request(transferXml('request', 'stay.example', 'Auth-Info-123')))).toBe(1001);
    expect(resultCode(await b.request(transferXml('cancel', 'stay.example')))).toBe(1000);
    expect(await balanceOf(h.t.db.primary, 'reg-b')).toBe(bBefore);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('refuses a command the registrar cannot pay for with 2104 and changes nothing', async () => {
    const db = h.t.db.primary;
    const [{ n: before }] = await db.query(sql`SELECT count(*)::int AS n FROM ledger_entries`);
    const bal = await balanceOf(db, 'reg-b');
    await setPrice(db, 'example', 'create', ((bal + 100) / 100).toFixed(2));
    await priceSeen(((bal + 100) / 100).toFixed(2));
    const res = await b.request(createXml('too-dear.example'));
    expect(resultCode(res)).toBe(2104);
    expect(res).toContain('insufficient funds');
    // A credit limit makes up the difference.
    await setLimits(db, 'reg-b', { creditLimit: '2.00' });
    expect(resultCode(await b.request(contactCreateXml({ id: 'owner-b' })))).toBe(1000);
    expect(resultCode(await b.request(createXml('too-dear.example', { registrant: 'owner-b' })))).toBe(1000);
    expect(await balanceOf(db, 'reg-b')).toBe(-100);
    const [{ n: after }] = await db.query(sql`SELECT count(*)::int AS n FROM ledger_entries`);
    expect(after).toBe(before + 1);
    expect(resultCode(await b.request(createXml('one-more.example', { registrant: 'owner-b' })))).toBe(2104);
    expect(resultCode(await b.request(domainInfoXml('one-more.example')))).toBe(2303);
    await setPrice(db, 'example', 'create', '10.00');
    await priceSeen('10.00');
    await topUp(db, 'reg-b', '500.00');
    await expectLedgerConsistent(db);
  });

  it('queues a low-balance message once when funds fall below the threshold, and re-arms after a top-up', async () => {
    const db = h.t.db.primary;
    await poll(b);
    // Available funds are balance + credit limit (2.00 here); the alert is 15.00 below them.
    const available = (await balanceOf(db, 'reg-b')) + 200;
    await setLimits(db, 'reg-b', { lowBalance: ((available - 1500) / 100).toFixed(2) });
    const lowAlerts = async () => (await poll(b)).filter((m) => m.includes('Low balance')).length;
    expect(resultCode(await b.request(createXml('low-1.example', { registrant: 'owner-b' })))).toBe(1000);
    expect(await lowAlerts()).toBe(0);
    for (const n of ['low-2', 'low-3']) expect(resultCode(await b.request(createXml(`${n}.example`, { registrant: 'owner-b' })))).toBe(1000);
    expect(await lowAlerts()).toBe(1);
    expect(resultCode(await b.request(createXml('low-4.example', { registrant: 'owner-b' })))).toBe(1000);
    expect(await lowAlerts()).toBe(0);
    // Back to the threshold re-arms the alert; the next charge below it sends one again.
    await topUp(db, 'reg-b', '25.00');
    expect(resultCode(await b.request(createXml('low-5.example', { registrant: 'owner-b' })))).toBe(1000);
    expect(await lowAlerts()).toBe(1);
    await expectLedgerConsistent(db);
  });

  it('deletes expiring domains into redemption instead when the zone does not auto-renew', async () => {
    const db = h.t.db.primary;
    expect(resultCode(await a.request(createXml('no-auto.example')))).toBe(1000);
    const exp = new Date(tag(await info(a, 'no-auto.example'), 'domain:exDate')!);
    await setZonePolicy(db, 'example', ['autoRenew=false']);
    try {
      now = new Date(exp.getTime() + 1000);
      const before = await balanceOf(db, 'reg-a');
      expect((await pass()).expiredDeleted).toBeGreaterThanOrEqual(1);
      expect(await balanceOf(db, 'reg-a')).toBe(before);
      expect(await info(a, 'no-auto.example')).toContain('<rgp:rgpStatus s="redemptionPeriod"/>');
    } finally {
      await setZonePolicy(db, 'example', ['autoRenew=true']);
    }
    await expectLedgerConsistent(db);
  });
});
