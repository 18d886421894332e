/** The only table from command name to flow; the greeting's svcMenu is derived from it. */
import type { Flow } from './flow.js';
import { DomainCheckFlow } from './flows/domain/domain-check.js';
import { PollFlow } from './flows/poll/poll.js';
import { HostCheckFlow } from './flows/host/host-check.js';
import { ContactCheckFlow } from './flows/contact/contact-check.js';
import { ContactCreateFlow } from './flows/contact/contact-create.js';
import { ContactInfoFlow } from './flows/contact/contact-info.js';
import { ContactDeleteFlow } from './flows/contact/contact-delete.js';
import { HostCreateFlow } from './flows/host/host-create.js';
import { HostInfoFlow } from './flows/host/host-info.js';
import { HostDeleteFlow } from './flows/host/host-delete.js';
import { DomainCreateFlow } from './flows/domain/domain-create.js';
import { DomainInfoFlow } from './flows/domain/domain-info.js';
import { DomainDeleteFlow } from './flows/domain/domain-delete.js';
import { DomainUpdateFlow } from './flows/domain/domain-update.js';
import { DomainRenewFlow } from './flows/domain/domain-renew.js';
import { DomainTransferFlow } from './flows/domain/domain-transfer.js';
import { HostUpdateFlow } from './flows/host/host-update.js';
import { ContactUpdateFlow } from './flows/contact/contact-update.js';
import { ContactTransferFlow } from './flows/contact/contact-transfer.js';

const FLOWS: Flow[] = [
  PollFlow,
  DomainCheckFlow,
  DomainInfoFlow,
  DomainCreateFlow,
  DomainDeleteFlow,
  DomainUpdateFlow,
  DomainRenewFlow,
  DomainTransferFlow,
  HostCheckFlow,
  HostInfoFlow,
  HostCreateFlow,
  HostDeleteFlow,
  HostUpdateFlow,
  ContactCheckFlow,
  ContactInfoFlow,
  ContactCreateFlow,
  ContactDeleteFlow,
  ContactUpdateFlow,
  ContactTransferFlow,
];

export const flowsByCommand: ReadonlyMap<string, Flow> = new Map(FLOWS.map((f) => [f.command, f]));

/** Object URIs served (some flow uses them), in a stable order. */
export function servedObjectUris(flows: Iterable<Flow> = flowsByCommand.values()): string[] {
  return [...new Set([...flows].flatMap((f) => (f.objectUri ? [f.objectUri] : [])))].sort();
}

/** Extension URIs served (some flow understands them). */
export function servedExtensionUris(flows: Iterable<Flow> = flowsByCommand.values()): string[] {
  return [...new Set([...flows].flatMap((f) => f.extensions ?? []))].sort();
}
