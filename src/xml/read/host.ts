/** Readers of host commands (RFC 5732 §3). */
import type { XmlElement } from 'libxml2-wasm';
import type { HostAddr } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { attr, child, childrenNamed, text } from '../dom.js';

registerReader('host:info', ({ objectEl }) => ({ hostInfo: { name: text(objectEl, NS.host, 'name')! } }));

registerReader('host:create', ({ objectEl }) => ({
  hostCreate: {
    name: text(objectEl, NS.host, 'name')!,
    addrs: childrenNamed(objectEl, NS.host, 'addr').map((a): HostAddr => ({ ip: a.content.trim(), version: (attr(a, 'ip') ?? 'v4') as HostAddr['version'] })),
  },
}));

registerReader('host:delete', ({ objectEl }) => ({ delete: { id: text(objectEl, NS.host, 'name')! } }));

registerReader('host:update', ({ objectEl }) => {
  const add = child(objectEl, NS.host, 'add');
  const rem = child(objectEl, NS.host, 'rem');
  const chg = child(objectEl, NS.host, 'chg');
  const addrs = (el: XmlElement | undefined) => (el ? childrenNamed(el, NS.host, 'addr').map((a): HostAddr => ({ ip: a.content.trim(), version: (attr(a, 'ip') ?? 'v4') as HostAddr['version'] })) : []);
  const statuses = (el: XmlElement | undefined) => (el ? childrenNamed(el, NS.host, 'status').map((s) => ({ s: attr(s, 's')! })) : []);
  return {
    hostUpdate: {
      name: text(objectEl, NS.host, 'name')!,
      addAddrs: addrs(add), remAddrs: addrs(rem), addStatuses: statuses(add), remStatuses: statuses(rem),
      ...(chg ? { chgName: text(chg, NS.host, 'name')! } : {}),
    },
  };
});
