/** host:info (RFC 5732 §3.1.2): open to every registrar (hosts carry no authInfo). */
import { isIPv4 } from 'node:net';
import { linkedStatuses } from '../../../registry/statuses.js';
import { NS } from '../../../xml/namespaces.js';
import type { XmlObj } from '../../../xml/render.js';
import { ObjectDoesNotExistError } from '../../errors.js';
import { defineFlow } from '../../flow.js';
import { loadHost, validateHostName } from './host-checks.js';

export const HostInfoFlow = defineFlow({
  command: 'host:info',
  objectUri: NS.host,
  mutating: false,
  errors: [ObjectDoesNotExistError],
  async run(ctx, cmd) {
    const h = await loadHost(ctx.db, validateHostName(cmd.hostInfo!.name));
    const inf: XmlObj = {
      '@_xmlns:host': NS.host,
      'host:name': h.name,
      'host:roid': h.roid,
      'host:status': linkedStatuses(h.statuses, { linked: h.linked }).map((s) => ({ '@_s': s })),
    };
    if (h.addrs.length) inf['host:addr'] = h.addrs.map((a) => ({ '@_ip': isIPv4(a) ? 'v4' : 'v6', '#text': a }));
    inf['host:clID'] = h.sponsorClid;
    inf['host:crID'] = h.creatorClid;
    inf['host:crDate'] = h.createdAt.toISOString();
    if (h.updaterClid) inf['host:upID'] = h.updaterClid;
    if (h.updatedAt) inf['host:upDate'] = h.updatedAt.toISOString();
    if (h.transferredAt) inf['host:trDate'] = h.transferredAt.toISOString();
    return { resData: { 'host:infData': inf }, object: { type: 'host', id: h.name } };
  },
});
