/** The kinds of child process the supervisor runs. Adding a front-end is one line here. */
import type { RegistryConfig } from '../src/config.js';

export interface ChildKind {
  /** Entry file, relative to this directory (compiled .js). */
  entry: string;
  /** How many of this kind to run. */
  count(cfg: RegistryConfig): number;
}

export const CHILD_KINDS: Record<string, ChildKind> = {
  epp: { entry: 'epp-frontend.js', count: (cfg) => cfg.epp.processes },
  jobs: { entry: 'jobs.js', count: () => 1 },
  rdds: { entry: 'rdds-frontend.js', count: (cfg) => cfg.rdds.processes },
  dns: { entry: 'dns-publisher.js', count: (cfg) => (cfg.dns.enabled ? 1 : 0) },
};
