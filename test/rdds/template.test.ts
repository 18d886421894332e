/** Rendered-once answers: the slots are filled per request, escaped as the document needs. */
import { describe, expect, it } from 'vitest';
import { SLOT, Template } from '../../src/rdds/template.js';

describe('Template', () => {
  it('fills JSON slots with JSON-escaped values, equal to rendering afresh', () => {
    const doc = (url: string, asOf: string) => ({ links: [{ value: url, href: 'x' }], events: [{ eventDate: asOf }], again: url });
    const t = Template.of(JSON.stringify(doc(SLOT.url, SLOT.asOf)), true);
    const url = 'https://rdap.example/domain/caf%C3%A9.example?"\\';
    expect(t.fill({ url, asOf: '2026-01-01T00:00:00.000Z' })).toBe(JSON.stringify(doc(url, '2026-01-01T00:00:00.000Z')));
    expect(JSON.parse(t.fill({ url: 'u', asOf: 'a' }))).toEqual(doc('u', 'a'));
  });

  it('fills text slots as they are', () => {
    const t = Template.of(`a ${SLOT.asOf} b ${SLOT.asOf}`, false);
    expect(t.fill({ asOf: 'T', url: '' })).toBe('a T b T');
    expect(Template.of('no slots', false).fill({ asOf: 'T', url: 'U' })).toBe('no slots');
  });
});
