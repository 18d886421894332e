/** <poll> (RFC 5730 §2.9.2.3): req gives the oldest message with count and id (1301) or 1300; ack removes it (2303 unknown). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueuePoll } from '../../../../src/db/queries/poll.js';
import { sql } from '../../../../src/db/pool.js';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { msgQ, pollXml, tag } from '../../../helpers/xml.js';

describe('poll', () => {
  let x: ObjectsHarness;
  let ids: Record<string, number>;
  beforeAll(async () => {
    x = await objectsHarness();
    const rows = await x.db.query(sql`SELECT id, client_id FROM registrars`);
    ids = Object.fromEntries(rows.map((r: { id: number; client_id: string }) => [r.client_id, r.id]));
  });
  afterAll(async () => { await x.close(); });

  it('answers 1300 with no msgQ when the queue is empty', async () => {
    const res = await x.expectCode(x.a, pollXml('req'), 1300);
    expect(res).not.toContain('msgQ');
  });

  it('gives the oldest message again until it is acknowledged, then the next; ack answers the remaining count', async () => {
    await enqueuePoll(x.db, ids['reg-a']!, new Date('2026-01-01T00:00:00.000Z'), 'first');
    await enqueuePoll(x.db, [ids['reg-a']!, ids['reg-b']!], new Date('2026-01-02T00:00:00.000Z'), 'second', { 'domain:panData': { '@_xmlns:domain': NS.domain, 'domain:name': { '@_paResult': '1', '#text': 'x.example' }, 'domain:paTRID': { 'svTRID': 'abc-123' }, 'domain:paDate': '2026-01-02T00:00:00.000Z' } });
    const one = await x.expectCode(x.a, pollXml('req'), 1301);
    const q = msgQ(one)!;
    expect(q.count).toBe(2);
    expect(tag(one, 'qDate')).toBe('2026-01-01T00:00:00.000Z');
    expect(one).toContain('<msg lang="en">first</msg>');
    expect(one).not.toContain('resData');
    expect(msgQ(await x.expectCode(x.a, pollXml('req'), 1301))!.id).toBe(q.id);
    const ack = await x.expectCode(x.a, pollXml('ack', q.id), 1000);
    expect(msgQ(ack)).toEqual({ count: 1, id: q.id });
    const two = await x.expectCode(x.a, pollXml('req'), 1301);
    expect(msgQ(two)!.count).toBe(1);
    expect(two).toContain('<msg lang="en">second</msg>');
    expect(two).toContain('<resData><domain:panData');
    expect(msgQ(await x.expectCode(x.a, pollXml('ack', msgQ(two)!.id), 1000))).toEqual({ count: 0, id: msgQ(two)!.id });
    await x.expectCode(x.a, pollXml('req'), 1300);
    // reg-b has its own copy.
    expect(await x.expectCode(x.b, pollXml('req'), 1301)).toContain('<msg lang="en">second</msg>');
  });

  it('refuses to acknowledge a message that is not in the client\'s queue (2303), a malformed id (2005) or none (2003)', async () => {
    const theirs = msgQ(await x.expectCode(x.b, pollXml('req'), 1301))!;
    await x.fails(x.a, pollXml('ack', theirs.id), 2303, { local: 'poll', ns: NS.epp, attrs: { op: 'ack', msgID: theirs.id } });
    await x.fails(x.a, pollXml('ack', '999999999'), 2303, { local: 'poll' });
    await x.fails(x.a, pollXml('ack', 'abc'), 2005, { local: 'poll', attrs: { msgID: 'abc' } });
    await x.fails(x.a, pollXml('ack'), 2003, { local: 'poll', attrs: { op: 'ack' } });
    expect(msgQ(await x.expectCode(x.b, pollXml('req'), 1301))!.id).toBe(theirs.id);
  });
});
