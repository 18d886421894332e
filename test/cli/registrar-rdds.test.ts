/** `registry registrar set` and `registrar contact`: what WHOIS and RDAP publish about a registrar, validated before it is stored. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/registry.js';
import { AdminError, createRegistrar } from '../../src/admin/registrars.js';
import { sql } from '../../src/db/pool.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('registry registrar set / contact', () => {
  let t: TestDb;
  let dir: string;
  const run = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await main(['--data-dir', dir, ...argv], (s) => out.push(s));
    return { code, out: out.join('\n') };
  };
  const row = async () => (await t.db.primary.query(sql`SELECT * FROM registrars WHERE client_id = 'acme'`))[0];

  beforeAll(async () => {
    t = await createTestDb();
    dir = mkdtempSync(join(tmpdir(), 'registry-cli-'));
    writeFileSync(join(dir, 'registry.json'), JSON.stringify({ mode: 'production', database: { primary: t.url } }));
    await createRegistrar(t.db.primary, { clientId: 'acme', name: 'Acme', password: 'Acme-pass-123' });
    await createRegistrar(t.db.primary, { clientId: 'other', name: 'Other', password: 'Other-pass-123' });
  });
  afterAll(async () => {
    await t.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets every published field', async () => {
    const r = await run('registrar', 'set', 'acme', '--name', 'Acme Registrar, Inc.', '--iana-id', '4242', '--url', 'https://acme.example',
      '--whois-server', 'WHOIS.Acme.Example.', '--rdap-base-url', 'https://rdap.acme.example/v1', '--email', 'info@acme.example',
      '--abuse-email', 'abuse@acme.example', '--abuse-phone', '+1.5555550199', '--phone', '+1.5555550100', '--fax', '+1.5555550101',
      '--street', '1 Acme Way', '--street', 'Suite 9', '--city', 'Springfield', '--sp', 'IL', '--pc', '62701', '--cc', 'us');
    expect(r).toEqual({ code: 0, out: 'registrar acme updated' });
    expect(await row()).toMatchObject({
      name: 'Acme Registrar, Inc.', iana_id: 4242, url: 'https://acme.example', whois_server: 'whois.acme.example', rdap_base_url: 'https://rdap.acme.example/v1/',
      email: 'info@acme.example', abuse_email: 'abuse@acme.example', abuse_phone: '+1.5555550199', voice: '+1.5555550100', fax: '+1.5555550101',
      street: ['1 Acme Way', 'Suite 9'], city: 'Springfield', sp: 'IL', pc: '62701', cc: 'US',
    });
  });

  it('changes only the fields given, and clears a field given empty', async () => {
    expect((await run('registrar', 'set', 'acme', '--fax', '', '--city', 'Shelbyville')).code).toBe(0);
    expect(await row()).toMatchObject({ fax: null, city: 'Shelbyville', iana_id: 4242, url: 'https://acme.example' });
  });

  it('refuses bad values and changes nothing', async () => {
    const before = await row();
    const bad: string[][] = [
      ['--abuse-phone', '555-1234'], ['--abuse-email', 'not-an-email'], ['--url', 'ftp://acme.example'], ['--whois-server', 'bad host'],
      ['--cc', 'USA'], ['--iana-id', 'x1'], ['--rdap-base-url', 'nope'], ['--street', 'a', '--street', 'b', '--street', 'c', '--street', 'd'],
    ];
    for (const args of bad) await expect(run('registrar', 'set', 'acme', ...args), args.join(' ')).rejects.toThrow(AdminError);
    await expect(run('registrar', 'set', 'acme')).rejects.toThrow(/at least one field/);
    await expect(run('registrar', 'set', 'nobody', '--city', 'X')).rejects.toThrow(/no registrar/);
    // IANA IDs are unique (the RDAP registrar handle).
    await expect(run('registrar', 'set', 'other', '--iana-id', '4242')).rejects.toThrow(/IANA ID 4242 belongs to another registrar/);
    expect(await row()).toEqual(before);
  });

  it('adds and clears the registrar\'s admin and technical contacts', async () => {
    expect((await run('registrar', 'contact', 'add', 'acme', '--type', 'admin', '--name', 'Ada', '--email', 'ada@acme.example', '--phone', '+1.5555550110')).code).toBe(0);
    expect((await run('registrar', 'contact', 'add', 'acme', '--type', 'tech', '--name', 'Tom', '--email', 'tom@acme.example')).code).toBe(0);
    expect((await row()).rdds_contacts).toEqual([
      { type: 'admin', name: 'Ada', email: 'ada@acme.example', voice: '+1.5555550110' },
      { type: 'tech', name: 'Tom', email: 'tom@acme.example' },
    ]);
    await expect(run('registrar', 'contact', 'add', 'acme', '--type', 'billing', '--name', 'B', '--email', 'b@acme.example')).rejects.toThrow(/admin or tech/);
    await expect(run('registrar', 'contact', 'add', 'acme', '--type', 'tech', '--name', 'T', '--email', 'nope')).rejects.toThrow(AdminError);
    expect((await run('registrar', 'contact', 'clear', 'acme')).code).toBe(0);
    expect((await row()).rdds_contacts).toEqual([]);
  });
});
