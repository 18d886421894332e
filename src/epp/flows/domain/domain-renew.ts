/**
 * domain:renew (RFC 5731 §3.2.3): curExpDate must match (a replay guard), at most 10 years ahead;
 * charged at the renew price (RFC 8748 §5.2.3 for the fee) and refundable in the renew grace period.
 */
import { sql } from '../../../db/pool.js';
import { charge } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { quote } from '../../../billing/prices.js';
import { startGrace } from '../../../lifecycle/grace.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, BillingFailureError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueRangeError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { addYears, loadDomain, validateDomainName, validatePeriod, verifySponsor } from './domain-checks.js';

export const DomainRenewFlow = defineFlow({
  command: 'domain:renew',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.fee],
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueRangeError,
    RequiredParameterMissingError, BillingFailureError],
  async run(ctx, cmd) {
    const r = cmd.domainRenew!;
    const { name, zone } = await validateDomainName(r.name, ctx.zones);
    const d = await loadDomain(ctx.db, name, true);
    verifySponsor(d, ctx.registrar.id);
    if (hasAny(d.statuses, 'clientRenewProhibited', 'serverRenewProhibited', 'pendingDelete') || d.pendingTransfer) {
      throw new StatusProhibitsOperationError('domain status prohibits renew', { ns: NS.domain, local: 'name', text: d.name });
    }
    // RFC 5731 §3.2.3: curExpDate guards against a renew being applied twice.
    if (d.expiresAt.toISOString().slice(0, 10) !== r.curExpDate) {
      throw new ParameterValuePolicyError(`curExpDate does not match the expiry date ${d.expiresAt.toISOString().slice(0, 10)}`, { ns: NS.domain, local: 'curExpDate', text: r.curExpDate });
    }
    const years = validatePeriod(r.period, zone);
    const expires = addYears(d.expiresAt, years);
    if (expires > addYears(ctx.now, 10)) {
      throw new ParameterValuePolicyError('a registration cannot extend more than 10 years into the future', { ns: NS.domain, local: 'period', text: String(r.period?.value ?? 1), attrs: { unit: r.period?.unit ?? 'y' } });
    }
    const price = await quote(ctx.db, ctx.prices, zone, name, 'renew', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
    await ctx.db.query(sql`UPDATE domains SET expires_at = ${expires}, updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now} WHERE id = ${d.id}`);
    await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'renew', snapshot: { name, years, expires } });
    const charged = await charge(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: d.roid, name }, now: ctx.now, svTrid: ctx.svTrid });
    await startGrace(ctx.db, { domainId: d.id, kind: 'renewPeriod', start: ctx.now, days: zone.policy.renewGraceDays, registrarId: ctx.registrar.id, chargeId: charged.entryId, years });
    return {
      resData: { 'domain:renData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:exDate': expires.toISOString() } },
      ...(feeBack ? { extension: feeResponse('renData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
      object: { type: 'domain', id: name },
    };
  },
});
