/** host:delete (RFC 5732 §3.2.2): by the sponsor; not while a domain uses it (2305) or a status prohibits it (2304). */
import { sql } from '../../../db/pool.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import { AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, StatusProhibitsOperationError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadHost, validateHostName, verifySponsor } from './host-checks.js';

export const HostDeleteFlow = defineFlow({
  command: 'host:delete',
  objectUri: NS.host,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, AssociationProhibitsOperationError],
  async run(ctx, cmd) {
    const h = await loadHost(ctx.db, validateHostName(cmd.delete!.id), true);
    verifySponsor(h, ctx.registrar.id);
    if (hasAny(h.statuses, 'clientDeleteProhibited', 'serverDeleteProhibited')) {
      throw new StatusProhibitsOperationError('host status prohibits delete', { ns: NS.host, local: 'name', text: h.name });
    }
    if (h.linked) throw new AssociationProhibitsOperationError('host is a name server of a domain', { ns: NS.host, local: 'name', text: h.name });
    await ctx.db.query(sql`DELETE FROM hosts WHERE id = ${h.id}`);
    await recordHistory(ctx.db, { type: 'host', roid: h.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { name: h.name } });
    return { object: { type: 'host', id: h.name } };
  },
});
