/**
 * The fee extension (RFC 8748) over standard and premium prices, and reserved names with
 * allocation tokens (RFC 8495), over real TLS; every response is schema-validated by the harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactCreateXml, domainInfoXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { runPass } from '../../src/jobs/scheduler.js';
import { reserveName, setPremium, setPrice } from '../../src/admin/catalog.js';
import { topUp } from '../../src/admin/accounts.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { balanceOf, checkXml, createXml, expectLedgerConsistent, feeCheckExt, feeExt, renewXml, tag, tokenExt } from '../helpers/lifecycle.js';
import { pollXml } from '../helpers/xml.js';

const ALL = [NS.domain, NS.host, NS.contact];
const DAY = 86_400_000;

describe('fee extension and reserved names', () => {
  let h: Harness;
  let a: ValidatingClient;
  let b: ValidatingClient;
  let plain: ValidatingClient;
  let now = new Date('2026-05-01T08:00:00.000Z');

  beforeAll(async () => {
    h = await startHarness({ clock: () => now });
    const db = h.t.db.primary;
    for (const [op, amount] of [['create', '12.50'], ['renew', '11.00'], ['transfer', '9.00'], ['restore', '60.00']] as const) await setPrice(db, 'example', op, amount);
    await setPremium(db, 'example', 'gold', { create: '500.00', renew: '120.00', transfer: '120.00', feeClass: 'premium-a' });
    await topUp(db, 'reg-a', '2000.00');
    await topUp(db, 'reg-b', '2000.00');
    a = await h.login('reg-a', { objURIs: ALL, extURIs: [NS.fee, NS.allocationToken, NS.rgp] });
    b = await h.login('reg-b', { objURIs: ALL, extURIs: [NS.fee, NS.allocationToken] });
    plain = await h.login('reg-a', { objURIs: ALL });
    expect(resultCode(await a.request(contactCreateXml({ id: 'owner' })))).toBe(1000);
  });
  afterAll(async () => { await h.close(); });

  it('answers fee:check with the class and each command\'s fee, per period', async () => {
    const res = await a.request(checkXml(['plain.example', 'gold.example'], feeCheckExt([{ name: 'create', years: 2 }, { name: 'renew' }, { name: 'transfer' }, { name: 'restore' }])));
    expect(res).toContain('<fee:currency>USD</fee:currency>');
    const cds = res.split('<fee:cd ').slice(1);
    expect(cds[0]).toContain('<fee:objID>plain.example</fee:objID><fee:class>standard</fee:class>');
    expect(cds[0]).toContain('<fee:command name="create" standard="1"><fee:period unit="y">2</fee:period><fee:fee description="Registration fee" refundable="1" grace-period="P5D" applied="immediate">25.00</fee:fee></fee:command>');
    expect(cds[0]).toContain('<fee:command name="restore" standard="1"><fee:fee description="Restore fee" refundable="0" applied="immediate">60.00</fee:fee></fee:command>');
    expect(cds[1]).toContain('<fee:class>premium-a</fee:class>');
    expect(cds[1]).toContain('<fee:command name="create" standard="0"><fee:period unit="y">2</fee:period><fee:fee description="Registration fee" refundable="1" grace-period="P5D" applied="immediate">1000.00</fee:fee>');
    expect(cds[1]).toContain('>120.00</fee:fee>');
  });

  it('marks what it cannot price avail="0" with a reason: another currency, a launch phase, a custom command, a bad period', async () => {
    expect(await a.request(checkXml(['x.example'], feeCheckExt([{ name: 'create' }], 'EUR')))).toMatch(/<fee:cd avail="0"><fee:objID>x\.example<\/fee:objID><fee:reason>fees for \.example are in USD<\/fee:reason>/);
    expect(await a.request(checkXml(['x.example'], feeCheckExt([{ name: 'create', phase: 'sunrise' }])))).toContain('<fee:reason>launch phases are not offered</fee:reason>');
    expect(await a.request(checkXml(['x.example'], feeCheckExt([{ name: 'custom' }])))).toContain('avail="0"');
    expect(await a.request(checkXml(['x.example'], feeCheckExt([{ name: 'create', years: 11 }])))).toContain('<fee:reason>period not offered for create</fee:reason>');
    expect(await a.request(checkXml(['not-ours.test'], feeCheckExt([{ name: 'create' }])))).toContain('<fee:cd avail="0"><fee:objID>not-ours.test</fee:objID>');
  });

  it('needs the fee extension to create a premium name, refuses a fee below the price or in another currency', async () => {
    const before = await balanceOf(h.t.db.primary, 'reg-a');
    expect(resultCode(await a.request(createXml('gold.example')))).toBe(2003);
    expect(resultCode(await a.request(createXml('gold.example', { ext: feeExt('create', '499.99') })))).toBe(2004);
    expect(resultCode(await a.request(createXml('gold.example', { ext: feeExt('create', '500.00', 'EUR') })))).toBe(2004);
    expect(resultCode(await a.request(createXml('gold.example', { ext: feeExt('create', '500.001') })))).toBe(2004);
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before);
    const ok = await a.request(createXml('gold.example', { ext: feeExt('create', '500.00', 'USD') }));
    expect(resultCode(ok)).toBe(1000);
    expect(ok).toContain('>500.00</fee:fee>');
    expect(await balanceOf(h.t.db.primary, 'reg-a')).toBe(before - 50000);
    // A premium renewal needs the fee acknowledged too.
    const exp = tag(await a.request(domainInfoXml('gold.example')), 'domain:exDate')!.slice(0, 10);
    expect(resultCode(await a.request(renewXml('gold.example', exp)))).toBe(2003);
    expect(resultCode(await a.request(renewXml('gold.example', exp, 1, feeExt('renew', '120.00'))))).toBe(1000);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('charges a standard create with or without the extension; fee data only to a client that logged in with it', async () => {
    const withFee = await a.request(createXml('standard-1.example', { ext: feeExt('create', '20.00') }));
    expect(resultCode(withFee)).toBe(1000);
    // The client agreed to pay up to 20.00; the registry charges its price.
    expect(withFee).toContain('>12.50</fee:fee>');
    const withoutExt = await plain.request(createXml('standard-2.example'));
    expect(resultCode(withoutExt)).toBe(1000);
    expect(withoutExt).not.toContain('fee:');
    // An extension the client did not announce at login is refused (RFC 5730 §2.9.1.1).
    expect(resultCode(await plain.request(createXml('standard-3.example', { ext: feeExt('create', '12.50') })))).toBe(2103);
    await expectLedgerConsistent(h.t.db.primary);
  });

  it('shows reserved names unavailable and refuses to create them (2304)', async () => {
    await reserveName(h.t.db.primary, 'example', 'blocked', { reason: 'Registry reserved' });
    const res = await a.request(checkXml(['blocked.example', 'free-name.example']));
    expect(res).toContain('<domain:cd><domain:name avail="0">blocked.example</domain:name><domain:reason lang="en">Reserved</domain:reason></domain:cd>');
    expect(res).toContain('<domain:name avail="1">free-name.example</domain:name>');
    expect(resultCode(await a.request(createXml('blocked.example')))).toBe(2304);
    expect(resultCode(await a.request(createXml('blocked.example', { ext: tokenExt('guess') })))).toBe(2201);
  });

  it('allocates a reserved name to its registrar with the token, once; a wrong token or registrar is 2201', async () => {
    const { token } = await reserveName(h.t.db.primary, 'example', 'allotted', { registrar: 'reg-b', tokenDays: 30, now });
    expect(token).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect(await b.request(checkXml(['allotted.example']))).toContain('avail="0"');
    expect(await b.request(checkXml(['allotted.example'], tokenExt(token!)))).toContain('avail="1"');
    expect(await a.request(checkXml(['allotted.example'], tokenExt(token!)))).toContain('avail="0"');
    expect(resultCode(await b.request(contactCreateXml({ id: 'owner-b' })))).toBe(1000);
    expect(resultCode(await b.request(createXml('allotted.example', { registrant: 'owner-b' })))).toBe(2304);
    expect(resultCode(await b.request(createXml('allotted.example', { registrant: 'owner-b', ext: tokenExt('wrong-token') })))).toBe(2201);
    expect(resultCode(await a.request(createXml('allotted.example', { ext: tokenExt(token!) })))).toBe(2201);
    expect(resultCode(await b.request(createXml('allotted.example', { registrant: 'owner-b', ext: tokenExt(token!) })))).toBe(1000);
    const [{ n }] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM reserved_names WHERE name = 'allotted.example'`);
    expect(n).toBe(0);
    // Tokens are stored only as digests.
    const [row] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM reserved_names WHERE token_sha256 = ${token!}`);
    expect(row.n).toBe(0);
  });

  it('expires an allocation token: the name stays reserved, the registrar is told', async () => {
    const { token } = await reserveName(h.t.db.primary, 'example', 'expiring', { registrar: 'reg-b', tokenDays: 3, now });
    now = new Date(now.getTime() + 3 * DAY + 1);
    expect((await runPass(h.t.db, now)).tokensExpired).toBe(1);
    expect(resultCode(await b.request(createXml('expiring.example', { registrant: 'owner-b', ext: tokenExt(token!) })))).toBe(2201);
    expect(await b.request(checkXml(['expiring.example']))).toContain('<domain:reason lang="en">Reserved</domain:reason>');
    let found = false;
    for (;;) {
      const res = await b.request(pollXml('req'));
      if (resultCode(res) === 1300) break;
      found ||= res.includes('allocation token for the reserved name expiring.example expired');
      await b.request(pollXml('ack', /id="(\d+)"/.exec(res)![1]!));
    }
    expect(found).toBe(true);
  });
});
