/**
 * domain:renew (RFC 5731 §3.2.3): curExpDate must match (a replay guard), at most 10 years ahead;
 * charged at the renew price (RFC 8748 §5.2.3 for the fee) and refundable in the renew grace period.
 */
import { sql } from '../../../db/pool.js';
import { chargeWithGrace } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { quote } from '../../../billing/prices.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, BillingFailureError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueRangeError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { addYears, el, loadDomain, normaliseDomainName, validatePeriod, verifySponsor, verifyTenYearCap, zoneOfDomain } from './domain-checks.js';

export const DomainRenewFlow = defineFlow({
  command: 'domain:renew',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.fee],
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueRangeError,
    RequiredParameterMissingError, BillingFailureError],
  async run(ctx, cmd) {
    const r = cmd.domainRenew!;
    const d = await loadDomain(ctx.db, normaliseDomainName(r.name), true);
    verifySponsor(d, ctx.registrar.id);
    const zone = await zoneOfDomain(d, ctx.zones, ctx.db);
    const name = d.name;
    if (hasAny(d.statuses, 'clientRenewProhibited', 'serverRenewProhibited', 'pendingDelete') || d.pendingTransfer) {
      throw new StatusProhibitsOperationError('domain status prohibits renew', el('name', d.name));
    }
    const years = validatePeriod(r.period, zone);
    // RFC 5731 §3.2.3: curExpDate (the date part, in UTC) guards against a renew applied twice.
    const current = d.expiresAt.toISOString().slice(0, 10);
    if (current !== r.curExpDate) throw new ParameterValuePolicyError(`curExpDate does not match the expiry date ${current}`, el('curExpDate', r.curExpDate));
    const expires = addYears(d.expiresAt, years);
    verifyTenYearCap(expires, ctx.now, r.period);
    const price = await quote(ctx.db, ctx.prices, zone, name, 'renew', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
    await ctx.db.query(sql`UPDATE domains SET expires_at = ${expires}, updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now} WHERE id = ${d.id}`);
    await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'renew', snapshot: { name, years, expires } });
    const charged = await chargeWithGrace(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: d.roid, name }, now: ctx.now, svTrid: ctx.svTrid },
      { domainId: d.id, kind: 'renewPeriod', days: zone.policy.renewGraceDays, years });
    return {
      resData: { 'domain:renData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:exDate': expires.toISOString() } },
      ...(feeBack ? { extension: feeResponse('renData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
      object: { type: 'domain', id: name },
    };
  },
});
