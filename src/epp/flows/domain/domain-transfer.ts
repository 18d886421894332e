/**
 * domain:transfer (RFC 5731 §3.2.4): request, query, approve, reject, cancel. The gaining registrar
 * pays with the request (fee:trnData, RFC 8748 §5.2.4) and is refunded on reject or cancel.
 */
import { charge } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { quote } from '../../../billing/prices.js';
import { refundTransfer } from '../../../lifecycle/transfer.js';
import { insertTransfer, latestTransfer, finishTransfer } from '../../../db/queries/transfers.js';
import { isAccredited } from '../../../db/queries/domains.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { completeTransfer } from '../../../registry/transfer-completion.js';
import { notifyTransfer, trnData } from '../../../registry/transfer-messages.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, CommandUseError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectDoesNotExistError, ObjectNotPendingTransferError,
  ObjectPendingTransferError, ParameterValuePolicyError, ParameterValueRangeError, StatusProhibitsOperationError, BillingFailureError, RequiredParameterMissingError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { addYears, loadDomain, validateDomainName, validatePeriod } from './domain-checks.js';

const el = (text: string) => ({ ns: NS.domain, local: 'name', text });

export const DomainTransferFlow = defineFlow({
  command: 'domain:transfer',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.fee],
  errors: [BillingFailureError, RequiredParameterMissingError, ObjectDoesNotExistError, AuthorizationError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectPendingTransferError,
    ObjectNotPendingTransferError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueRangeError, CommandUseError],
  async run(ctx, cmd) {
    const req = cmd.transfer!;
    const { name, zone } = await validateDomainName(req.id, ctx.zones);
    const d = await loadDomain(ctx.db, name, true);
    const me = ctx.registrar.id;
    const last = await latestTransfer(ctx.db, 'domain', d.id, true);
    const pending = last?.status === 'pending' ? last : undefined;

    switch (req.op) {
      case 'query': {
        // Open to the sponsor, the parties of the latest transfer, or a client with the authInfo.
        if (!last) throw new CommandUseError('this domain has no transfer to report', el(d.name));
        const party = d.sponsorId === me || last.gainingId === me || last.losingId === me;
        if (!party) {
          if (req.authPw === undefined) throw new AuthorizationError('not a party to this transfer', el(d.name));
          if (d.authPw === '' || req.authPw !== d.authPw) throw new InvalidAuthInfoError('authInfo does not match', el(d.name));
        }
        return { resData: trnData(last, d.name), object: { type: 'domain', id: d.name } };
      }
      case 'request': {
        if (d.sponsorId === me) throw new NotEligibleForTransferError('you already sponsor this domain', el(d.name));
        if (!(await isAccredited(ctx.db, me, zone.id))) throw new AuthorizationError(`not accredited for .${zone.name}`, el(d.name));
        if (req.authPw === undefined || d.authPw === '' || req.authPw !== d.authPw) throw new InvalidAuthInfoError('authInfo is missing or does not match', el(d.name));
        if (pending) throw new ObjectPendingTransferError('a transfer is already pending', el(d.name));
        if (hasAny(d.statuses, 'clientTransferProhibited', 'serverTransferProhibited', 'pendingDelete')) throw new StatusProhibitsOperationError('domain status prohibits transfer', el(d.name));
        const lockUntil = addDays(d.transferredAt ?? d.createdAt, zone.policy.transferLockDays);
        if (ctx.now < lockUntil) throw new NotEligibleForTransferError(`not transferable until ${lockUntil.toISOString()} (${zone.policy.transferLockDays}-day lock)`, el(d.name));
        const years = validatePeriod(req.period, zone);
        const newExpires = addYears(d.expiresAt, years);
        // ICANN RST epp-19: a transfer may not push the expiry beyond ten years.
        if (newExpires > addYears(ctx.now, 10)) throw new ParameterValuePolicyError('the expiry would be more than 10 years ahead', { ns: NS.domain, local: 'period', text: String(req.period?.value ?? 1), attrs: { unit: req.period?.unit ?? 'y' } });
        const actionAt = addDays(ctx.now, zone.policy.transferAutoApproveDays);
        const price = await quote(ctx.db, ctx.prices, zone, d.name, 'transfer', years);
        const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
        const charged = await charge(ctx.db, { registrarId: me, quote: price, zoneId: zone.id, domain: { roid: d.roid, name: d.name }, now: ctx.now, svTrid: ctx.svTrid });
        await insertTransfer(ctx.db, { objectType: 'domain', objectId: d.id, gainingId: me, losingId: d.sponsorId, requestedAt: ctx.now, actionAt, periodValue: years, periodUnit: 'y', newExpiresAt: newExpires, chargeId: charged.entryId });
        const row = (await latestTransfer(ctx.db, 'domain', d.id))!;
        await notifyTransfer(ctx.db, row, d.name, 'pending', ctx.now);
        await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: me, svTrid: ctx.svTrid, action: 'transfer-request', snapshot: { gaining: ctx.registrar.clientId } });
        return {
          code: 1001, resData: trnData(row, d.name), object: { type: 'domain', id: d.name },
          ...(feeBack ? { extension: feeResponse('trnData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
        };
      }
      case 'approve':
      case 'reject': {
        if (d.sponsorId !== me) throw new AuthorizationError('only the sponsoring registrar can approve or reject', el(d.name));
        if (!pending) throw new ObjectNotPendingTransferError('no transfer is pending', el(d.name));
        if (req.op === 'approve') {
          const { row } = await completeTransfer(ctx.db, pending, 'clientApproved', ctx.now, ctx.svTrid, me);
          return { resData: trnData(row, d.name), object: { type: 'domain', id: d.name } };
        }
        await finishTransfer(ctx.db, pending.id, 'clientRejected', ctx.now);
        await refundTransfer(ctx.db, pending, ctx.now, ctx.svTrid, 'transfer rejected');
        const row = { ...pending, status: 'clientRejected' as const, actionAt: ctx.now };
        await notifyTransfer(ctx.db, row, d.name, 'clientRejected', ctx.now);
        await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: me, svTrid: ctx.svTrid, action: 'transfer-clientRejected', snapshot: {} });
        return { resData: trnData(row, d.name), object: { type: 'domain', id: d.name } };
      }
      case 'cancel': {
        if (!pending) throw new ObjectNotPendingTransferError('no transfer is pending', el(d.name));
        if (pending.gainingId !== me) throw new AuthorizationError('only the requesting registrar can cancel', el(d.name));
        await finishTransfer(ctx.db, pending.id, 'clientCancelled', ctx.now);
        await refundTransfer(ctx.db, pending, ctx.now, ctx.svTrid, 'transfer cancelled');
        const row = { ...pending, status: 'clientCancelled' as const, actionAt: ctx.now };
        await notifyTransfer(ctx.db, row, d.name, 'clientCancelled', ctx.now);
        await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: me, svTrid: ctx.svTrid, action: 'transfer-clientCancelled', snapshot: {} });
        return { resData: trnData(row, d.name), object: { type: 'domain', id: d.name } };
      }
    }
  },
});

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}
