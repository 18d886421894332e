/**
 * WHOIS and RDAP show the lifecycle's statuses (RFC 8056 §2): a running grace period ("add
 * period"), and after a delete the redemption period with pendingDelete; an ended grace period
 * is no longer shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pino } from 'pino';
import { contactCreateXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { runPass } from '../../src/jobs/scheduler.js';
import { startRddsApp, type RddsApp } from '../../src/rdds/app.js';
import { freePort } from '../../src/util/net.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { createXml, simpleDelete } from '../helpers/lifecycle.js';
import { rdap, whoisFields, whoisRaw } from './helpers.js';

const DAY = 86_400_000;

describe('RDDS lifecycle statuses', () => {
  let h: Harness;
  let app: RddsApp;
  let a: ValidatingClient;
  let whoisPort: number;
  let now = new Date();

  beforeAll(async () => {
    whoisPort = await freePort();
    const rdapPort = await freePort();
    h = await startHarness({ clock: () => now, tweak: (c) => { c.rdds.whoisPort = whoisPort; c.rdds.rdapPort = rdapPort; c.rdds.rateLimitExempt = ['127.0.0.0/8', '::1/128']; } });
    app = await startRddsApp({ config: h.config, log: pino({ level: 'warn' }, pino.destination({ dest: join(h.dir, 'rdds.log'), sync: true })), clock: () => now });
    a = await h.login('reg-a', { objURIs: [NS.domain, NS.contact] });
    expect(resultCode(await a.request(contactCreateXml({ id: 'owner' })))).toBe(1000);
  });
  afterAll(async () => { await a?.close(); await app?.close(1000); await h?.close(); });

  const rdapStatus = async (name: string) => (await rdap(`${app.rdapBaseUrl}domain/${name}`)).body!.status as string[];
  const whoisStatus = async (name: string) => whoisFields(await whoisRaw(whoisPort, name)).get('Domain Status') ?? [];

  it('shows the add grace period, then the redemption period after a delete', async () => {
    expect(resultCode(await a.request(createXml('graceful.example')))).toBe(1000);
    await expect.poll(() => rdapStatus('graceful.example'), { timeout: 5000 }).toContain('add period');
    expect((await whoisStatus('graceful.example')).some((s) => s.startsWith('addPeriod '))).toBe(true);
    // Past the add grace period (the job prunes it, which nudges the caches): no longer shown.
    now = new Date(now.getTime() + 6 * DAY);
    await runPass(h.t.db, now);
    await expect.poll(() => rdapStatus('graceful.example'), { timeout: 5000 }).not.toContain('add period');
    expect(resultCode(await a.request(simpleDelete('graceful.example')))).toBe(1001);
    await expect.poll(() => rdapStatus('graceful.example'), { timeout: 5000 }).toContain('redemption period');
    expect(await rdapStatus('graceful.example')).toContain('pending delete');
    expect((await whoisStatus('graceful.example')).some((s) => s.startsWith('redemptionPeriod '))).toBe(true);
  });
});
