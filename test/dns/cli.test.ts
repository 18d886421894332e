/** The CLI's DNS commands against a real database and PowerDNS: status, resync, zone settings, DS, export. */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/registry.js';
import { contactCreateXml, domainCreateXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { dig, startPdns, type TestPdns } from '../helpers/pdns.js';

const exec = promisify(execFile);

describe('registry dns and zone export commands', () => {
  let h: Harness;
  let p: TestPdns;
  let conf: string;
  const cli = async (...argv: string[]) => {
    const lines: string[] = [];
    const code = await main(['--config', conf, ...argv], (s) => lines.push(s));
    return { code, text: lines.join('\n') };
  };

  beforeAll(async () => {
    h = await startHarness();
    p = await startPdns();
    const a = await h.login('reg-a', { objURIs: [NS.domain, NS.host, NS.contact] });
    for (const x of [contactCreateXml({ id: 'owner-a' }), hostCreateXml({ name: 'ns.provider.net' }), domainCreateXml({ name: 'cli.example', ns: ['ns.provider.net'], registrant: 'owner-a' })]) {
      expect(resultCode(await a.request(x))).toBe(1000);
    }
    await a.close();
    await p.publisher(h.t.db).drain();
    conf = join(h.dir, 'registry.json');
    writeFileSync(conf, JSON.stringify({
      mode: 'production', database: { primary: h.t.url },
      dns: { ...p.dns, server: 'external', pdnsDatabase: p.url, apiUrl: p.server.apiUrl, apiKey: p.server.apiKey, pdnsConfigDir: p.dir, exportKeyDir: join(h.dir, 'keys') },
      log: { file: join(h.dir, 'cli.log') },
    }));
  });
  afterAll(async () => { await h?.close(); await p?.stop(); });

  it('dns status shows the queue and the serials on both sides', async () => {
    const r = await cli('dns', 'status', '--json');
    expect(r.code).toBe(0);
    const st = JSON.parse(r.text);
    expect(st.queue).toMatchObject({ depth: 0, alarm: false });
    expect(st.zones[0]).toMatchObject({ zone: 'example', dnssec: 'NSEC', inPowerDns: true });
    expect(st.zones[0].publishedSerial).toBe(st.zones[0].registrySerial);
  });

  it('dns resync reports no drift, then the drift it corrected', async () => {
    expect((await cli('dns', 'resync', 'example')).text).toMatch(/^example: \d+ names checked; no drift$/);
    const pz = (await p.pdns.zone('example'))!;
    await p.pdns.pool.query((await import('../../src/db/pool.js')).sql`DELETE FROM records WHERE domain_id = ${pz.id} AND name = 'cli.example'`);
    const dry = await cli('dns', 'resync', 'example', '--dry-run');
    expect(dry.text).toMatch(/would correct 1 names \(\+1 -0 records\)/);
    const fix = await cli('dns', 'resync', 'example');
    expect(fix.text).toMatch(/corrected 1 names \(\+1 -0 records\).*serial \d+\n  \+ cli\.example NS ns\.provider\.net/);
    expect(await dig(p.port, 'cli.example', 'NS')).toContain('cli.example. 86400 IN NS ns.provider.net.');
  });

  it('dns zone set changes the apex; bad input changes nothing', async () => {
    const bad = await main(['--config', conf, 'dns', 'zone', 'set', 'example', '--ns', 'ns1.nic.example'], () => {}).catch((e: Error) => e);
    expect((bad as Error).message).toMatch(/needs an address/);
    const r = await cli('dns', 'zone', 'set', 'example', '--ns', 'a.nic.example=81.2.69.10', '--ns', 'b.nic.example=127.0.0.3', '--rname', 'dns-admin.nic.example');
    expect(JSON.parse(r.text)).toMatchObject({ soa: { rname: 'dns-admin.nic.example' }, ns: [{ name: 'a.nic.example', addrs: ['81.2.69.10'] }, { name: 'b.nic.example', addrs: ['127.0.0.3'] }] });
    await p.publisher(h.t.db).drain();
    expect((await dig(p.port, 'example', 'NS')).sort()).toEqual(['a.nic.example. 86400 IN A 81.2.69.10', 'b.nic.example. 86400 IN A 127.0.0.3', 'example. 86400 IN NS a.nic.example.', 'example. 86400 IN NS b.nic.example.']);
    expect((await dig(p.port, 'ns1.nic.example', 'A')).some((l) => l.includes(' IN A '))).toBe(false);
  });

  it('dns ds prints the DS for the parent', async () => {
    const text = (await cli('dns', 'ds', 'example')).text;
    expect(text).toMatch(/^example\. IN DS \d+ 13 2 [0-9a-f]{64}$/m);
    expect(text).not.toMatch(/ IN DS \d+ 13 4 /);
    expect(text).toMatch(/^example\. IN DNSKEY 257 3 13 [A-Za-z0-9+/=]+$/m);
  });

  it('zone export writes a master file that named-checkzone accepts; --sign one that dnssec-verify accepts', async () => {
    const file = join(h.dir, 'out.zone');
    const r = await cli('zone', 'export', 'example', '--out', file);
    expect(r.text).toMatch(/^zone example serial \d+: 1 delegations, \d+ records, written to /);
    expect(readFileSync(file, 'utf8')).toContain('cli.example.\t86400\tIN\tNS\tns.provider.net.');
    await exec('named-checkzone', ['example', file]);
    const signed = join(h.dir, 'signed.zone');
    expect((await cli('zone', 'export', 'example', '--out', signed, '--sign')).text).toMatch(/, signed, written to/);
    const v = await exec('dnssec-verify', ['-o', 'example', signed]);
    expect(v.stdout + v.stderr).toMatch(/Zone fully signed/);
  });
});
