/** contact:transfer (RFC 5733 §3.2.4): request (with authInfo), query, approve, reject, cancel. */
import { insertTransfer, latestTransfer } from '../../../db/queries/transfers.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { closeTransfer, completeTransfer } from '../../../registry/transfer-completion.js';
import { notifyTransfer, trnData } from '../../../registry/transfer-messages.js';
import { DEFAULT_POLICY } from '../../../registry/zone-cache.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, CommandUseError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectDoesNotExistError, ObjectNotPendingTransferError,
  ObjectPendingTransferError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el as contactEl, loadContact } from './contact-checks.js';

const el = (text: string) => contactEl('id', text);

export const ContactTransferFlow = defineFlow({
  command: 'contact:transfer',
  objectUri: NS.contact,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, InvalidAuthInfoError, NotEligibleForTransferError, ObjectPendingTransferError,
    ObjectNotPendingTransferError, StatusProhibitsOperationError, CommandUseError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const req = cmd.transfer!;
    const c = await loadContact(ctx.db, req.id, true);
    const me = ctx.registrar.id;
    const last = await latestTransfer(ctx.db, 'contact', c.id, true);
    const pending = last?.status === 'pending' ? last : undefined;
    const matchesAuthInfo = (pw: string | undefined): boolean => {
      if (pw === undefined) return false;
      if (c.authPw === '' || pw !== c.authPw) throw new InvalidAuthInfoError('authInfo does not match', contactEl('pw'));
      return true;
    };
    const done = (row: NonNullable<typeof last>, code?: 1001) => ({ ...(code ? { code } : {}), resData: trnData(row, c.contactId), object: { type: 'contact', id: c.contactId } });

    switch (req.op) {
      case 'query': {
        // RFC 5733 §3.1.3 leaves access to policy: the parties, or a client with the authInfo.
        const party = c.sponsorId === me || last?.gainingId === me || last?.losingId === me;
        if (!party && !matchesAuthInfo(req.authPw)) throw new AuthorizationError('not a party to this transfer', el(c.contactId));
        if (!last) throw new CommandUseError('this contact has no transfer to report', el(c.contactId));
        return done(last);
      }
      case 'request': {
        if (c.sponsorId === me) throw new NotEligibleForTransferError('you already sponsor this contact', el(c.contactId));
        // RFC 5733 §3.2.4: the authInfo is required to request a transfer.
        if (req.authPw === undefined) throw new RequiredParameterMissingError('a transfer request needs the contact\'s authInfo', contactEl('authInfo'));
        matchesAuthInfo(req.authPw);
        if (pending) throw new ObjectPendingTransferError('a transfer is already pending', el(c.contactId));
        if (hasAny(c.statuses, 'clientTransferProhibited', 'serverTransferProhibited')) throw new StatusProhibitsOperationError('contact status prohibits transfer', el(c.contactId));
        // Contacts belong to no zone: the registry-wide default auto-approve period applies.
        const actionAt = new Date(ctx.now.getTime() + DEFAULT_POLICY.transferAutoApproveDays * 86_400_000);
        await insertTransfer(ctx.db, { objectType: 'contact', objectId: c.id, gainingId: me, losingId: c.sponsorId, requestedAt: ctx.now, actionAt });
        const row = (await latestTransfer(ctx.db, 'contact', c.id))!;
        await notifyTransfer(ctx.db, row, c.contactId, 'pending', ctx.now);
        await recordHistory(ctx.db, { type: 'contact', roid: c.roid, at: ctx.now, registrarId: me, svTrid: ctx.svTrid, action: 'transfer-request', snapshot: {} });
        return done(row, 1001);
      }
      case 'approve':
      case 'reject': {
        if (c.sponsorId !== me) throw new AuthorizationError('only the sponsoring registrar can approve or reject', el(c.contactId));
        if (!pending) throw new ObjectNotPendingTransferError('no transfer is pending', el(c.contactId));
        if (req.op === 'approve') return done((await completeTransfer(ctx.db, pending, 'clientApproved', ctx.now, ctx.svTrid, me)).row);
        return done(await closeTransfer(ctx.db, pending, 'clientRejected', { handle: c.contactId, roid: c.roid }, ctx.now, ctx.svTrid, me));
      }
      case 'cancel': {
        if (!pending) throw new ObjectNotPendingTransferError('no transfer is pending', el(c.contactId));
        if (pending.gainingId !== me) throw new AuthorizationError('only the requesting registrar can cancel', el(c.contactId));
        return done(await closeTransfer(ctx.db, pending, 'clientCancelled', { handle: c.contactId, roid: c.roid }, ctx.now, ctx.svTrid, me));
      }
    }
  },
});
