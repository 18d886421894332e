/** contact:check (RFC 5733 §3.1.1): whether contact identifiers are available (an id we would refuse is not). */
import { existingContactIds } from '../../../db/queries/contacts.js';
import { NS } from '../../../xml/namespaces.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, isValidContactId } from './contact-checks.js';

export const ContactCheckFlow = defineFlow({
  command: 'contact:check',
  objectUri: NS.contact,
  mutating: false,
  errors: [ParameterValuePolicyError],
  async run(ctx, cmd) {
    const ids = cmd.check!.ids;
    const max = ctx.config.epp.maxCheckNames;
    if (ids.length > max) throw new ParameterValuePolicyError(`at most ${max} ids per check`, el('id', ids[max]));
    const taken = await existingContactIds(ctx.db, ids.filter(isValidContactId));
    const cd = ids.map((id) => {
      const reason = !isValidContactId(id) ? 'Invalid contact id' : taken.has(id) ? 'In use' : undefined;
      return { 'contact:id': { '@_avail': reason ? '0' : '1', '#text': id }, ...(reason ? { 'contact:reason': { '@_lang': 'en', '#text': reason } } : {}) };
    });
    return { resData: { 'contact:chkData': { '@_xmlns:contact': NS.contact, 'contact:cd': cd } } };
  },
});
