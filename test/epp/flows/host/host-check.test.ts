/** host:check (RFC 5732 §3.1.1): availability with reasons and the per-command limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { checkAnswers, deleteXml, hostCheckXml } from '../../../helpers/xml.js';

const answers = (xml: string) => checkAnswers(xml, 'host');

describe('host:check', () => {
  let x: ObjectsHarness;
  beforeAll(async () => {
    x = await objectsHarness();
    await x.host(x.a, 'ns1.taken.net');
  });
  afterAll(async () => { await x.close(); });

  it('answers every name in order: free, in use (any case), invalid', async () => {
    const res = await x.expectCode(x.b, hostCheckXml(['ns1.free.net', 'ns1.taken.net', 'NS1.Taken.Net', 'single', 'bad_host.net', 'dot.net.']), 1000);
    expect(answers(res)).toEqual([
      ['ns1.free.net', '1', undefined],
      ['ns1.taken.net', '0', 'In use'],
      ['NS1.Taken.Net', '0', 'In use'],
      ['single', '0', 'Invalid host name'],
      ['bad_host.net', '0', 'Invalid host name'],
      ['dot.net.', '0', 'Invalid host name'],
    ]);
  });

  it('refuses more than epp.maxCheckNames names (2306)', async () => {
    const names = Array.from({ length: 51 }, (_, i) => `ns${i}.many.net`);
    expect(answers(await x.expectCode(x.a, hostCheckXml(names.slice(0, 50)), 1000))).toHaveLength(50);
    await x.fails(x.a, hostCheckXml(names), 2306, { local: 'name', ns: NS.host, text: 'ns50.many.net' });
  });

  it('shows a deleted host as available', async () => {
    await x.host(x.a, 'ns1.gone.net');
    await x.expectCode(x.a, deleteXml('host', 'ns1.gone.net'), 1000);
    expect(answers(await x.expectCode(x.a, hostCheckXml(['ns1.gone.net']), 1000))[0]![1]).toBe('1');
  });
});
