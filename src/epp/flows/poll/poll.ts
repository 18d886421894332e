/** <poll> (RFC 5730 §2.9.2.3): op="req" returns the oldest message (1301, or 1300 when none); op="ack" removes one. */
import { ackPoll, oldestPoll } from '../../../db/queries/poll.js';
import { ObjectDoesNotExistError, ParameterValueSyntaxError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { NS } from '../../../xml/namespaces.js';

export const PollFlow = defineFlow({
  command: 'poll',
  // Acknowledging deletes a message, so both operations run in a transaction.
  mutating: true,
  errors: [ObjectDoesNotExistError, ParameterValueSyntaxError],
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
    const id = Number(poll.msgId);
    if (!poll.msgId || !/^\d{1,18}$/.test(poll.msgId)) {
      throw new ParameterValueSyntaxError('msgID is not a message identifier', { ns: NS.epp, local: 'poll', attrs: { op: 'ack', msgID: poll.msgId ?? '' } });
    }
    const remaining = await ackPoll(ctx.db, ctx.registrar.id, id);
    // RFC 5730 leaves an unknown id to the server; 2303 is what registrars expect.
    if (remaining === undefined) throw new ObjectDoesNotExistError(`no message ${poll.msgId} in your queue`, { ns: NS.epp, local: 'poll', attrs: { op: 'ack', msgID: poll.msgId } });
    return { msgQ: { count: remaining, id: poll.msgId } };
  },
});
