/**
 * domain:check (RFC 5731 §3.1.1): availability of up to epp.maxCheckNames names, in one query,
 * with a reason for each unavailable one (invalid, not in our zones, not registrable there,
 * reserved, in use).
 */
import { existingDomainNames } from '../../../db/queries/domains.js';
import { isRegistrable, toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, reservedNames } from './domain-checks.js';

export const DomainCheckFlow = defineFlow({
  command: 'domain:check',
  objectUri: NS.domain,
  mutating: false,
  errors: [ParameterValuePolicyError],
  async run(ctx, cmd) {
    const ids = cmd.check!.ids;
    const max = ctx.config.epp.maxCheckNames;
    if (ids.length > max) throw new ParameterValuePolicyError(`at most ${max} names per check`, el('name', ids[max]));
    const zones = [...(await ctx.zones.all()).values()];
    const verdicts = ids.map((input): { input: string; reason?: string; name?: string; zone?: Zone } => {
      const a = toALabel(input);
      if ('problem' in a) return { input, reason: 'Invalid domain name' };
      const zone = zoneOf(a.name, zones) as Zone | undefined;
      // Reasons are at most 32 characters (eppcom reasonBaseType).
      if (!zone) return { input, reason: 'Not a zone of this registry' };
      if (!isRegistrable(a.name, zone)) return { input, reason: 'Not registrable in this zone' };
      if (reservedNames(zone, [a.name]).has(a.name)) return { input, reason: 'Reserved' };
      return { input, name: a.name, zone };
    });
    const taken = await existingDomainNames(ctx.db, verdicts.flatMap((v) => (v.name ? [v.name] : [])));
    const cd = verdicts.map((v) => {
      const reason = v.reason ?? (taken.has(v.name!) ? 'In use' : undefined);
      return {
        'domain:name': { '@_avail': reason ? '0' : '1', '#text': v.input },
        ...(reason ? { 'domain:reason': { '@_lang': 'en', '#text': reason } } : {}),
      };
    });
    return { resData: { 'domain:chkData': { '@_xmlns:domain': NS.domain, 'domain:cd': cd } } };
  },
});
