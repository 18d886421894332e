/** host:check (RFC 5732 §3.1.1): whether host names are available for provisioning. */
import { existingHostNames } from '../../../db/queries/hosts.js';
import { toALabel } from '../../../registry/names.js';
import { NS } from '../../../xml/namespaces.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';

export const HostCheckFlow = defineFlow({
  command: 'host:check',
  objectUri: NS.host,
  mutating: false,
  errors: [ParameterValuePolicyError],
  async run(ctx, cmd) {
    const ids = cmd.check!.ids;
    const max = ctx.config.epp.maxCheckNames;
    if (ids.length > max) throw new ParameterValuePolicyError(`at most ${max} names per check`, { ns: NS.host, local: 'name', text: ids[max]! });
    const parsed = ids.map((input) => ({ input, a: toALabel(input) }));
    const names = parsed.flatMap((p) => ('name' in p.a && p.a.name.includes('.') ? [p.a.name] : []));
    const taken = await existingHostNames(ctx.db, names);
    const cd = parsed.map(({ input, a }) => {
      const reason = !('name' in a) || !a.name.includes('.') ? 'Invalid host name' : taken.has(a.name) ? 'In use' : undefined;
      return { 'host:name': { '@_avail': reason ? '0' : '1', '#text': input }, ...(reason ? { 'host:reason': { '@_lang': 'en', '#text': reason } } : {}) };
    });
    return { resData: { 'host:chkData': { '@_xmlns:host': NS.host, 'host:cd': cd } } };
  },
});
