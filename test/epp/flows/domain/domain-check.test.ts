/** domain:check (RFC 5731 §3.1.1): availability with reasons, the per-command limit, IDNs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { checkAnswers, deleteXml, domainCheckXml } from '../../../helpers/xml.js';

const answers = (xml: string) => checkAnswers(xml, 'domain');

describe('domain:check', () => {
  let x: ObjectsHarness;
  beforeAll(async () => {
    x = await objectsHarness();
    await x.domain(x.a, { name: 'taken.example' });
    await x.domain(x.a, { name: 'bücher.example' });
  });
  afterAll(async () => { await x.close(); });

  it('answers every name in order, with a reason for each unavailable one', async () => {
    const res = await x.expectCode(x.b, domainCheckXml(['free.example', 'taken.example', 'TAKEN.Example', 'bad_name.example', 'x.com', 'a.b.example', 'trailing.example.']), 1000);
    expect(answers(res)).toEqual([
      ['free.example', '1', undefined],
      ['taken.example', '0', 'In use'],
      ['TAKEN.Example', '0', 'In use'],
      ['bad_name.example', '0', 'Invalid domain name'],
      ['x.com', '0', 'Not a zone of this registry'],
      ['a.b.example', '0', 'Not registrable in this zone'],
      ['trailing.example.', '0', 'Invalid domain name'],
    ]);
  });

  it('matches a U-label against the registered A-label and the other way round', async () => {
    const res = await x.expectCode(x.a, domainCheckXml(['BÜCHER.example', 'xn--bcher-kva.example', 'bucher.example']), 1000);
    expect(answers(res).map(([, avail]) => avail)).toEqual(['0', '0', '1']);
  });

  it('answers up to epp.maxCheckNames (50) names and refuses more (2306, pointing at the first name too many)', async () => {
    const names = Array.from({ length: 51 }, (_, i) => `n${i}.example`);
    expect(answers(await x.expectCode(x.a, domainCheckXml(names.slice(0, 50)), 1000))).toHaveLength(50);
    await x.fails(x.a, domainCheckXml(names), 2306, { local: 'name', ns: NS.domain, text: 'n50.example' });
  });

  it('shows a deleted name as available again', async () => {
    const name = await x.domain(x.a);
    expect(answers(await x.expectCode(x.a, domainCheckXml([name]), 1000))[0]![1]).toBe('0');
    await x.expectCode(x.a, deleteXml('domain', name), 1000);
    expect(answers(await x.expectCode(x.a, domainCheckXml([name]), 1000))[0]![1]).toBe('1');
  });
});
