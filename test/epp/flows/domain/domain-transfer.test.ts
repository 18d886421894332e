/**
 * domain:transfer (RFC 5731 §3.1.3, §3.2.4): request, query, approve, reject, cancel with who may
 * do each and the codes (2106, 2201, 2202, 2003, 2300, 2301, 2304, 2306, 2002), poll messages to
 * both registrars, and auto-approval by the job runner with an injected clock.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { createRegistrar } from '../../../../src/admin/registrars.js';
import { runPass } from '../../../../src/jobs/scheduler.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { PASSWORDS, type ValidatingClient } from '../../../helpers/harness.js';
import { ALL_OBJECTS, DAY, objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { domainInfoXml, domainTransferXml, domainUpdateXml, msgQ, pollXml, statuses, tag } from '../../../helpers/xml.js';

const START = '2026-01-10T12:00:00.000Z';

describe('domain:transfer', () => {
  let x: ObjectsHarness;
  let c: ValidatingClient;
  /** A domain of reg-a, 61 days old (past the transfer lock), with authInfo "Move-me-123". */
  const movable = async (o: { period?: number } = {}) => {
    const name = await x.domain(x.a, { pw: 'Move-me-123', ...(o.period ? { period: o.period } : {}) });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${name}`);
    return name;
  };
  /** Reads and acknowledges every message in a registrar's queue: [trStatus, domain name] each. */
  const drain = async (client: ValidatingClient) => {
    const out: [string, string][] = [];
    for (;;) {
      const res = await client.request(pollXml('req'));
      if (res.includes('code="1300"')) return out;
      out.push([tag(res, 'domain:trStatus') ?? tag(res, 'contact:trStatus')!, tag(res, 'domain:name') ?? tag(res, 'contact:id')!]);
      await x.expectCode(client, pollXml('ack', msgQ(res)!.id), 1000);
    }
  };
  /** Lets the registry approve every transfer earlier tests left pending, and empties the queues. */
  const settle = async () => {
    await runPass(x.h.t.db, new Date('2100-01-01T00:00:00.000Z'));
    for (const client of [x.a, x.b, c]) await drain(client);
  };
  beforeAll(async () => {
    x = await objectsHarness({ start: START });
    PASSWORDS['reg-c'] = 'Secret-c-789';
    await createRegistrar(x.db, { clientId: 'reg-c', name: 'Registrar C', password: PASSWORDS['reg-c'], ips: ['127.0.0.0/8', '::1/128'], zones: ['example'] });
    c = await x.h.login('reg-c', { objURIs: ALL_OBJECTS });
  });
  beforeEach(async () => {
    x.setNow(START);
    for (const client of [x.a, x.b, c]) await drain(client);
  });
  afterAll(async () => { await x.close(); });

  it('request: 1001 with trnData; the domain shows pendingTransfer; the losing registrar is told', async () => {
    const name = await movable();
    const res = await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    expect(tag(res, 'domain:name')).toBe(name);
    expect(tag(res, 'domain:trStatus')).toBe('pending');
    expect(tag(res, 'domain:reID')).toBe('reg-b');
    expect(tag(res, 'domain:reDate')).toBe(START);
    expect(tag(res, 'domain:acID')).toBe('reg-a');
    expect(tag(res, 'domain:acDate')).toBe('2026-01-15T12:00:00.000Z');
    expect(tag(res, 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    expect(statuses(await x.expectCode(x.a, domainInfoXml(name), 1000), 'domain')).toEqual(['pendingTransfer', 'inactive']);
    const poll = await x.expectCode(x.a, pollXml('req'), 1301);
    expect(poll).toContain('<msg lang="en">Transfer requested.</msg>');
    expect(tag(poll, 'qDate')).toBe(START);
    expect(tag(poll, 'domain:trStatus')).toBe('pending');
    expect(await drain(x.a)).toEqual([['pending', name]]);
    expect(await drain(x.b)).toEqual([['pending', name]]);
  });

  it('request: refused for the sponsor (2106), without accreditation (2201), without authInfo (2003), with a wrong one (2202)', async () => {
    const name = await movable();
    await x.fails(x.a, domainTransferXml('request', name, 'Move-me-123'), 2106, { local: 'name', text: name });
    await x.fails(x.b, domainTransferXml('request', name), 2003, { local: 'authInfo', ns: NS.domain });
    await x.fails(x.b, domainTransferXml('request', name, 'wrong'), 2202, { local: 'pw', ns: NS.domain });
    const open = await x.domain(x.a, { pw: '' });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${open}`);
    await x.fails(x.b, domainTransferXml('request', open, ''), 2202, { local: 'pw' });
    await x.zone('closed', {}, { onlyA: true });
    const owner = await x.contact(x.a);
    const closed = await x.domain(x.a, { name: 'far.closed', registrant: owner, pw: 'Move-me-123' });
    await x.db.query(sql`UPDATE domains SET created_at = created_at - interval '61 days' WHERE name = ${closed}`);
    await x.fails(x.b, domainTransferXml('request', closed, 'Move-me-123'), 2201, { local: 'name', text: closed });
    await x.fails(x.b, domainTransferXml('request', 'never.example', 'Move-me-123'), 2303, { local: 'name', text: 'never.example' });
  });

  it('request: refused while one is pending (2300), under a transfer prohibition (2304), within 60 days of creation (2106)', async () => {
    const name = await movable();
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    await x.fails(x.b, domainTransferXml('request', name, 'Move-me-123'), 2300, { local: 'name', text: name });
    await x.fails(c, domainTransferXml('request', name, 'Move-me-123'), 2300, { local: 'name' });
    const locked = await movable();
    await x.expectCode(x.a, domainUpdateXml(locked, { addStatus: ['clientTransferProhibited'] }), 1000);
    await x.fails(x.b, domainTransferXml('request', locked, 'Move-me-123'), 2304, { local: 'name', text: locked });
    const server = await movable();
    await x.db.query(sql`UPDATE domains SET statuses = '{serverTransferProhibited}' WHERE name = ${server}`);
    await x.fails(x.b, domainTransferXml('request', server, 'Move-me-123'), 2304, { local: 'name' });
    const young = await x.domain(x.a, { pw: 'Move-me-123' });
    await x.fails(x.b, domainTransferXml('request', young, 'Move-me-123'), 2106, { local: 'name', text: young });
    x.advanceDays(60);
    await x.expectCode(x.b, domainTransferXml('request', young, 'Move-me-123'), 1001);
  });

  it('request: the period is 1-10 years (2004) and may not take the expiry past 10 years from now (2306, RST epp-19)', async () => {
    const name = await movable({ period: 9 });
    await x.fails(x.b, domainTransferXml('request', name, 'Move-me-123', 11), 2004, { local: 'period', text: '11' });
    await x.fails(x.b, domainTransferXml('request', name, 'Move-me-123', 2), 2306, { local: 'period', text: '2' });
    expect(tag(await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123', 1), 1001), 'domain:exDate')).toBe('2036-01-10T12:00:00.000Z');
  });

  it('approve (losing registrar only): new sponsor, trDate, expiry extended, authInfo reset, subordinate hosts follow, both told', async () => {
    const name = await movable();
    await x.host(x.a, `ns1.${name}`, ['81.2.69.53']);
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    await x.fails(x.b, domainTransferXml('approve', name), 2201, { local: 'name', text: name });
    await x.fails(c, domainTransferXml('approve', name), 2201, { local: 'name' });
    x.advanceDays(2);
    const res = await x.expectCode(x.a, domainTransferXml('approve', name), 1000);
    expect(tag(res, 'domain:trStatus')).toBe('clientApproved');
    expect(tag(res, 'domain:acDate')).toBe('2026-01-12T12:00:00.000Z');
    expect(tag(res, 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    const info = await x.expectCode(x.b, domainInfoXml(name), 1000);
    expect(tag(info, 'domain:clID')).toBe('reg-b');
    expect(tag(info, 'domain:trDate')).toBe('2026-01-12T12:00:00.000Z');
    expect(tag(info, 'domain:exDate')).toBe('2028-01-10T12:00:00.000Z');
    expect(info).toContain('<domain:pw/>');
    expect(statuses(info, 'domain')).toEqual(['inactive']);
    const [h] = await x.db.query(sql`SELECT r.client_id FROM hosts h JOIN registrars r ON r.id = h.sponsor_id WHERE h.name = ${`ns1.${name}`}`);
    expect(h.client_id).toBe('reg-b');
    expect(await drain(x.a)).toEqual([['pending', name], ['clientApproved', name]]);
    expect(await drain(x.b)).toEqual([['pending', name], ['clientApproved', name]]);
    await x.fails(x.a, domainTransferXml('approve', name), 2201, { local: 'name' });
    await x.fails(x.b, domainTransferXml('approve', name), 2301, { local: 'name', text: name });
    // The new sponsor's 60-day lock starts at the transfer.
    await x.expectCode(x.b, domainUpdateXml(name, { pw: 'Back-again-1' }), 1000);
    await x.fails(x.a, domainTransferXml('request', name, 'Back-again-1'), 2106, { local: 'name' });
  });

  it('reject (losing registrar only): nothing changes, no exDate in trnData, both told', async () => {
    const name = await movable();
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    await x.fails(x.b, domainTransferXml('reject', name), 2201, { local: 'name' });
    const res = await x.expectCode(x.a, domainTransferXml('reject', name), 1000);
    expect(tag(res, 'domain:trStatus')).toBe('clientRejected');
    expect(res).not.toContain('domain:exDate');
    const info = await x.expectCode(x.a, domainInfoXml(name), 1000);
    expect(tag(info, 'domain:clID')).toBe('reg-a');
    expect(tag(info, 'domain:exDate')).toBe('2027-01-10T12:00:00.000Z');
    expect(tag(info, 'domain:pw')).toBe('Move-me-123');
    expect(statuses(info, 'domain')).not.toContain('pendingTransfer');
    await x.fails(x.a, domainTransferXml('reject', name), 2301, { local: 'name' });
    expect(await drain(x.a)).toEqual([['pending', name], ['clientRejected', name]]);
    expect(await drain(x.b)).toEqual([['pending', name], ['clientRejected', name]]);
  });

  it('cancel (requesting registrar only): both told; nothing pending afterwards (2301)', async () => {
    const name = await movable();
    await x.fails(x.b, domainTransferXml('cancel', name), 2301, { local: 'name' });
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    await x.fails(x.a, domainTransferXml('cancel', name), 2201, { local: 'name', text: name });
    await x.fails(c, domainTransferXml('cancel', name), 2201, { local: 'name' });
    expect(tag(await x.expectCode(x.b, domainTransferXml('cancel', name), 1000), 'domain:trStatus')).toBe('clientCancelled');
    await x.fails(x.b, domainTransferXml('cancel', name), 2301, { local: 'name' });
    expect(await drain(x.a)).toEqual([['pending', name], ['clientCancelled', name]]);
    expect(await drain(x.b)).toEqual([['pending', name], ['clientCancelled', name]]);
    // A new request may follow.
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
  });

  it('query: for the parties, or anyone with the authInfo (2201 without, 2202 wrong); 2002 when there was never a transfer', async () => {
    const name = await movable();
    await x.fails(x.a, domainTransferXml('query', name), 2002, { local: 'name', text: name });
    await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    for (const client of [x.a, x.b]) expect(tag(await x.expectCode(client, domainTransferXml('query', name), 1000), 'domain:trStatus')).toBe('pending');
    await x.fails(c, domainTransferXml('query', name), 2201, { local: 'name', text: name });
    await x.fails(c, domainTransferXml('query', name, 'wrong'), 2202, { local: 'pw' });
    expect(tag(await x.expectCode(c, domainTransferXml('query', name, 'Move-me-123'), 1000), 'domain:reID')).toBe('reg-b');
    await x.expectCode(x.a, domainTransferXml('reject', name), 1000);
    expect(tag(await x.expectCode(x.b, domainTransferXml('query', name), 1000), 'domain:trStatus')).toBe('clientRejected');
    await x.fails(x.a, domainTransferXml('query', 'never.example'), 2303, { local: 'name' });
  });

  it('is approved by the registry once the zone\'s period passes (serverApproved, both told), exactly once', async () => {
    await settle();
    const name = await movable();
    const res = await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    const acDate = new Date(tag(res, 'domain:acDate')!);
    expect(acDate.getTime() - new Date(START).getTime()).toBe(5 * DAY);
    expect(await runPass(x.h.t.db, new Date(acDate.getTime() - 1))).toMatchObject({ transfersApproved: 0 });
    expect(await runPass(x.h.t.db, acDate)).toMatchObject({ transfersApproved: 1 });
    expect(await runPass(x.h.t.db, acDate)).toMatchObject({ transfersApproved: 0 });
    x.setNow(acDate);
    const info = await x.expectCode(x.b, domainInfoXml(name), 1000);
    expect(tag(info, 'domain:clID')).toBe('reg-b');
    expect(tag(info, 'domain:trDate')).toBe(acDate.toISOString());
    expect(await drain(x.a)).toEqual([['pending', name], ['serverApproved', name]]);
    expect(await drain(x.b)).toEqual([['pending', name], ['serverApproved', name]]);
    const [{ n }] = await x.db.query(sql`SELECT count(*)::int AS n FROM object_history h JOIN domains d ON d.roid = h.object_roid WHERE d.name = ${name} AND h.action = 'transfer-serverApproved'`);
    expect(n).toBe(1);
  });

  it('auto-approval skips a transfer whose domain an EPP command holds, instead of waiting (no deadlock), and takes it next pass', async () => {
    await settle();
    const name = await movable();
    const res = await x.expectCode(x.b, domainTransferXml('request', name, 'Move-me-123'), 1001);
    const acDate = new Date(tag(res, 'domain:acDate')!);
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => { locked = r; });
    // What an EPP transfer command does first: lock the domain row, then the transfer row.
    const epp = x.db.tx(async (tx) => {
      await tx.query(sql`SELECT 1 FROM domains WHERE name = ${name} FOR UPDATE`);
      locked();
      await held;
      await tx.query(sql`SELECT 1 FROM transfers t JOIN domains d ON d.id = t.object_id AND t.object_type = 'domain' WHERE d.name = ${name} FOR UPDATE OF t`);
    });
    await isLocked;
    expect(await runPass(x.h.t.db, acDate)).toMatchObject({ transfersApproved: 0 });
    release();
    await epp;
    expect(await runPass(x.h.t.db, acDate)).toMatchObject({ transfersApproved: 1 });
  });
});
