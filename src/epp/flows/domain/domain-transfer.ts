/**
 * domain:transfer (RFC 5731 §3.1.3 query, §3.2.4 request/approve/reject/cancel). The gaining
 * registrar requests with the authInfo; the losing (sponsoring) registrar approves or rejects;
 * the requester may cancel; the registry approves unanswered requests after the zone's period
 * (src/jobs/transfers.ts). Every event queues a poll message for both registrars. The gaining
 * registrar pays with the request (fee:trnData, RFC 8748 §5.2.4) and is refunded on reject or cancel.
 */
import { charge } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { quote } from '../../../billing/prices.js';
import { insertTransfer, latestTransfer } from '../../../db/queries/transfers.js';
import { isAccredited } from '../../../db/queries/domains.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { closeTransfer, completeTransfer } from '../../../registry/transfer-completion.js';
import { notifyTransfer, trnData } from '../../../registry/transfer-messages.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, CommandUseError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectDoesNotExistError, ObjectNotPendingTransferError,
  ObjectPendingTransferError, ParameterValuePolicyError, ParameterValueRangeError, RequiredParameterMissingError, StatusProhibitsOperationError, BillingFailureError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { addYears, el as domainEl, loadDomain, normaliseDomainName, validatePeriod, verifyAuthInfo, verifyTenYearCap, zoneOfDomain } from './domain-checks.js';

const el = (text: string) => domainEl('name', text);

export const DomainTransferFlow = defineFlow({
  command: 'domain:transfer',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.fee],
  errors: [BillingFailureError, ObjectDoesNotExistError, AuthorizationError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectPendingTransferError,
    ObjectNotPendingTransferError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueRangeError, CommandUseError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const req = cmd.transfer!;
    const d = await loadDomain(ctx.db, normaliseDomainName(req.id), true);
    const zone = await zoneOfDomain(d, ctx.zones, ctx.db);
    const me = ctx.registrar.id;
    const last = await latestTransfer(ctx.db, 'domain', d.id, true);
    const pending = last?.status === 'pending' ? last : undefined;

    switch (req.op) {
      case 'query': {
        // RFC 5731 §3.1.3 leaves access to policy: the sponsor, the parties of the latest
        // transfer, or a client with the domain's authInfo; nothing to report is a use error.
        const party = d.sponsorId === me || last?.gainingId === me || last?.losingId === me;
        if (!party && !verifyAuthInfo(d, req.authPw)) throw new AuthorizationError('not a party to this transfer', el(d.name));
        if (!last) throw new CommandUseError('this domain has no transfer to report', el(d.name));
        return { resData: trnData(last, d.name), object: { type: 'domain', id: d.name } };
      }
      case 'request': {
        if (d.sponsorId === me) throw new NotEligibleForTransferError('you already sponsor this domain', el(d.name));
        if (!(await isAccredited(ctx.db, me, zone.id))) throw new AuthorizationError(`not accredited for .${zone.name}`, el(d.name));
        // RFC 5731 §3.2.4: the authInfo is required to request a transfer.
        if (req.authPw === undefined) throw new RequiredParameterMissingError('a transfer request needs the domain\'s authInfo', domainEl('authInfo'));
        verifyAuthInfo(d, req.authPw);
        if (pending) throw new ObjectPendingTransferError('a transfer is already pending', el(d.name));
        if (hasAny(d.statuses, 'clientTransferProhibited', 'serverTransferProhibited', 'pendingDelete')) throw new StatusProhibitsOperationError('domain status prohibits transfer', el(d.name));
        const lockUntil = addDays(d.transferredAt ?? d.createdAt, zone.policy.transferLockDays);
        if (ctx.now < lockUntil) throw new NotEligibleForTransferError(`not transferable until ${lockUntil.toISOString()} (${zone.policy.transferLockDays}-day lock)`, el(d.name));
        const years = validatePeriod(req.period, zone);
        const newExpires = addYears(d.expiresAt, years);
        verifyTenYearCap(newExpires, ctx.now, req.period);                      // RST epp-19
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
        const row = await closeTransfer(ctx.db, pending, 'clientRejected', { handle: d.name, roid: d.roid }, ctx.now, ctx.svTrid, me);
        return { resData: trnData(row, d.name), object: { type: 'domain', id: d.name } };
      }
      case 'cancel': {
        if (!pending) throw new ObjectNotPendingTransferError('no transfer is pending', el(d.name));
        if (pending.gainingId !== me) throw new AuthorizationError('only the requesting registrar can cancel', el(d.name));
        const row = await closeTransfer(ctx.db, pending, 'clientCancelled', { handle: d.name, roid: d.roid }, ctx.now, ctx.svTrid, me);
        return { resData: trnData(row, d.name), object: { type: 'domain', id: d.name } };
      }
    }
  },
});

function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}
