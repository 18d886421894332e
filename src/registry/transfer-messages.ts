/** trnData (RFC 5731 §3.2.4 / RFC 5733 §3.2.4) for responses and poll messages, and who is told what. */
import type { Queryable } from '../db/pool.js';
import { enqueuePoll } from '../db/queries/poll.js';
import type { TransferRow, TrStatus } from '../db/queries/transfers.js';
import { NS } from '../xml/namespaces.js';
import type { XmlObj } from '../xml/render.js';

export function trnData(t: TransferRow, id: string, status: TrStatus = t.status): XmlObj {
  if (t.objectType === 'domain') {
    return {
      'domain:trnData': {
        '@_xmlns:domain': NS.domain,
        'domain:name': id,
        'domain:trStatus': status,
        'domain:reID': t.gainingClid,
        'domain:reDate': t.requestedAt.toISOString(),
        'domain:acID': t.losingClid,
        'domain:acDate': t.actionAt.toISOString(),
        // RFC 5731 §3.2.4: exDate only "if the transfer caused or causes a change in the
        // validity period": not for a rejected or cancelled one.
        ...(t.newExpiresAt && (status === 'pending' || status === 'clientApproved' || status === 'serverApproved') ? { 'domain:exDate': t.newExpiresAt.toISOString() } : {}),
      },
    };
  }
  return {
    'contact:trnData': {
      '@_xmlns:contact': NS.contact,
      'contact:id': id,
      'contact:trStatus': status,
      'contact:reID': t.gainingClid,
      'contact:reDate': t.requestedAt.toISOString(),
      'contact:acID': t.losingClid,
      'contact:acDate': t.actionAt.toISOString(),
    },
  };
}

const TEXT: Record<TrStatus, string> = {
  pending: 'Transfer requested.',
  clientApproved: 'Transfer approved.',
  clientRejected: 'Transfer rejected.',
  clientCancelled: 'Transfer cancelled.',
  serverApproved: 'Transfer approved by the registry (auto-approval).',
  serverCancelled: 'Transfer cancelled by the registry.',
};

/**
 * Every transfer event queues a message for both registrars, so each side's systems learn of it
 * whichever side acted (a request is, in addition, the losing registrar's cue to approve or reject).
 */
export async function notifyTransfer(db: Queryable, t: TransferRow, id: string, status: TrStatus, at: Date): Promise<void> {
  const data = trnData(t, id, status);
  await enqueuePoll(db, [t.losingId, t.gainingId], at, TEXT[status], data);
}
