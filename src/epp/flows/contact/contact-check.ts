/** contact:check (RFC 5733 §3.1.1): whether contact identifiers are available. */
import { existingContactIds } from '../../../db/queries/contacts.js';
import { NS } from '../../../xml/namespaces.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';

export const ContactCheckFlow = defineFlow({
  command: 'contact:check',
  objectUri: NS.contact,
  mutating: false,
  errors: [ParameterValuePolicyError],
  async run(ctx, cmd) {
    const ids = cmd.check!.ids;
    if (ids.length > ctx.config.epp.maxCheckNames) throw new ParameterValuePolicyError(`at most ${ctx.config.epp.maxCheckNames} ids per check`);
    const taken = await existingContactIds(ctx.db, ids);
    const cd = ids.map((id) => ({ 'contact:id': { '@_avail': taken.has(id) ? '0' : '1', '#text': id }, ...(taken.has(id) ? { 'contact:reason': 'In use' } : {}) }));
    return { resData: { 'contact:chkData': { '@_xmlns:contact': NS.contact, 'contact:cd': cd } } };
  },
});
