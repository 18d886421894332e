/** The public RDAP base URL: configured, or derived from the listener (start-up lines, credentials.json, links). */
import type { RddsConfig } from '../../config.js';

export function rdapBaseUrl(config: RddsConfig): string {
  if (config.rdapBaseUrl) return config.rdapBaseUrl;
  const host = config.rdapHost.includes(':') ? `[${config.rdapHost}]` : config.rdapHost;
  return `${config.rdapTls ? 'https' : 'http'}://${host}:${config.rdapPort}/rdap/`;
}
