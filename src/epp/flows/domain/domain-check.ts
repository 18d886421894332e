/**
 * domain:check (RFC 5731 §3.1.1): availability of up to the configured number of names, with
 * reasons (in use, reserved, invalid, not our zone); with the fee extension, each name's fees
 * (RFC 8748 §5.1.1); with an allocation token, reserved names it allocates show available (RFC 8495 §3.1.1).
 */
import { feeCheckData, type FeeCheckItem } from '../../../billing/fee-ext.js';
import { premiumPrices } from '../../../billing/prices.js';
import { reservedFor, type Reservation } from '../../../lifecycle/reserved.js';
import { isRegistrable, toALabel, zoneOf } from '../../../registry/names.js';
import type { Zone } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import type { XmlObj } from '../../../xml/render.js';
import { ParameterValuePolicyError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el } from './domain-checks.js';

export const DomainCheckFlow = defineFlow({
  command: 'domain:check',
  objectUri: NS.domain,
  mutating: false,
  extensions: [NS.fee, NS.allocationToken],
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
      return { input, name: a.name, zone };
    });
    const names = verdicts.flatMap((v) => (v.name ? [v.name] : []));
    // Registered and reserved names in one statement, shared with the checks that arrived with this one.
    const rows = await ctx.names.rows(names);
    const taken = new Set(rows.filter((r) => r.kind === 'domain').map((r) => r.name));
    const reserved = new Map<string, Reservation>(rows.filter((r) => r.kind === 'reserved').map((r) => [r.name, {
      name: r.name, zoneId: r.zone_id, reason: r.reason!,
      ...(r.registrar_id !== null ? { registrarId: r.registrar_id } : {}), ...(r.token_sha256 ? { tokenSha256: r.token_sha256 } : {}),
      ...(r.token_expires_at ? { tokenExpiresAt: r.token_expires_at } : {}),
    }]));
    const cd = verdicts.map((v) => {
      const reason = v.reason
        ?? (taken.has(v.name!) ? 'In use'
          : reservedFor(reserved.get(v.name!), ctx.registrar.id, cmd.allocationToken, ctx.now) ? 'Reserved' : undefined);
      return {
        'domain:name': { '@_avail': reason ? '0' : '1', '#text': v.input },
        ...(reason ? { 'domain:reason': { '@_lang': 'en', '#text': reason } } : {}),
      };
    });
    const resData = { 'domain:chkData': { '@_xmlns:domain': NS.domain, 'domain:cd': cd } };
    const fee = cmd.fee?.check ? cmd.fee : undefined;
    if (!fee) return { resData };
    const premium = await premiumPrices(ctx.db, names);
    const items: FeeCheckItem[] = [];
    for (const v of verdicts) {
      items.push(v.name && v.zone
        ? { input: v.input, name: v.name, zone: v.zone, standard: await ctx.prices.standard(v.zone.id, ctx.db), ...(premium.has(v.name) ? { premium: premium.get(v.name)! } : {}) }
        : { input: v.input });
    }
    const extension: XmlObj = feeCheckData(items, fee.commands ?? [], fee.currency, zones[0]?.policy.currency ?? 'USD');
    return { resData, extension };
  },
});
