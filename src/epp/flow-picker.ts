/** The only table from command name to flow; the greeting's svcMenu is derived from it. */
import type { Flow } from './flow.js';
import { DomainCheckFlow } from './flows/domain/domain-check.js';
import { PollFlow } from './flows/poll/poll.js';
import { HostCheckFlow } from './flows/host/host-check.js';
import { ContactCheckFlow } from './flows/contact/contact-check.js';

const FLOWS: Flow[] = [
  PollFlow,
  DomainCheckFlow,
  HostCheckFlow,
  ContactCheckFlow,
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
