/** host:delete (RFC 5732 §3.2.2): by the sponsor; not while linked (2305, RST epp-15) or prohibited (2304). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { sql } from '../../../../src/db/pool.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { deleteXml, domainUpdateXml, hostInfoXml, hostUpdateXml } from '../../../helpers/xml.js';

describe('host:delete', () => {
  let x: ObjectsHarness;
  beforeAll(async () => { x = await objectsHarness(); });
  afterAll(async () => { await x.close(); });

  it('deletes an unused host; it no longer exists', async () => {
    await x.host(x.a, 'ns.unused.net');
    await x.expectCode(x.a, deleteXml('host', 'ns.unused.net'), 1000);
    await x.fails(x.a, hostInfoXml('ns.unused.net'), 2303, { local: 'name' });
  });

  it('refuses while any domain uses it (2305), then deletes', async () => {
    await x.host(x.a, 'ns.used.net');
    const user = await x.domain(x.b, { ns: ['ns.used.net'] });
    await x.fails(x.a, deleteXml('host', 'ns.used.net'), 2305, { local: 'name', text: 'ns.used.net' });
    await x.expectCode(x.b, domainUpdateXml(user, { remNs: ['ns.used.net'] }), 1000);
    await x.expectCode(x.a, deleteXml('host', 'ns.used.net'), 1000);
  });

  it('is for the sponsor (2201), of a host that exists (2303), not under a delete prohibition (2304)', async () => {
    await x.host(x.a, 'ns.kept.net');
    await x.fails(x.b, deleteXml('host', 'ns.kept.net'), 2201, { local: 'name', text: 'ns.kept.net' });
    await x.fails(x.a, deleteXml('host', 'ns.never.net'), 2303, { local: 'name', text: 'ns.never.net' });
    await x.expectCode(x.a, hostUpdateXml('ns.kept.net', { addStatus: ['clientDeleteProhibited'] }), 1000);
    await x.fails(x.a, deleteXml('host', 'ns.kept.net'), 2304, { local: 'name' });
    await x.expectCode(x.a, hostUpdateXml('ns.kept.net', { remStatus: ['clientDeleteProhibited'] }), 1000);
    await x.db.query(sql`UPDATE hosts SET statuses = '{serverDeleteProhibited}' WHERE name = 'ns.kept.net'`);
    await x.fails(x.a, deleteXml('host', 'ns.kept.net'), 2304, { local: 'name' });
  });
});
