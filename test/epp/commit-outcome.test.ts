/**
 * A transform whose COMMIT gets no answer (the primary went away during it) is answered 2400,
 * the session stays usable, and the log says honestly that the outcome is unknown, with the
 * svTRID the registrar received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contactCreateXml, domainCheckXml, domainCreateXml, resultCode } from '../../src/epp/client.js';
import { sql } from '../../src/db/pool.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { tag } from '../helpers/xml.js';

describe('a COMMIT of unknown outcome', () => {
  let h: Harness;
  let a: ValidatingClient;
  beforeAll(async () => {
    h = await startHarness();
    a = await h.login('reg-a', { objURIs: [NS.domain, NS.contact] });
    expect(resultCode(await a.request(contactCreateXml({ id: 'unknown-owner' })))).toBe(1000);
    // The backend ends itself while COMMIT runs its deferred triggers: the client gets no reply.
    await h.t.db.primary.query(sql`
      CREATE FUNCTION die_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$`);
    await h.t.db.primary.query(sql`
      CREATE CONSTRAINT TRIGGER die_at_commit AFTER INSERT ON domains DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.name = 'lost-answer.example') EXECUTE FUNCTION die_at_commit()`);
  });
  afterAll(async () => { await h.close(); });

  it('answers 2400, logs "commit outcome unknown" with the svTRID, and keeps the session', async () => {
    const res = await a.request(domainCreateXml({ name: 'lost-answer.example', registrant: 'unknown-owner', pw: 'Lost-answer-1', clTRID: 'LOST-1' }));
    expect(resultCode(res)).toBe(2400);
    const svTrid = tag(res, 'svTRID')!;
    await h.app.engine.flushAudit();
    const lines = readFileSync(join(h.dir, 'test.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.svTrid === svTrid);
    expect(line?.msg).toMatch(/commit outcome unknown/);
    expect(line).toMatchObject({ commitOutcome: 'unknown', command: 'domain:create', clTrid: 'LOST-1' });
    // The same session carries on.
    expect(resultCode(await a.request(domainCheckXml(['next.example'])))).toBe(1000);
  });
});
