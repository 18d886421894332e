/** The dns service's start-up choices: cleanly disabled (with a clear log line) when PowerDNS is missing or publication is off. */
import { Writable } from 'node:stream';
import client from 'prom-client';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CHILD_KINDS } from '../../cluster/child-kinds.js';
import { defaults } from '../../src/config.js';
import { createDnsMetrics } from '../../src/dns/metrics.js';
import { startDnsService } from '../../src/dns/service.js';

function capture() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, cb) { lines.push(String(chunk)); cb(); } }));
  return { log, lines };
}

describe('dns service start-up', () => {
  it('without pdns_server, publication is disabled with a clear log line', async () => {
    const cfg = defaults('/tmp/registry-dns-nowhere');
    cfg.database.primary = 'postgres://nobody@127.0.0.1:1/none';
    cfg.dns.pdnsServer = '/nonexistent/pdns_server';
    const { log, lines } = capture();
    const svc = await startDnsService(cfg, log, createDnsMetrics(new client.Registry()));
    expect(svc.detail).toMatchObject({ dns: 'disabled', reason: 'pdns_server not found' });
    expect(lines.join('')).toContain('DNS publication disabled: pdns_server not found; install it (apt-get install pdns-server pdns-backend-pgsql)');
    await svc.stop();
  });

  it('dns.enabled=false runs no dns child at all', async () => {
    const cfg = defaults('/tmp/registry-dns-nowhere');
    expect(CHILD_KINDS.dns!.count(cfg)).toBe(1);
    cfg.dns.enabled = false;
    expect(CHILD_KINDS.dns!.count(cfg)).toBe(0);
    const { log, lines } = capture();
    const svc = await startDnsService(cfg, log, createDnsMetrics(new client.Registry()));
    expect(svc.detail).toEqual({ dns: 'disabled' });
    expect(lines.join('')).toContain('DNS publication disabled by configuration');
  });

  it('configuration is checked eagerly', async () => {
    const { validateConfig } = await import('../../src/config.js');
    const cfg = defaults('/tmp/x');
    cfg.dns.server = 'external';
    expect(() => validateConfig(cfg)).toThrow('dns.server external needs dns.pdnsDatabase');
    cfg.dns.pdnsDatabase = 'postgres://x@y/pdns';
    cfg.dns.batchSize = 0;
    expect(() => validateConfig(cfg)).toThrow('dns.batchSize');
  });
});
