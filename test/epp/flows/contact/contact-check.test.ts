/** contact:check (RFC 5733 §3.1.1): availability, ids we would refuse, the per-command limit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NS } from '../../../../src/xml/namespaces.js';
import { objectsHarness, type ObjectsHarness } from '../objects-harness.js';
import { checkAnswers, contactCheckXml } from '../../../helpers/xml.js';

const answers = (xml: string) => checkAnswers(xml, 'contact');

describe('contact:check', () => {
  let x: ObjectsHarness;
  beforeAll(async () => {
    x = await objectsHarness();
    await x.contact(x.a, { id: 'taken-id' });
  });
  afterAll(async () => { await x.close(); });

  it('answers every id: free, in use (ids are case-sensitive), invalid', async () => {
    const res = await x.expectCode(x.b, contactCheckXml(['free-id', 'taken-id', 'TAKEN-ID', 'has space', 'naïve-id']), 1000);
    expect(answers(res)).toEqual([
      ['free-id', '1', undefined],
      ['taken-id', '0', 'In use'],
      ['TAKEN-ID', '1', undefined],
      ['has space', '0', 'Invalid contact id'],
      ['naïve-id', '0', 'Invalid contact id'],
    ]);
  });

  it('refuses more than epp.maxCheckNames ids (2306)', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `id-${i}`);
    expect(answers(await x.expectCode(x.a, contactCheckXml(ids.slice(0, 50)), 1000))).toHaveLength(50);
    await x.fails(x.a, contactCheckXml(ids), 2306, { local: 'id', ns: NS.contact, text: 'id-50' });
  });
});
