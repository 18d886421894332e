/**
 * host:create (RFC 5732 §3.2.1): an internal host (in one of our zones) lives under an existing
 * domain of the same registrar and needs an address for glue; an external host has none.
 */
import { sql } from '../../../db/pool.js';
import { existingHostNames } from '../../../db/queries/hosts.js';
import { nextRoid, recordHistory } from '../../../db/queries/history.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AssociationProhibitsOperationError, AuthorizationError, ObjectExistsError, ParameterValuePolicyError, ParameterValueSyntaxError, RequiredParameterMissingError,
  StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, superordinateOf, validateAddrs, validateHostName, verifyAddressesFit, verifySuperordinate } from './host-checks.js';

export const HostCreateFlow = defineFlow({
  command: 'host:create',
  objectUri: NS.host,
  mutating: true,
  errors: [ParameterValueSyntaxError, ObjectExistsError, AssociationProhibitsOperationError, AuthorizationError, StatusProhibitsOperationError,
    RequiredParameterMissingError, ParameterValuePolicyError],
  async run(ctx, cmd) {
    const req = cmd.hostCreate!;
    const name = validateHostName(req.name);                                            // 2005
    const sup = await superordinateOf(ctx.db, name, (await ctx.zones.all(ctx.db)).values());
    const addrs = validateAddrs(req.addrs ?? [], sup?.zone.policy.rejectPrivateAddresses ?? true);   // 2005 / 2306
    if ((await existingHostNames(ctx.db, [name])).size) throw new ObjectExistsError(`host ${name} exists`, el('name', req.name));
    const superordinate = sup ? verifySuperordinate(sup, ctx.registrar.id, el('name', req.name)) : undefined;  // 2305 / 2201 / 2304
    verifyAddressesFit(!!sup, addrs);                                                   // 2003 / 2306
    const roid = await nextRoid(ctx.db, 'H', ctx.config.epp.repoId);
    let id: number;
    try {
      const [row] = await ctx.db.query(sql`
        INSERT INTO hosts (roid, name, sponsor_id, creator_id, superordinate_id, created_at)
        VALUES (${roid}, ${name}, ${ctx.registrar.id}, ${ctx.registrar.id}, ${superordinate?.id ?? null}, ${ctx.now}) RETURNING id`);
      id = row.id;
    } catch (err) {
      // A concurrent create of the same name loses on the unique index.
      if ((err as { code?: string }).code === '23505') throw new ObjectExistsError(`host ${name} exists`, el('name', req.name));
      throw err;
    }
    if (addrs.length) await ctx.db.query(sql`INSERT INTO host_addrs (host_id, addr) SELECT ${id}, unnest(${addrs}::inet[])`);
    await recordHistory(ctx.db, { type: 'host', roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'create', snapshot: { name, addrs } });
    return {
      resData: { 'host:creData': { '@_xmlns:host': NS.host, 'host:name': name, 'host:crDate': ctx.now.toISOString() } },
      object: { type: 'host', id: name },
    };
  },
});
