/**
 * domain:create (RFC 5731 §3.2.1) with secDNS-1.1 dsData (RFC 5910 §5.2.1). The checks that need
 * no data come first; then one statement looks up what the command refers to and writes the
 * domain only if all of it checks out (createDomain), and the flow names the first failed guard.
 */
import { createDomain } from '../../../db/queries/domains.js';
import { NS } from '../../../xml/namespaces.js';
import {
  AuthorizationError, ObjectDoesNotExistError, ObjectExistsError, ParameterValuePolicyError, ParameterValueRangeError, ParameterValueSyntaxError,
  RequiredParameterMissingError, StatusProhibitsOperationError, UnimplementedOptionError,
} from '../../errors.js';
import { defineFlow } from '../../flow.js';
import {
  addYears, el, reservedNames, validateDomainName, validateNameServers, validatePeriod, validateSecDnsCreate, verifyNameServerCount,
} from './domain-checks.js';

export const DomainCreateFlow = defineFlow({
  command: 'domain:create',
  objectUri: NS.domain,
  mutating: true,
  extensions: [NS.secDNS],
  errors: [ParameterValueSyntaxError, ParameterValueRangeError, ParameterValuePolicyError, AuthorizationError, ObjectExistsError, ObjectDoesNotExistError,
    RequiredParameterMissingError, StatusProhibitsOperationError, UnimplementedOptionError],
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
    if (reservedNames(zone, [name]).has(name)) throw new StatusProhibitsOperationError(`${name} is reserved`, el('name', req.name));

    const expires = addYears(ctx.now, years);
    const r = await createDomain(ctx.db, {
      roidSuffix: ctx.config.epp.repoId, name, zoneId: zone.id, registrarId: ctx.registrar.id, ...(req.registrant ? { registrant: req.registrant } : {}),
      authPw: req.authPw, now: ctx.now, expires, contacts: req.contacts ?? [], ns, ds,
      svTrid: ctx.svTrid, snapshot: { name, years, ns, registrant: req.registrant, contacts: req.contacts, ds },
    });
    if (!r.created) {
      if (!r.accredited) throw new AuthorizationError(`not accredited for .${zone.name}`, el('name', req.name));
      if (r.taken) throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
      if (req.registrant && !r.contactsFound.has(req.registrant)) throw new ObjectDoesNotExistError(`contact ${req.registrant} does not exist`, el('registrant', req.registrant));
      for (const c of req.contacts ?? []) if (!r.contactsFound.has(c.id)) throw new ObjectDoesNotExistError(`contact ${c.id} does not exist`, el('contact', c.id, { type: c.type }));
      for (const n of ns) if (!r.hostsFound.has(n)) throw new ObjectDoesNotExistError(`host ${n} does not exist`, el('hostObj', n));
      // Everything checked out, yet nothing was written: a concurrent create of the name won.
      throw new ObjectExistsError(`domain ${name} exists`, el('name', req.name));
    }
    return {
      resData: { 'domain:creData': { '@_xmlns:domain': NS.domain, 'domain:name': name, 'domain:crDate': ctx.now.toISOString(), 'domain:exDate': expires.toISOString() } },
      object: { type: 'domain', id: name },
    };
  },
});
