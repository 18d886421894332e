/** domain:check (RFC 5731 §3.1.1): availability of up to the configured number of names, with reasons. */
import { existingDomainNames } from '../../../db/queries/domains.js';
import { isRegistrable, toALabel, zoneOf } from '../../../registry/names.js';
import { NS } from '../../../xml/namespaces.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';

export const DomainCheckFlow = defineFlow({
  command: 'domain:check',
  objectUri: NS.domain,
  mutating: false,
  errors: [ParameterValuePolicyError],
  async run(ctx, cmd) {
    const ids = cmd.check!.ids;
    if (ids.length > ctx.config.epp.maxCheckNames) {
      throw new ParameterValuePolicyError(`at most ${ctx.config.epp.maxCheckNames} names per check`);
    }
    const zones = [...(await ctx.zones.all()).values()];
    const verdicts = ids.map((input) => {
      const a = toALabel(input);
      if ('problem' in a) return { input, reason: 'Invalid domain name' };
      const zone = zoneOf(a.name, zones);
      if (!zone) return { input, reason: 'Not in a zone served by this registry' };
      if (!isRegistrable(a.name, zone)) return { input, reason: 'Not a registrable name in this zone' };
      return { input, name: a.name };
    });
    const taken = await existingDomainNames(ctx.db, verdicts.flatMap((v) => (v.name ? [v.name] : [])));
    const cd = verdicts.map((v) => {
      const reason = v.reason ?? (taken.has(v.name!) ? 'In use' : undefined);
      return {
        'domain:name': { '@_avail': reason ? '0' : '1', '#text': v.input },
        ...(reason ? { 'domain:reason': reason } : {}),
      };
    });
    return { resData: { 'domain:chkData': { '@_xmlns:domain': NS.domain, 'domain:cd': cd } } };
  },
});
