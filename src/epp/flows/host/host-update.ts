/**
 * host:update (RFC 5732 §3.2.5): addresses and statuses, and renames. A rename must keep the
 * host's kind consistent with its addresses (internal needs some, external none); an internal
 * host a domain uses as a name server keeps its superordinate domain; an external host that
 * other registrars' domains use cannot be renamed (RFC 5732 §3.2.5, ICANN RST epp-23: 2305).
 */
import { sql } from '../../../db/pool.js';
import { existingHostNames } from '../../../db/queries/hosts.js';
import { recordHistory } from '../../../db/queries/history.js';
import { changeStatuses, hasAny, HOST_CLIENT_STATUSES } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AssociationProhibitsOperationError, AuthorizationError, ObjectDoesNotExistError, ObjectExistsError, ParameterValuePolicyError,
  ParameterValueSyntaxError, RequiredParameterMissingError, StatusProhibitsOperationError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadHost, superordinateOf, validateAddrs, validateHostName, verifySponsor } from './host-checks.js';

const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.host, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

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
    if (h.statuses.includes('clientUpdateProhibited')) {
      const onlyUnlocks = remStatuses.includes('clientUpdateProhibited') && !u.addAddrs?.length && !u.remAddrs?.length && !u.chgName;
      if (!onlyUnlocks) throw new StatusProhibitsOperationError('clientUpdateProhibited: remove it first', el('name', h.name));
    }
    const changed = changeStatuses(h.statuses, addStatuses, remStatuses, HOST_CLIENT_STATUSES);
    if ('bad' in changed) throw new ParameterValuePolicyError(changed.why, el('status', undefined, { s: changed.bad }));

    const zones = [...(await ctx.zones.all()).values()];
    const newName = u.chgName !== undefined ? validateHostName(u.chgName) : h.name;
    const sup = await superordinateOf(ctx.db, newName, zones);
    const rejectPrivate = sup?.zone.policy.rejectPrivateAddresses ?? true;
    const add = validateAddrs(u.addAddrs ?? [], rejectPrivate);
    const rem = validateAddrs(u.remAddrs ?? [], false);
    for (const a of rem) if (!h.addrs.includes(a)) throw new ParameterValuePolicyError(`${a} is not an address of this host`, el('addr', a));
    for (const a of add) if (h.addrs.includes(a) && !rem.includes(a)) throw new ParameterValuePolicyError(`${a} is already an address of this host`, el('addr', a));
    const addrsAfter = [...h.addrs.filter((a) => !rem.includes(a)), ...add.filter((a) => !h.addrs.includes(a) || rem.includes(a))];

    if (newName !== h.name) {
      if ((await existingHostNames(ctx.db, [newName])).size) throw new ObjectExistsError(`host ${newName} exists`, el('name', u.chgName));
      if (sup) {
        if (!sup.domain) throw new AssociationProhibitsOperationError(`superordinate domain of ${newName} does not exist`, el('name', u.chgName));
        if (sup.domain.sponsorId !== ctx.registrar.id) throw new AuthorizationError('superordinate domain is sponsored by another registrar', el('name', u.chgName));
      }
      if (h.linked) {
        // Glue: an internal host in use keeps its superordinate domain.
        if (h.superordinateId !== undefined && sup?.domain?.id !== h.superordinateId) {
          throw new AssociationProhibitsOperationError('a name server in use cannot move to another domain', el('name', u.chgName));
        }
        if (h.superordinateId === undefined) {
          const [foreign] = await ctx.db.query(sql`SELECT 1 FROM domain_hosts dh JOIN domains d ON d.id = dh.domain_id WHERE dh.host_id = ${h.id} AND d.sponsor_id <> ${ctx.registrar.id} LIMIT 1`);
          if (foreign) throw new AssociationProhibitsOperationError('other registrars\' domains use this host', el('name', h.name));
        }
      }
    }
    if (sup && addrsAfter.length === 0) throw new RequiredParameterMissingError('an internal host needs at least one address', el('addr'));
    if (!sup && addrsAfter.length > 0) throw new ParameterValuePolicyError('an external host must not have addresses', el('addr', addrsAfter[0]));

    for (const a of rem) await ctx.db.query(sql`DELETE FROM host_addrs WHERE host_id = ${h.id} AND addr = ${a}::inet`);
    for (const a of add) await ctx.db.query(sql`INSERT INTO host_addrs (host_id, addr) VALUES (${h.id}, ${a}::inet) ON CONFLICT DO NOTHING`);
    // An internal host is sponsored by its superordinate domain's sponsor (RST epp-25).
    await ctx.db.query(sql`
      UPDATE hosts SET name = ${newName}, superordinate_id = ${sup?.domain?.id ?? null}, statuses = ${changed.statuses},
             updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now}
       WHERE id = ${h.id}`);
    await recordHistory(ctx.db, { type: 'host', roid: h.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'update', snapshot: { name: newName, addrs: addrsAfter, statuses: changed.statuses } });
    return { object: { type: 'host', id: newName } };
  },
});
