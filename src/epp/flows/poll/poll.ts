/**
 * <poll> (RFC 5730 §2.9.2.3): op="req" returns the oldest message with the queue's count and the
 * message id (1301), or 1300 when the queue is empty; the message stays until op="ack" removes
 * it, which answers the remaining count. Acknowledging an id that is not in the client's queue
 * is 2303 (RFC 5730 leaves it open; it is what registrars expect).
 */
import { ackPoll, oldestPoll } from '../../../db/queries/poll.js';
import { ObjectDoesNotExistError, ParameterValueSyntaxError, RequiredParameterMissingError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { NS } from '../../../xml/namespaces.js';

export const PollFlow = defineFlow({
  command: 'poll',
  // Acknowledging deletes a message, so both operations run in a transaction.
  mutating: true,
  errors: [ObjectDoesNotExistError, ParameterValueSyntaxError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const poll = cmd.poll!;
    if (poll.op === 'req') {
      const { message, count } = await oldestPoll(ctx.db, ctx.registrar.id);
      if (!message) return { code: 1300 };
      return {
        code: 1301,
        msgQ: { count, id: String(message.id), qDate: message.createdAt.toISOString(), msg: message.msg },
        ...(message.resData ? { resData: message.resData } : {}),
        ...(message.extension ? { extension: message.extension } : {}),
      };
    }
    const where = { ns: NS.epp, local: 'poll', attrs: { op: 'ack', ...(poll.msgId !== undefined ? { msgID: poll.msgId } : {}) } };
    if (poll.msgId === undefined) throw new RequiredParameterMissingError('op="ack" needs the msgID of the message to remove', where);
    // Our message ids are decimal row ids; anything else names no message (2005).
    if (!/^\d{1,18}$/.test(poll.msgId)) throw new ParameterValueSyntaxError('msgID is not a message identifier of this server', where);
    const remaining = await ackPoll(ctx.db, ctx.registrar.id, Number(poll.msgId));
    if (remaining === undefined) throw new ObjectDoesNotExistError(`no message ${poll.msgId} in your queue`, where);
    return { msgQ: { count: remaining, id: poll.msgId } };
  },
});
