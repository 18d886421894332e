/** domain:update (RFC 5731 §3.2.5) with secDNS-1.1 update (RFC 5910 §5.2.5) and the RGP restore (RFC 3915 §4.2.5). */
import { sql } from '../../../db/pool.js';
import { contactIdsByHandle } from '../../../db/queries/contacts.js';
import { hostIdsByName } from '../../../db/queries/hosts.js';
import { recordHistory } from '../../../db/queries/history.js';
import { restore } from '../../../lifecycle/restore.js';
import { changeStatuses, DOMAIN_CLIENT_STATUSES, hasAny, clientLockAllowsUpdate } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, ObjectDoesNotExistError, ParameterValuePolicyError, ParameterValueSyntaxError, StatusProhibitsOperationError,
  UnimplementedOptionError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import {
  dsKey, el, loadDomain, MAX_DS, normaliseDomainName, validateDs, validateNameServers, verifyNameServerCount, verifySecDnsOptions, verifySponsor, zoneOfDomain,
} from './domain-checks.js';

export const DomainUpdateFlow = defineFlow({
  command: 'domain:update',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.secDNS, NS.rgp, NS.fee],
  errors: [ObjectDoesNotExistError, AuthorizationError, StatusProhibitsOperationError, ParameterValuePolicyError, ParameterValueSyntaxError, UnimplementedOptionError],
  async run(ctx, cmd) {
    const u = cmd.domainUpdate!;
    const d = await loadDomain(ctx.db, normaliseDomainName(u.name), true);
    verifySponsor(d, ctx.registrar.id);
    const zone = await zoneOfDomain(d, ctx.zones, ctx.db);
    const name = d.name;
    if (cmd.rgpRestore) return restore(ctx, d, zone, cmd);
    if (cmd.fee) throw new ParameterValuePolicyError('no fee applies to this update', { ns: NS.fee, local: 'update' });

    const addStatuses = (u.add?.statuses ?? []).map((s) => s.s);
    const remStatuses = (u.rem?.statuses ?? []).map((s) => s.s);
    // RFC 5731 §2.3: pendingDelete/pendingTransfer and serverUpdateProhibited block updates;
    // clientUpdateProhibited blocks everything but its own removal.
    if (hasAny(d.statuses, 'serverUpdateProhibited', 'pendingDelete') || d.pendingTransfer) {
      throw new StatusProhibitsOperationError('domain status prohibits update', el('name', d.name));
    }
    const changesData = !!(u.add?.ns?.length || u.rem?.ns?.length || u.add?.contacts?.length || u.rem?.contacts?.length
      || u.chgRegistrant !== undefined || u.chgAuthPw !== undefined || u.chgAuthNull || u.secDns);
    if (!clientLockAllowsUpdate(d.statuses, remStatuses, changesData)) throw new StatusProhibitsOperationError('clientUpdateProhibited: remove it first', el('name', d.name));

    const changed = changeStatuses(d.statuses, addStatuses, remStatuses, DOMAIN_CLIENT_STATUSES);
    if ('bad' in changed) throw new ParameterValuePolicyError(changed.why, el('status', undefined, { s: changed.bad }));

    // Name servers (host objects only, RFC 5731 §1.1).
    const addNs = validateNameServers(u.add?.ns ?? [], u.add?.hostAttr);
    const remNs = validateNameServers(u.rem?.ns ?? [], u.rem?.hostAttr);
    for (const n of remNs) if (!d.ns.includes(n)) throw new ParameterValuePolicyError(`${n} is not a name server of this domain`, el('hostObj', n));
    for (const n of addNs) if (d.ns.includes(n) && !remNs.includes(n)) throw new ParameterValuePolicyError(`${n} is already a name server of this domain`, el('hostObj', n));
    const hostIds = await hostIdsByName(ctx.db, [...addNs, ...remNs]);
    for (const n of addNs) if (!hostIds.has(n)) throw new ObjectDoesNotExistError(`host ${n} does not exist`, el('hostObj', n));
    const nsAfter = [...d.ns.filter((n) => !remNs.includes(n)), ...addNs.filter((n) => !d.ns.includes(n) || remNs.includes(n))];
    if (addNs.length || remNs.length) verifyNameServerCount(nsAfter.length, zone);

    // Contacts and registrant.
    const addC = u.add?.contacts ?? [];
    const remC = u.rem?.contacts ?? [];
    const has = (c: { type: string; id: string }) => d.contacts.some((x) => x.type === c.type && x.id === c.id);
    for (const c of remC) if (!has(c)) throw new ParameterValuePolicyError(`${c.id} is not a ${c.type} contact of this domain`, el('contact', c.id, { type: c.type }));
    for (const c of addC) if (has(c) && !remC.some((r) => r.type === c.type && r.id === c.id)) throw new ParameterValuePolicyError(`${c.id} is already a ${c.type} contact`, el('contact', c.id, { type: c.type }));
    const handles = [...new Set([...addC.map((c) => c.id), ...remC.map((c) => c.id), ...(u.chgRegistrant ? [u.chgRegistrant] : [])])];
    const contactIds = await contactIdsByHandle(ctx.db, handles);
    for (const c of addC) if (!contactIds.has(c.id)) throw new ObjectDoesNotExistError(`contact ${c.id} does not exist`, el('contact', c.id, { type: c.type }));
    if (u.chgRegistrant && !contactIds.has(u.chgRegistrant)) throw new ObjectDoesNotExistError(`contact ${u.chgRegistrant} does not exist`, el('registrant', u.chgRegistrant));
    if (u.chgRegistrant === '' && zone.policy.requiredContacts.includes('registrant')) throw new ParameterValuePolicyError(`.${zone.name} requires a registrant`, el('registrant', ''));
    for (const type of ['admin', 'tech', 'billing'] as const) {
      if (!zone.policy.requiredContacts.includes(type)) continue;
      const after = d.contacts.filter((c) => c.type === type && !remC.some((r) => r.type === type && r.id === c.id)).length + addC.filter((c) => c.type === type).length;
      if (after === 0) throw new ParameterValuePolicyError(`.${zone.name} requires a ${type} contact`, el('contact', undefined, { type }));
    }

    // secDNS: rem (all or listed) before add; urgent and maxSigLife are not supported (2102).
    let dsAfter = d.ds;
    if (u.secDns) {
      const s = u.secDns;
      // RFC 5910 §5.2.5: an urgent change the server cannot honour is 2102.
      if (s.urgent) throw new UnimplementedOptionError('urgent DS changes are not supported', { ns: NS.secDNS, local: 'update', attrs: { urgent: 'true' } });
      verifySecDnsOptions(s);
      const rem = new Set((s.rem ?? []).map(dsKey));
      const add = validateDs(s.add ?? [], 'add');
      dsAfter = s.remAll ? [] : d.ds.filter((x) => !rem.has(dsKey(x)));
      const present = new Set(dsAfter.map(dsKey));
      for (const x of add) if (!present.has(dsKey(x))) dsAfter.push(x);
      if (dsAfter.length > MAX_DS) throw new ParameterValuePolicyError(`at most ${MAX_DS} DS records`, { ns: NS.secDNS, local: 'add' });
    }

    // Writes.
    const domainId = d.id;
    for (const n of remNs) await ctx.db.query(sql`DELETE FROM domain_hosts WHERE domain_id = ${domainId} AND host_id = ${hostIds.get(n)!}`);
    for (const n of addNs) await ctx.db.query(sql`INSERT INTO domain_hosts (domain_id, host_id) VALUES (${domainId}, ${hostIds.get(n)!}) ON CONFLICT DO NOTHING`);
    for (const c of remC) await ctx.db.query(sql`DELETE FROM domain_contacts WHERE domain_id = ${domainId} AND type = ${c.type} AND contact_id = ${contactIds.get(c.id)!}`);
    for (const c of addC) await ctx.db.query(sql`INSERT INTO domain_contacts (domain_id, contact_id, type) VALUES (${domainId}, ${contactIds.get(c.id)!}, ${c.type}) ON CONFLICT DO NOTHING`);
    if (u.secDns) {
      await ctx.db.query(sql`DELETE FROM domain_ds WHERE domain_id = ${domainId}`);
      for (const x of dsAfter) await ctx.db.query(sql`INSERT INTO domain_ds (domain_id, key_tag, alg, digest_type, digest) VALUES (${domainId}, ${x.keyTag}, ${x.alg}, ${x.digestType}, ${x.digest})`);
    }
    const registrantId = u.chgRegistrant === undefined ? d.registrantId ?? null : u.chgRegistrant === '' ? null : contactIds.get(u.chgRegistrant)!;
    const authPw = u.chgAuthNull ? '' : u.chgAuthPw ?? d.authPw;
    await ctx.db.query(sql`
      UPDATE domains SET statuses = ${changed.statuses}, registrant_id = ${registrantId}, auth_pw = ${authPw},
             updater_id = ${ctx.registrar.id}, updated_at = ${ctx.now}
       WHERE id = ${domainId}`);
    await recordHistory(ctx.db, { type: 'domain', roid: d.roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'update',
      snapshot: { name, statuses: changed.statuses, ns: nsAfter, registrant: u.chgRegistrant, add: u.add, rem: u.rem, ds: dsAfter } });
    return { object: { type: 'domain', id: name } };
  },
});
