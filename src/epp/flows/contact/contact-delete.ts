/** contact:delete (RFC 5733 §3.2.2): by the sponsor, not while linked (2305) or prohibited (2304). */
import { sql } from '../../../db/pool.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import { AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, StatusProhibitsOperationError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadContact, verifySponsor } from './contact-checks.js';

export const ContactDeleteFlow = defineFlow({
  command: 'contact:delete',
  objectUri: NS.contact,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, AssociationProhibitsOperationError],
  async run(ctx, cmd) {
    const c = await loadContact(ctx.db, cmd.delete!.id, true);
    verifySponsor(c, ctx.registrar.id);
    if (hasAny(c.statuses, 'clientDeleteProhibited', 'serverDeleteProhibited') || c.pendingTransfer) {
      throw new StatusProhibitsOperationError('contact status prohibits delete', { ns: NS.contact, local: 'id', text: c.contactId });
    }
    if (c.linked) throw new AssociationProhibitsOperationError('contact is linked to a domain', { ns: NS.contact, local: 'id', text: c.contactId });
    await ctx.db.query(sql`DELETE FROM transfers WHERE object_type = 'contact' AND object_id = ${c.id}`);
    await ctx.db.query(sql`DELETE FROM contacts WHERE id = ${c.id}`);
    await recordHistory(ctx.db, { type: 'contact', roid: c.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { id: c.contactId } });
    return { object: { type: 'contact', id: c.contactId } };
  },
});
