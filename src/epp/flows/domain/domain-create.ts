/**
 * domain:create (RFC 5731 §3.2.1) with secDNS-1.1 dsData (RFC 5910 §5.2.1), the fee extension
 * (RFC 8748 §5.2.1) and allocation tokens for reserved names (RFC 8495 §3.2.4). The create is
 * charged in its own transaction and starts the add grace period (RFC 3915 §1).
 */
import { sql } from '../../../db/pool.js';
import { charge } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { quote } from '../../../billing/prices.js';
import { startGrace } from '../../../lifecycle/grace.js';
import { consumeReservation, reservations, verifyAllocation } from '../../../lifecycle/reserved.js';
import { contactIdsByHandle } from '../../../db/queries/contacts.js';
import { isAccredited } from '../../../db/queries/domains.js';
import { hostIdsByName } from '../../../db/queries/hosts.js';
import { nextRoid, recordHistory } from '../../../db/queries/history.js';
import { toALabel } from '../../../registry/names.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, ObjectDoesNotExistError, ObjectExistsError, ParameterValuePolicyError, ParameterValueRangeError, ParameterValueSyntaxError,
  RequiredParameterMissingError, UnimplementedOptionError, StatusProhibitsOperationError, BillingFailureError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { addYears, validateDomainName, validateDs, validatePeriod } from './domain-checks.js';

const el = (local: string, text?: string, attrs?: Record<string, string>) => ({ ns: NS.domain, local, ...(text !== undefined ? { text } : {}), ...(attrs ? { attrs } : {}) });

export const DomainCreateFlow = defineFlow({
  command: 'domain:create',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.secDNS, NS.fee, NS.allocationToken],
  errors: [ParameterValueSyntaxError, ParameterValueRangeError, ParameterValuePolicyError, AuthorizationError, ObjectExistsError, ObjectDoesNotExistError, RequiredParameterMissingError, UnimplementedOptionError,
    StatusProhibitsOperationError, BillingFailureError],
  async run(ctx, cmd) {
    const req = cmd.domainCreate!;
    const { name, zone } = await validateDomainName(req.name, ctx.zones);
    if (!(await isAccredited(ctx.db, ctx.registrar.id, zone.id))) throw new AuthorizationError(`not accredited for .${zone.name}`, el('name', req.name));
    const years = validatePeriod(req.period, zone);
    if (req.hostAttr) throw new ParameterValuePolicyError('this registry uses host objects (hostObj), not hostAttr', el('ns'));

    // Name servers: syntax, count per zone policy, and each must exist as a host object.
    const nsNames = (req.ns ?? []).map((n) => {
      const a = toALabel(n);
      if ('problem' in a) throw new ParameterValueSyntaxError('invalid host name', el('hostObj', n));
      return a.name;
    });
    const ns = [...new Set(nsNames)];
    if (ns.length < zone.policy.minNs || ns.length > zone.policy.maxNs) {
      throw new ParameterValuePolicyError(`.${zone.name} needs ${zone.policy.minNs}-${zone.policy.maxNs} name servers`, el('ns'));
    }
    const hostIds = await hostIdsByName(ctx.db, ns);
    for (const n of ns) if (!hostIds.has(n)) throw new ObjectDoesNotExistError(`host ${n} does not exist`, el('hostObj', n));

    // Contacts per zone policy; each must exist.
    const required = zone.policy.requiredContacts;
    if (required.includes('registrant') && !req.registrant) throw new RequiredParameterMissingError('a registrant is required', el('registrant'));
    for (const type of ['admin', 'tech', 'billing'] as const) {
      if (required.includes(type) && !(req.contacts ?? []).some((c) => c.type === type)) throw new RequiredParameterMissingError(`a ${type} contact is required`, el('contact', undefined, { type }));
    }
    const handles = [...new Set([...(req.registrant ? [req.registrant] : []), ...(req.contacts ?? []).map((c) => c.id)])];
    const contactIds = await contactIdsByHandle(ctx.db, handles);
    for (const h of handles) if (!contactIds.has(h)) throw new ObjectDoesNotExistError(`contact ${h} does not exist`, h === req.registrant ? el('registrant', h) : el('contact', h));

    // secDNS: dsData only; maxSigLife is not supported (RFC 5910 §3.3: 2102 when unsupported).
    const sec = req.secDns;
    if (sec?.keyData) throw new ParameterValuePolicyError('this registry accepts the dsData interface only', { ns: NS.secDNS, local: 'keyData' });
    if (sec?.maxSigLife !== undefined) throw new UnimplementedOptionError('maxSigLife is not supported', { ns: NS.secDNS, local: 'maxSigLife', text: String(sec.maxSigLife) });
    const ds = validateDs(sec?.ds ?? []);

    // Reserved names need their allocation token (2304/2201); the price, premium or standard,
    // must be agreed through the fee extension when the client uses it (2003/2004).
    const allocated = verifyAllocation((await reservations(ctx.db, [name])).get(name), name, ctx.registrar.id, cmd.allocationToken, ctx.now);
    const price = await quote(ctx.db, ctx.prices, zone, name, 'create', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);

    const roid = await nextRoid(ctx.db, 'D', ctx.config.epp.repoId);
    const expires = addYears(ctx.now, years);
    let id: number;
    try {
      const [row] = await ctx.db.query(sql`
        INSERT INTO domains (roid, name, zone_id, sponsor_id, creator_id, registrant_id, auth_pw, created_at, expires_at)
        VALUES (${roid}, ${name}, ${zone.id}, ${ctx.registrar.id}, ${ctx.registrar.id}, ${req.registrant ? contactIds.get(req.registrant)! : null},
                ${req.authPw}, ${ctx.now}, ${expires}) RETURNING id`);
      id = row.id;
    } catch (err) {
      // A concurrent create of the same name loses on the unique index.
      if ((err as { code?: string }).code === '23505') throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
      throw err;
    }
    for (const c of req.contacts ?? []) {
      await ctx.db.query(sql`INSERT INTO domain_contacts (domain_id, contact_id, type) VALUES (${id}, ${contactIds.get(c.id)!}, ${c.type}) ON CONFLICT DO NOTHING`);
    }
    for (const n of ns) await ctx.db.query(sql`INSERT INTO domain_hosts (domain_id, host_id) VALUES (${id}, ${hostIds.get(n)!})`);
    for (const d of ds) await ctx.db.query(sql`INSERT INTO domain_ds (domain_id, key_tag, alg, digest_type, digest) VALUES (${id}, ${d.keyTag}, ${d.alg}, ${d.digestType}, ${d.digest})`);
    if (allocated) await consumeReservation(ctx.db, name);
    await recordHistory(ctx.db, { type: 'domain', roid, at: ctx.now, registrarId: ctx.registrar.id, svTrid: ctx.svTrid, action: 'create', snapshot: { name, years, ns, registrant: req.registrant, contacts: req.contacts, ds } });
    // Last, so the account row is locked only until the commit: 2104 when funds are short.
    const charged = await charge(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid, name }, now: ctx.now, svTrid: ctx.svTrid });
    await startGrace(ctx.db, { domainId: id, kind: 'addPeriod', start: ctx.now, days: zone.policy.addGraceDays, registrarId: ctx.registrar.id, chargeId: charged.entryId });
    return {
      resData: { 'domain:creData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:crDate': ctx.now.toISOString(), 'domain:exDate': expires.toISOString() } },
      ...(feeBack ? { extension: feeResponse('creData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
      object: { type: 'domain', id: name },
    };
  },
});
