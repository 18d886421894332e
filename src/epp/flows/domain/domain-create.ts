/**
 * domain:create (RFC 5731 §3.2.1) with secDNS-1.1 dsData (RFC 5910 §5.2.1), the fee extension
 * (RFC 8748 §5.2.1) and allocation tokens for reserved names (RFC 8495 §3.2.4). The checks that
 * need no data come first; what the command refers to (and the name's reservation and premium
 * price) is read in one statement, the domain with its links and history row is written in
 * another, and the charge with its add grace period (RFC 3915 §1) in a third.
 */
import { chargeWithGrace } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { priceOf } from '../../../billing/prices.js';
import { consumeReservation, verifyAllocation } from '../../../lifecycle/reserved.js';
import { insertDomain, resolveCreateRefs } from '../../../db/queries/domains.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, ObjectDoesNotExistError, ObjectExistsError, ParameterValuePolicyError, ParameterValueRangeError, ParameterValueSyntaxError,
  RequiredParameterMissingError, StatusProhibitsOperationError, UnimplementedOptionError, BillingFailureError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import {
  addYears, el, validateDomainName, validateNameServers, validatePeriod, validateSecDnsCreate, verifyNameServerCount,
} from './domain-checks.js';

export const DomainCreateFlow = defineFlow({
  command: 'domain:create',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.secDNS, NS.fee, NS.allocationToken],
  errors: [ParameterValueSyntaxError, ParameterValueRangeError, ParameterValuePolicyError, AuthorizationError, ObjectExistsError, ObjectDoesNotExistError,
    RequiredParameterMissingError, StatusProhibitsOperationError, UnimplementedOptionError, BillingFailureError],
  async run(ctx, cmd) {
    const req = cmd.domainCreate!;
    const { name, zone } = await validateDomainName(req.name, ctx.zones);          // 2005 / 2004 / 2306
    const years = validatePeriod(req.period, zone);                                    // 2004
    const ns = validateNameServers(req.ns ?? [], req.hostAttr);                        // 2306 / 2005
    verifyNameServerCount(ns.length, zone);                                            // 2306
    // Contacts the zone requires (RFC 5731 §3.2.1 leaves which to policy): 2003.
    const required = zone.policy.requiredContacts;
    if (required.includes('registrant') && !req.registrant) throw new RequiredParameterMissingError('a registrant is required', el('registrant'));
    for (const type of ['admin', 'tech', 'billing'] as const) {
      if (required.includes(type) && !(req.contacts ?? []).some((c) => c.type === type)) throw new RequiredParameterMissingError(`a ${type} contact is required`, el('contact', undefined, { type }));
    }
    const ds = validateSecDnsCreate(req.secDns);                                       // 2306 / 2102 / 2004 / 2005

    const handles = [...new Set([...(req.registrant ? [req.registrant] : []), ...(req.contacts ?? []).map((c) => c.id)])];
    const refs = await resolveCreateRefs(ctx.db, { registrarId: ctx.registrar.id, zoneId: zone.id, name, contacts: handles, hosts: ns });
    if (!refs.accredited) throw new AuthorizationError(`not accredited for .${zone.name}`, el('name', req.name));
    if (refs.taken) throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
    if (req.registrant && !refs.contacts.has(req.registrant)) throw new ObjectDoesNotExistError(`contact ${req.registrant} does not exist`, el('registrant', req.registrant));
    for (const c of req.contacts ?? []) if (!refs.contacts.has(c.id)) throw new ObjectDoesNotExistError(`contact ${c.id} does not exist`, el('contact', c.id, { type: c.type }));
    for (const n of ns) if (!refs.hosts.has(n)) throw new ObjectDoesNotExistError(`host ${n} does not exist`, el('hostObj', n));
    // Reserved names need their allocation token (2304/2201); the price, premium or standard,
    // must be agreed through the fee extension when the client uses it (2003/2004).
    const allocated = verifyAllocation(refs.reservation, name, ctx.registrar.id, cmd.allocationToken, ctx.now);
    const price = priceOf(zone, await ctx.prices.standard(zone.id), refs.premium, 'create', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);

    const expires = addYears(ctx.now, years);
    const row = await insertDomain(ctx.db, {
      roidSuffix: ctx.config.epp.repoId, name, zoneId: zone.id, registrarId: ctx.registrar.id,
      registrantId: req.registrant ? refs.contacts.get(req.registrant)! : null, authPw: req.authPw, now: ctx.now, expires,
      contacts: (req.contacts ?? []).map((c) => ({ id: refs.contacts.get(c.id)!, type: c.type })), hostIds: ns.map((n) => refs.hosts.get(n)!), ds,
      svTrid: ctx.svTrid, snapshot: { name, years, ns, registrant: req.registrant, contacts: req.contacts, ds },
    });
    // A concurrent create of the same name committed between the read and the write.
    if (!row) throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
    if (allocated) await consumeReservation(ctx.db, name);
    // Last, so the account row is locked only until the commit: 2104 when funds are short.
    const charged = await chargeWithGrace(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: row.roid, name }, now: ctx.now, svTrid: ctx.svTrid },
      { domainId: row.id, kind: 'addPeriod', days: zone.policy.addGraceDays, years: 0 });
    return {
      resData: { 'domain:creData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:crDate': ctx.now.toISOString(), 'domain:exDate': expires.toISOString() } },
      ...(feeBack ? { extension: feeResponse('creData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
      object: { type: 'domain', id: name },
    };
  },
});
