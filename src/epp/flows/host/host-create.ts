/** host:create (RFC 5732 §3.2.1): internal hosts under an existing domain of the same registrar, with addresses; external without. */
import { sql } from '../../../db/pool.js';
import { existingHostNames } from '../../../db/queries/hosts.js';
import { nextRoid, recordHistory } from '../../../db/queries/history.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AssociationProhibitsOperationError, AuthorizationError, ObjectExistsError, ParameterValuePolicyError, ParameterValueSyntaxError, RequiredParameterMissingError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { superordinateOf, validateAddrs, validateHostName } from './host-checks.js';

export const HostCreateFlow = defineFlow({
  command: 'host:create',
  objectUri: NS.host,
  mutating: true,
  errors: [ParameterValueSyntaxError, ObjectExistsError, AssociationProhibitsOperationError, AuthorizationError, RequiredParameterMissingError, ParameterValuePolicyError],
  async run(ctx, cmd) {
    const req = cmd.hostCreate!;
    const name = validateHostName(req.name);
    const zones = [...(await ctx.zones.all()).values()];
    const sup = await superordinateOf(ctx.db, name, zones);
    const addrs = validateAddrs(req.addrs ?? [], sup?.zone.policy.rejectPrivateAddresses ?? true);
    if ((await existingHostNames(ctx.db, [name])).size) throw new ObjectExistsError(`host ${name} exists`, { ns: NS.host, local: 'name', text: req.name });
    if (sup) {
      if (!sup.domain) throw new AssociationProhibitsOperationError(`superordinate domain of ${name} does not exist`, { ns: NS.host, local: 'name', text: req.name });
      if (sup.domain.sponsorId !== ctx.registrar.id) throw new AuthorizationError('superordinate domain is sponsored by another registrar', { ns: NS.host, local: 'name', text: req.name });
      // RFC 5732 §3.2.1: addresses are needed for internal hosts, to produce glue.
      if (addrs.length === 0) throw new RequiredParameterMissingError('an internal host needs at least one address', { ns: NS.host, local: 'addr' });
    } else if (addrs.length > 0) {
      throw new ParameterValuePolicyError('an external host must not have addresses', { ns: NS.host, local: 'addr', text: req.addrs![0]!.ip });
    }
    const roid = await nextRoid(ctx.db, 'H', ctx.config.epp.repoId);
    let id: number;
    try {
      const [row] = await ctx.db.query(sql`
        INSERT INTO hosts (roid, name, sponsor_id, creator_id, superordinate_id, created_at)
        VALUES (${roid}, ${name}, ${ctx.registrar.id}, ${ctx.registrar.id}, ${sup?.domain?.id ?? null}, ${ctx.now}) RETURNING id`);
      id = row.id;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new ObjectExistsError(`host ${name} exists`, { ns: NS.host, local: 'name', text: req.name });
      throw err;
    }
    for (const a of addrs) await ctx.db.query(sql`INSERT INTO host_addrs (host_id, addr) VALUES (${id}, ${a}::inet)`);
    await recordHistory(ctx.db, { type: 'host', roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'create', snapshot: { name, addrs } });
    return {
      resData: { 'host:creData': { '@_xmlns:host': NS.host, 'host:name': name, 'host:crDate': ctx.now.toISOString() } },
      object: { type: 'host', id: name },
    };
  },
});
