/** domain:delete (RFC 5731 §3.2.2): by the sponsor; statuses and subordinate hosts can forbid it. */
import { sql } from '../../../db/pool.js';
import { recordHistory } from '../../../db/queries/history.js';
import { hasAny } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import { AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, StatusProhibitsOperationError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, loadDomain, normaliseDomainName, verifySponsor, zoneOfDomain } from './domain-checks.js';

export const DomainDeleteFlow = defineFlow({
  command: 'domain:delete',
  objectUri: NS.domain,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, AssociationProhibitsOperationError],
  async run(ctx, cmd) {
    const d = await loadDomain(ctx.db, normaliseDomainName(cmd.delete!.id), true);
    verifySponsor(d, ctx.registrar.id);
    const zone = await zoneOfDomain(d, ctx.zones, ctx.db);
    if (hasAny(d.statuses, 'clientDeleteProhibited', 'serverDeleteProhibited', 'pendingDelete') || d.pendingTransfer) {
      throw new StatusProhibitsOperationError('domain status prohibits delete', el('name', d.name));
    }
    if (d.subordinates.length && !zone.policy.deleteWithSubordinateHosts) {
      throw new AssociationProhibitsOperationError(`delete the subordinate hosts first: ${d.subordinates.join(', ')}`, el('name', d.name));
    }
    // With policy allowing it, subordinate hosts go with the domain unless another domain uses them.
    if (d.subordinates.length) {
      const used = await ctx.db.query(sql`SELECT 1 FROM domain_hosts dh JOIN hosts h ON h.id = dh.host_id WHERE h.superordinate_id = ${d.id} AND dh.domain_id <> ${d.id} LIMIT 1`);
      if (used.length) throw new AssociationProhibitsOperationError('a subordinate host is a name server of another domain', el('name', d.name));
      await ctx.db.query(sql`DELETE FROM domain_hosts WHERE domain_id = ${d.id}`);
      const gone = await ctx.db.query(sql`DELETE FROM hosts WHERE superordinate_id = ${d.id} RETURNING roid, name`);
      for (const h of gone as { roid: string; name: string }[]) {
        await recordHistory(ctx.db, { type: 'host', roid: h.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { name: h.name, with: d.name } });
      }
    }
    await ctx.db.query(sql`DELETE FROM transfers WHERE object_type = 'domain' AND object_id = ${d.id}`);
    await ctx.db.query(sql`DELETE FROM domains WHERE id = ${d.id}`);
    await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'delete', snapshot: { name: d.name } });
    return { object: { type: 'domain', id: d.name } };
  },
});
