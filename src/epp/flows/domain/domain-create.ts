/**
 * domain:create (RFC 5731 §3.2.1) with secDNS-1.1 dsData (RFC 5910 §5.2.1), the fee extension
 * (RFC 8748 §5.2.1) and allocation tokens for reserved names (RFC 8495 §3.2.4). The checks that
 * need no data come first; then one statement looks up what the command refers to (with the
 * name's reservation and premium price) and writes the domain only if all of it checks out
 * (createDomain), and the flow names the first failed guard; a last statement charges the create
 * with its add grace period (RFC 3915 §1). Any failure after the write rolls it back.
 */
import { chargeWithGrace } from '../../../billing/ledger.js';
import { feeResponse, verifyFeeAgreement } from '../../../billing/fee-ext.js';
import { priceOf } from '../../../billing/prices.js';
import { tokenDigest, verifyAllocation } from '../../../lifecycle/reserved.js';
import { createDomain } from '../../../db/queries/domains.js';
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
    const { name, zone } = await validateDomainName(req.name, ctx.zones, ctx.db);       // 2005 / 2004 / 2306
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

    const expires = addYears(ctx.now, years);
    const r = await createDomain(ctx.db, {
      roidSuffix: ctx.config.epp.repoId, name, zoneId: zone.id, registrarId: ctx.registrar.id, ...(req.registrant ? { registrant: req.registrant } : {}),
      authPw: req.authPw, now: ctx.now, expires, contacts: req.contacts ?? [], ns, ds,
      svTrid: ctx.svTrid, snapshot: { name, years, ns, registrant: req.registrant, contacts: req.contacts, ds },
      ...(cmd.allocationToken !== undefined ? { tokenSha256: tokenDigest(cmd.allocationToken) } : {}),
    });
    // A reserved name without its token is 2304; a token that allocates nothing to this registrar is 2201.
    verifyAllocation(r.reservation, name, ctx.registrar.id, cmd.allocationToken, ctx.now);
    if (!r.created) {
      if (!r.accredited) throw new AuthorizationError(`not accredited for .${zone.name}`, el('name', req.name));
      if (r.taken) throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
      if (req.registrant && !r.contactsFound.has(req.registrant)) throw new ObjectDoesNotExistError(`contact ${req.registrant} does not exist`, el('registrant', req.registrant));
      for (const c of req.contacts ?? []) if (!r.contactsFound.has(c.id)) throw new ObjectDoesNotExistError(`contact ${c.id} does not exist`, el('contact', c.id, { type: c.type }));
      for (const n of ns) if (!r.hostsFound.has(n)) throw new ObjectDoesNotExistError(`host ${n} does not exist`, el('hostObj', n));
      // Everything checked out, yet nothing was written: a concurrent create of the name won.
      throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
    }
    // The price, premium or standard, must be agreed through the fee extension when the client uses it (2003/2004).
    const price = priceOf(zone, await ctx.prices.standard(zone.id, ctx.db), r.premium, 'create', years);
    const feeBack = verifyFeeAgreement(cmd, price, ctx.extUris);
    // Last, so the account row is locked only until the commit: 2104 when funds are short.
    const charged = await chargeWithGrace(ctx.db, { registrarId: ctx.registrar.id, quote: price, zoneId: zone.id, domain: { roid: r.created.roid, name }, now: ctx.now, svTrid: ctx.svTrid },
      { domainId: r.created.id, kind: 'addPeriod', days: zone.policy.addGraceDays, years: 0 });
    return {
      resData: { 'domain:creData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:crDate': ctx.now.toISOString(), 'domain:exDate': expires.toISOString() } },
      ...(feeBack ? { extension: feeResponse('creData', { quote: price, zone, balance: charged, currency: price.currency }) } : {}),
      object: { type: 'domain', id: name },
    };
  },
});
