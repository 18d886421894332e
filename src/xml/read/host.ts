/** Readers of host commands (RFC 5732 §3). */
import type { HostAddr } from '../../proto/index.js';
import { NS } from '../namespaces.js';
import { registerReader } from '../read.js';
import { attr, childrenNamed, text } from '../dom.js';

registerReader('host:info', ({ objectEl }) => ({ hostInfo: { name: text(objectEl, NS.host, 'name')! } }));

registerReader('host:create', ({ objectEl }) => ({
  hostCreate: {
    name: text(objectEl, NS.host, 'name')!,
    addrs: childrenNamed(objectEl, NS.host, 'addr').map((a): HostAddr => ({ ip: a.content.trim(), version: (attr(a, 'ip') ?? 'v4') as HostAddr['version'] })),
  },
}));

registerReader('host:delete', ({ objectEl }) => ({ delete: { id: text(objectEl, NS.host, 'name')! } }));
