/**
 * domain:info (RFC 5731 §3.1.2) with secDNS infData (RFC 5910 §5.1.2) and the RGP statuses (RFC
 * 3915 §4.1) for clients that logged in with those extensions. Every registrar sees the
 * name, statuses, name servers, sponsor and dates; the registrant and contacts go to the sponsor
 * or to a client presenting the right authInfo (a wrong one is 2202); the authInfo itself only
 * to the sponsor ("MUST NOT be provided if the querying client is not the current sponsoring
 * client").
 */
import { activeGraces } from '../../../lifecycle/grace.js';
import { rgpInfData, rgpStatuses } from '../../../lifecycle/rgp.js';
import { domainStatuses } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import type { XmlObj } from '../../../xml/render.js';
import { InvalidAuthInfoError, ObjectDoesNotExistError, ParameterValueSyntaxError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadDomain, normaliseDomainName, verifyAuthInfo } from './domain-checks.js';

export const DomainInfoFlow = defineFlow({
  command: 'domain:info',
  objectUri: NS.domain,
  mutating: false,
  extensions: [NS.secDNS, NS.rgp],
  errors: [ParameterValueSyntaxError, ObjectDoesNotExistError, InvalidAuthInfoError],
  async run(ctx, cmd) {
    const q = cmd.domainInfo!;
    const d = await loadDomain(ctx.db, normaliseDomainName(q.name));
    const sponsor = d.sponsorId === ctx.registrar.id;
    const authorised = sponsor || verifyAuthInfo(d, q.authPw);
    const inf: XmlObj = {
      '@_xmlns:domain': NS.domain,
      'domain:name': d.name,
      'domain:roid': d.roid,
      'domain:status': domainStatuses(d.statuses, { hasNs: d.ns.length > 0, pendingTransfer: d.pendingTransfer }).map((s) => ({ '@_s': s })),
    };
    if (authorised) {
      if (d.registrantHandle) inf['domain:registrant'] = d.registrantHandle;
      if (d.contacts.length) inf['domain:contact'] = d.contacts.map((c) => ({ '@_type': c.type, '#text': c.id }));
    }
    const hosts = q.hosts ?? 'all';
    if ((hosts === 'all' || hosts === 'del') && d.ns.length) inf['domain:ns'] = { 'domain:hostObj': d.ns };
    if ((hosts === 'all' || hosts === 'sub') && d.subordinates.length) inf['domain:host'] = d.subordinates;
    inf['domain:clID'] = d.sponsorClid;
    inf['domain:crID'] = d.creatorClid;
    inf['domain:crDate'] = d.createdAt.toISOString();
    if (d.updaterClid) inf['domain:upID'] = d.updaterClid;
    if (d.updatedAt) inf['domain:upDate'] = d.updatedAt.toISOString();
    inf['domain:exDate'] = d.expiresAt.toISOString();
    if (d.transferredAt) inf['domain:trDate'] = d.transferredAt.toISOString();
    if (sponsor) inf['domain:authInfo'] = { 'domain:pw': d.authPw };
    const extension: XmlObj = {};
    if (d.ds.length && ctx.extUris.has(NS.secDNS)) {
      extension['secDNS:infData'] = { '@_xmlns:secDNS': NS.secDNS, 'secDNS:dsData': d.ds.map((x) => ({ 'secDNS:keyTag': x.keyTag, 'secDNS:alg': x.alg, 'secDNS:digestType': x.digestType, 'secDNS:digest': x.digest })) };
    }
    if (ctx.extUris.has(NS.rgp)) {
      Object.assign(extension, rgpInfData(rgpStatuses(d.rgpStatus, d.rgpStatus ? [] : await activeGraces(ctx.db, d.id, ctx.now))));
    }
    return { resData: { 'domain:infData': inf }, ...(Object.keys(extension).length ? { extension } : {}), object: { type: 'domain', id: d.name } };
  },
});
