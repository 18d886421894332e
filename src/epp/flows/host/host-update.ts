/**
 * host:update (RFC 5732 §3.2.5): addresses, statuses and renames. After the change the host's
 * kind must fit its addresses (internal: some, external: none; a rename "MAY require the
 * addition or removal of IP addresses"). Renames keep every association (domains using the host
 * keep using it under its new name) with two exceptions: an internal host its own superordinate
 * domain delegates to (its glue) cannot leave that domain, and an external host that other
 * registrars' domains use cannot be renamed at all (RFC 5732 §3.2.5: 2305; RST epp-23).
 */
import { sql } from '../../../db/pool.js';
import { existingHostNames } from '../../../db/queries/hosts.js';
import { recordHistory } from '../../../db/queries/history.js';
import { changeStatuses, clientLockAllowsUpdate, HOST_CLIENT_STATUSES } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, ObjectExistsError, ParameterValuePolicyError,
  ParameterValueSyntaxError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { el, loadHost, superordinateOf, validateAddrs, validateHostName, verifyAddressesFit, verifySponsor, verifySuperordinate } from './host-checks.js';

export const HostUpdateFlow = defineFlow({
  command: 'host:update',
  objectUri: NS.host,
  mutating: true,
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueSyntaxError,
    ObjectExistsError, AssociationProhibitsOperationError, RequiredParameterMissingError],
  async run(ctx, cmd) {
    const u = cmd.hostUpdate!;
    const h = await loadHost(ctx.db, validateHostName(u.name), true);
    verifySponsor(h, ctx.registrar.id);
    const remStatuses = (u.remStatuses ?? []).map((s) => s.s);
    const addStatuses = (u.addStatuses ?? []).map((s) => s.s);
    if (h.statuses.includes('serverUpdateProhibited')) throw new StatusProhibitsOperationError('host status prohibits update', el('name', h.name));
    const changesData = !!(u.addAddrs?.length || u.remAddrs?.length || u.chgName !== undefined);
    if (!clientLockAllowsUpdate(h.statuses, remStatuses, changesData)) throw new StatusProhibitsOperationError('clientUpdateProhibited: remove it first', el('name', h.name));
    const changed = changeStatuses(h.statuses, addStatuses, remStatuses, HOST_CLIENT_STATUSES);
    if ('bad' in changed) throw new ParameterValuePolicyError(changed.why, el('status', undefined, { s: changed.bad }));

    const newName = u.chgName !== undefined ? validateHostName(u.chgName) : h.name;
    const sup = await superordinateOf(ctx.db, newName, (await ctx.zones.all(ctx.db)).values());
    const add = validateAddrs(u.addAddrs ?? [], sup?.zone.policy.rejectPrivateAddresses ?? true);
    const rem = validateAddrs(u.remAddrs ?? [], false);
    const ipOf = (a: string) => ({ ip: a.includes(':') ? 'v6' : 'v4' });
    for (const a of rem) if (!h.addrs.includes(a)) throw new ParameterValuePolicyError(`${a} is not an address of this host`, el('addr', a, ipOf(a)));
    for (const a of add) if (h.addrs.includes(a) && !rem.includes(a)) throw new ParameterValuePolicyError(`${a} is already an address of this host`, el('addr', a, ipOf(a)));
    const addrsAfter = [...h.addrs.filter((a) => !rem.includes(a)), ...add.filter((a) => !h.addrs.includes(a) || rem.includes(a))];

    let superordinateId = h.superordinateId;
    if (newName !== h.name) {
      if ((await existingHostNames(ctx.db, [newName])).size) throw new ObjectExistsError(`host ${newName} exists`, el('name', u.chgName));
      superordinateId = sup ? verifySuperordinate(sup, ctx.registrar.id, el('name', u.chgName)).id : undefined;
      if (h.superordinateId !== undefined && superordinateId !== h.superordinateId) {
        // The superordinate domain delegating to its own subordinate host depends on its glue.
        const [glue] = await ctx.db.query(sql`SELECT 1 FROM domain_hosts WHERE domain_id = ${h.superordinateId} AND host_id = ${h.id}`);
        if (glue) throw new AssociationProhibitsOperationError('the host\'s domain uses it as a name server (glue): remove it from that domain first', el('name', u.chgName));
      }
      if (h.superordinateId === undefined && h.linked) {
        const [foreign] = await ctx.db.query(sql`SELECT 1 FROM domain_hosts dh JOIN domains d ON d.id = dh.domain_id WHERE dh.host_id = ${h.id} AND d.sponsor_id <> ${ctx.registrar.id} LIMIT 1`);
        if (foreign) throw new AssociationProhibitsOperationError('other registrars\' domains use this external host', el('name', h.name));
      }
    }
    verifyAddressesFit(!!sup, addrsAfter);

    if (rem.length) await ctx.db.query(sql`DELETE FROM host_addrs WHERE host_id = ${h.id} AND addr = ANY(${rem}::inet[])`);
    if (add.length) await ctx.db.query(sql`INSERT INTO host_addrs (host_id, addr) SELECT ${h.id}, unnest(${add}::inet[]) ON CONFLICT DO NOTHING`);
    await ctx.db.query(sql`
      UPDATE hosts SET name = ${newName}, superordinate_id = ${superordinateId ?? null}, statuses = ${changed.statuses},
             updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now}
       WHERE id = ${h.id}`);
    await recordHistory(ctx.db, { type: 'host', roid: h.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'update', snapshot: { name: newName, addrs: addrsAfter, statuses: changed.statuses } });
    return { object: { type: 'host', id: newName } };
  },
});
