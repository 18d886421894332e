/**
 * WHOIS and RDAP end to end: objects created over EPP (real TLS, real Postgres), read back over
 * WHOIS with a raw TCP client and the Debian whois program, and over RDAP with undici, every
 * RDAP body validated against the RFC 9083 schema and its RFC 9537 paths evaluated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { pino } from 'pino';
import { join } from 'node:path';
import { contactCreateXml, domainCreateXml, domainInfoXml, hostCreateXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { sql } from '../../src/db/pool.js';
import { accredit, addZone } from '../../src/admin/zones.js';
import { addRegistrarContact, setRegistrarRddsData } from '../../src/admin/registrars.js';
import { startRddsApp, type RddsApp } from '../../src/rdds/app.js';
import { freePort } from '../../src/util/net.js';
import { startHarness, type Harness, type ValidatingClient } from '../helpers/harness.js';
import { deleteXml, domainUpdateXml, tag } from '../helpers/xml.js';
import { contactCreateFullXml, contactUpdateXml, rdap, whoisCli, whoisFields, whoisRaw } from './helpers.js';

const ALL = [NS.domain, NS.host, NS.contact];
const DS = `<secDNS:update xmlns:secDNS="${NS.secDNS}"><secDNS:add><secDNS:dsData><secDNS:keyTag>12345</secDNS:keyTag><secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType><secDNS:digest>${'AB'.repeat(32)}</secDNS:digest></secDNS:dsData></secDNS:add></secDNS:update>`;

type J = Record<string, any>;
const entityWithRole = (body: J, role: string): J => (body.entities as J[]).find((e) => (e.roles as string[]).includes(role))!;
const card = (e: J, name: string): unknown[][] => (e.vcardArray[1] as unknown[][]).filter((p) => p[0] === name);

describe('registration data services', () => {
  let h: Harness;
  let app: RddsApp;
  let a: ValidatingClient;
  let b: ValidatingClient;
  let now = new Date('2026-03-01T10:00:00.000Z');
  let base: string;
  let whoisPort: number;
  const roid: Record<string, string> = {};

  beforeAll(async () => {
    whoisPort = await freePort();
    const rdapPort = await freePort();
    h = await startHarness({
      clock: () => now,
      tweak: (c) => {
        c.rdds.whoisPort = whoisPort;
        c.rdds.rdapPort = rdapPort;
        c.rdds.port43 = 'whois.nic.example';
        c.rdds.searchMaxResults = 3;
        c.rdds.termsOfUse = 'Test terms of use: for the RDDS tests only.';
        c.rdds.termsOfUseUrl = 'https://nic.example/terms';
        c.rdds.whoisIdleTimeoutMs = 300;
        // The functional tests are not about limits (a describe below is).
        c.rdds.rateLimitExempt = ['127.0.0.0/8', '::1/128'];
      },
    });
    const db = h.t.db.primary;
    await setRegistrarRddsData(db, 'reg-a', {
      ianaId: 1234, url: 'https://rega.example', whoisServer: 'whois.rega.example', rdapBaseUrl: 'https://rdap.rega.example/',
      abuseEmail: 'abuse@rega.example', abusePhone: '+1.5555550199', voice: '+1.5555550100', fax: '+1.5555550101', email: 'info@rega.example',
      street: ['100 Registrar Way', 'Floor 3'], city: 'Reston', sp: 'VA', pc: '20190', cc: 'us',
    });
    await addRegistrarContact(db, 'reg-a', { type: 'admin', name: 'Ada Admin', voice: '+1.5555550110', email: 'ada@rega.example' });
    await addRegistrarContact(db, 'reg-a', { type: 'tech', name: 'Tom Tech', voice: '+1.5555550111', email: 'tom@rega.example' });
    await addZone(db, 'open', { rddsRedaction: 'none' });
    await accredit(db, 'reg-a', 'open');
    const log = pino({ level: 'warn' }, pino.destination({ dest: join(h.dir, 'rdds.log'), sync: true }));
    app = await startRddsApp({ config: h.config, log, clock: () => now });
    base = app.rdapBaseUrl;
    a = await h.login('reg-a', { objURIs: ALL, extURIs: [NS.secDNS] });
    b = await h.login('reg-b', { objURIs: ALL });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await app?.close(1000);
    await h?.close();
  });

  it('creates the objects over EPP', async () => {
    const ok = async (xml: string) => expect(resultCode(await a.request(xml)), xml).toBe(1000);
    await ok(contactCreateFullXml({ id: 'owner-a', name: 'Olga Owner', org: 'Owner Org', street: ['1 Main St', 'Apt 2'], city: 'Springfield', sp: 'IL', pc: '62701', cc: 'US', voice: '+1.5555550123', voiceExt: '42', fax: '+1.5555550124', email: 'olga@owner.example' }));
    // The tech contact consents to publishing its name, phone and email (RFC 5733 §2.9 flag=1).
    await ok(contactCreateFullXml({ id: 'tech-a', name: 'Theo Tech', street: ['2 Side St'], city: 'Shelbyville', sp: 'IL', pc: '62565', cc: 'US', voice: '+1.5555550130', email: 'theo@tech.example', disclose: { flag: true, fields: ['name_int', 'voice', 'email'] } }));
    // Under an open zone, this contact asks that its email be withheld (flag=0).
    await ok(contactCreateFullXml({ id: 'open-owner', name: 'Otto Open', street: ['3 Open Rd'], city: 'Capital City', pc: '10001', cc: 'DE', voice: '+49.301234567', email: 'otto@open.example', disclose: { flag: false, fields: ['email'] } }));
    await ok(hostCreateXml({ name: 'ns1.dns-provider.net' }));
    await ok(domainCreateXml({ name: 'life.example', years: 2, ns: ['ns1.dns-provider.net'], registrant: 'owner-a', contacts: [{ type: 'tech', id: 'tech-a' }, { type: 'admin', id: 'owner-a' }], pw: 'Transfer-Me-123' }));
    await ok(hostCreateXml({ name: 'ns1.life.example', addrs: [{ ip: '81.2.69.53' }, { ip: '2a01:4f8::53', v: 'v6' }] }));
    now = new Date('2026-03-02T08:30:00.000Z');
    await ok(domainUpdateXml('life.example', { addNs: ['ns1.life.example'], ext: DS }));
    await ok(domainCreateXml({ name: 'xn--caf-dma.example', registrant: 'owner-a', pw: 'Cafe-Pass-123' }));
    await ok(domainCreateXml({ name: 'shop.open', registrant: 'open-owner', ns: ['ns1.dns-provider.net'], pw: 'Shop-Pass-123' }));
    for (const n of [1, 2, 3, 4, 5]) await ok(domainCreateXml({ name: `search${n}.example`, registrant: 'owner-a', pw: 'Search-Pass-1' }));
    for (const r of await h.t.db.primary.query(sql`SELECT roid, coalesce(contact_id, '') AS k FROM contacts UNION ALL SELECT roid, name FROM domains UNION ALL SELECT roid, name FROM hosts`)) roid[r.k] = r.roid;
  });

  describe('WHOIS', () => {
    it('answers a domain in the Specification 4 format, personal data redacted by the zone policy', async () => {
      const text = await whoisRaw(whoisPort, 'life.example');
      expect(text.endsWith('\r\n')).toBe(true);
      expect(text.split('\r\n').every((l) => !l.includes('\n'))).toBe(true);
      const f = whoisFields(text);
      const one = (k: string) => f.get(k)?.[0];
      expect(one('Domain Name')).toBe('life.example');
      expect(one('Registry Domain ID')).toBe(roid['life.example']);
      expect(one('Registry Domain ID')).toMatch(/^D\d+-REG$/);
      expect(one('Registrar WHOIS Server')).toBe('whois.rega.example');
      expect(one('Registrar URL')).toBe('https://rega.example');
      expect(one('Updated Date')).toBe('2026-03-02T08:30:00Z');
      expect(one('Creation Date')).toBe('2026-03-01T10:00:00Z');
      expect(one('Registry Expiry Date')).toBe('2028-03-01T10:00:00Z');
      expect(one('Registrar')).toBe('Registrar reg-a');
      expect(one('Registrar IANA ID')).toBe('1234');
      expect(one('Registrar Abuse Contact Email')).toBe('abuse@rega.example');
      expect(one('Registrar Abuse Contact Phone')).toBe('+1.5555550199');
      // Created moments ago: in its add grace period (RFC 3915), which RDDS shows as a status too.
      expect(f.get('Domain Status')).toEqual(['ok https://icann.org/epp#ok', 'addPeriod https://icann.org/epp#addPeriod']);
      expect(one('Registry Registrant ID')).toBe('REDACTED FOR PRIVACY');
      expect(one('Registrant Name')).toBe('REDACTED FOR PRIVACY');
      expect(one('Registrant Organization')).toBe('Owner Org');
      expect(f.get('Registrant Street')).toEqual(['REDACTED FOR PRIVACY']);
      expect(one('Registrant City')).toBe('REDACTED FOR PRIVACY');
      expect(one('Registrant State/Province')).toBe('IL');
      expect(one('Registrant Postal Code')).toBe('REDACTED FOR PRIVACY');
      expect(one('Registrant Country')).toBe('US');
      for (const k of ['Registrant Phone', 'Registrant Phone Ext', 'Registrant Fax', 'Registrant Fax Ext']) expect(one(k), k).toBe('REDACTED FOR PRIVACY');
      expect(one('Registrant Email')).toMatch(/^Please query the RDDS service of the Registrar of Record/);
      expect(text).not.toContain('olga@owner.example');
      expect(text).not.toContain('Olga');
      // The admin block is the same contact; the tech contact consented to name, phone and email.
      expect(one('Registry Admin ID')).toBe('REDACTED FOR PRIVACY');
      expect(one('Registry Tech ID')).toBe('REDACTED FOR PRIVACY');
      expect(one('Tech Name')).toBe('Theo Tech');
      expect(one('Tech Phone')).toBe('+1.5555550130');
      expect(one('Tech Email')).toBe('theo@tech.example');
      expect(one('Tech Street')).toBe('REDACTED FOR PRIVACY');
      expect(one('Tech City')).toBe('REDACTED FOR PRIVACY');
      expect(f.get('Name Server')).toEqual(['ns1.dns-provider.net', 'ns1.life.example']);
      expect(one('DNSSEC')).toBe('signedDelegation');
      expect(text).toContain('URL of the ICANN Whois Inaccuracy Complaint Form: https://www.icann.org/wicf/\r\n>>> Last update of WHOIS database: 2026-03-02T08:30:00Z <<<\r\n\r\nFor more information on Whois status codes, please visit https://icann.org/epp\r\n\r\nTest terms of use: for the RDDS tests only.\r\n');
      // Spec 4 order of the first keys.
      const keys = text.split('\r\n').map((l) => l.split(':')[0]);
      const order = ['Domain Name', 'Registry Domain ID', 'Registrar WHOIS Server', 'Registrar URL', 'Updated Date', 'Creation Date', 'Registry Expiry Date', 'Registrar', 'Registrar IANA ID', 'Registrar Abuse Contact Email', 'Registrar Abuse Contact Phone', 'Domain Status', 'Domain Status', 'Registry Registrant ID'];
      expect(keys.slice(0, order.length)).toEqual(order);
    });

    it('answers repeated queries identically (rendered once, reused)', async () => {
      const first = await whoisRaw(whoisPort, 'life.example');
      expect(await whoisRaw(whoisPort, 'life.example')).toBe(first);
      expect(await whoisRaw(whoisPort, 'LIFE.EXAMPLE.')).toBe(first);
    });

    it('gives the same answer to the Debian whois client', async () => {
      const text = await whoisCli(whoisPort, 'life.example');
      expect(text).toContain('Domain Name: life.example');
      expect(text).toContain('Registrar IANA ID: 1234');
      expect(text).toContain('Registrant Name: REDACTED FOR PRIVACY');
      expect(text).toContain('Name Server: ns1.life.example');
      expect(text).toContain('>>> Last update of WHOIS database: 2026-03-02T08:30:00Z <<<');
      expect(await whoisCli(whoisPort, 'nameserver ns1.life.example')).toContain('IP Address: 2a01:4f8::53');
      expect(await whoisCli(whoisPort, 'nothere.example')).toContain('No match for "nothere.example".');
    });

    it('accepts IDN queries as U-label and A-label, answering with the A-label', async () => {
      for (const q of ['café.example', 'CAFÉ.example', 'xn--caf-dma.example']) {
        const f = whoisFields(await whoisRaw(whoisPort, q));
        expect(f.get('Domain Name'), q).toEqual(['xn--caf-dma.example']);
        expect(f.get('Domain Status'), q).toEqual(['inactive https://icann.org/epp#inactive', 'addPeriod https://icann.org/epp#addPeriod']);
        expect(f.get('Name Server')).toEqual(['']);
        expect(f.get('DNSSEC')).toEqual(['unsigned']);
      }
      expect(await whoisCli(whoisPort, 'café.example')).toContain('Domain Name: xn--caf-dma.example');
      expect(await whoisRaw(whoisPort, 'domain café.example')).toContain('Domain Name: xn--caf-dma.example');
    });

    it('answers name servers by name and by address, and registrars by name and IANA ID', async () => {
      const ns = whoisFields(await whoisRaw(whoisPort, 'nameserver ns1.life.example'));
      expect(ns.get('Server Name')).toEqual(['ns1.life.example']);
      expect(ns.get('IP Address')).toEqual(['81.2.69.53', '2a01:4f8::53']);
      expect(ns.get('Registrar')).toEqual(['Registrar reg-a']);
      expect(ns.get('Registrar WHOIS Server')).toEqual(['whois.rega.example']);
      expect(ns.get('Registrar URL')).toEqual(['https://rega.example']);
      expect(whoisFields(await whoisRaw(whoisPort, 'nameserver 2a01:4f8::53')).get('Server Name')).toEqual(['ns1.life.example']);
      for (const q of ['registrar Registrar reg-a', 'registrar registrar REG-A', 'registrar 1234']) {
        const text = await whoisRaw(whoisPort, q);
        const r = whoisFields(text);
        expect(r.get('Registrar'), q).toEqual(['Registrar reg-a']);
        expect(r.get('Street')).toEqual(['100 Registrar Way', 'Floor 3']);
        expect(r.get('City')).toEqual(['Reston']);
        expect(r.get('State/Province')).toEqual(['VA']);
        expect(r.get('Postal Code')).toEqual(['20190']);
        expect(r.get('Country')).toEqual(['US']);
        expect(r.get('Phone Number')).toEqual(['+1.5555550100', '+1.5555550110', '+1.5555550111']);
        expect(r.get('Email')).toEqual(['info@rega.example', 'ada@rega.example', 'tom@rega.example']);
        expect(r.get('Admin Contact')).toEqual(['Ada Admin']);
        expect(r.get('Technical Contact')).toEqual(['Tom Tech']);
        expect(text).toContain('>>> Last update of WHOIS database:');
      }
    });

    it('says "No match for" unknown objects and refuses malformed queries clearly', async () => {
      expect(await whoisRaw(whoisPort, 'nothere.example')).toMatch(/^No match for "nothere.example"\.\r\n>>> Last update of WHOIS database: /);
      // Names outside the registry's zones are not here either.
      expect(await whoisRaw(whoisPort, 'example.com')).toMatch(/^No match for "example.com"\./);
      expect(await whoisRaw(whoisPort, 'nameserver ns9.nowhere.net')).toMatch(/^No match for nameserver "ns9.nowhere.net"\./);
      expect(await whoisRaw(whoisPort, 'registrar Nobody Inc')).toMatch(/^No match for registrar "Nobody Inc"\./);
      expect(await whoisRaw(whoisPort, '-bad-.example')).toMatch(/^Error: not a valid domain name/);
      expect(await whoisRaw(whoisPort, 'two words here')).toMatch(/^Error: unknown query type/);
      expect(await whoisRaw(whoisPort, '')).toMatch(/^Queries \(one per connection/);
      const long = await whoisRaw(whoisPort, 'a'.repeat(600));
      expect(long).toMatch(/^Error: query too long \(at most 512 bytes\)\./);
      // A client that half-closes without CRLF still gets its answer.
      expect(await whoisRaw(whoisPort, Buffer.from('life.example'), { end: true })).toContain('Domain Name: life.example');
    });

    it('closes a connection that sends no query within the idle timeout', async () => {
      const started = Date.now();
      const got = await new Promise<string>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: whoisPort });
        let data = '';
        s.on('data', (d) => { data += d; });
        s.on('error', reject);
        s.on('close', () => resolve(data));
      });
      expect(got).toBe('');
      expect(Date.now() - started).toBeLessThan(3000);
    });

    it('publishes contact data in an open zone, except what the contact withheld', async () => {
      const f = whoisFields(await whoisRaw(whoisPort, 'shop.open'));
      expect(f.get('Registry Registrant ID')).toEqual([roid['open-owner']]);
      expect(f.get('Registrant Name')).toEqual(['Otto Open']);
      expect(f.get('Registrant Street')).toEqual(['3 Open Rd']);
      expect(f.get('Registrant City')).toEqual(['Capital City']);
      expect(f.get('Registrant Postal Code')).toEqual(['10001']);
      expect(f.get('Registrant Country')).toEqual(['DE']);
      expect(f.get('Registrant Phone')).toEqual(['+49.301234567']);
      expect(f.get('Registrant Fax')).toEqual(['']);
      expect(f.get('Registrant Email')![0]).toMatch(/^Please query the RDDS service/);
    });
  });

  describe('RDAP', () => {
    it('answers a domain with every profile member', async () => {
      const url = `${base}domain/life.example`;
      const res = await rdap(url);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/rdap+json');
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const d = res.body as J;
      expect(d.rdapConformance).toEqual(['rdap_level_0', 'icann_rdap_response_profile_1', 'icann_rdap_technical_implementation_guide_1', 'redacted']);
      expect(d.objectClassName).toBe('domain');
      expect(d.handle).toBe(roid['life.example']);
      expect(d.ldhName).toBe('life.example');
      expect(d.unicodeName).toBeUndefined();
      expect(d.links).toEqual([
        { value: url, rel: 'self', href: url, type: 'application/rdap+json' },
        { value: url, rel: 'related', href: 'https://rdap.rega.example/domain/life.example', type: 'application/rdap+json' },
      ]);
      expect(d.status).toEqual(['active', 'add period']);
      expect(d.port43).toBe('whois.nic.example');
      expect(d.events).toEqual([
        { eventAction: 'registration', eventDate: '2026-03-01T10:00:00.000Z' },
        { eventAction: 'expiration', eventDate: '2028-03-01T10:00:00.000Z' },
        { eventAction: 'last changed', eventDate: '2026-03-02T08:30:00.000Z' },
        { eventAction: 'last update of RDAP database', eventDate: '2026-03-02T08:30:00.000Z' },
      ]);
      expect(d.nameservers.map((n: J) => [n.ldhName, n.handle])).toEqual([['ns1.dns-provider.net', roid['ns1.dns-provider.net']], ['ns1.life.example', roid['ns1.life.example']]]);
      expect(d.nameservers[1].links[0].href).toBe(`${base}nameserver/ns1.life.example`);
      expect(d.secureDNS).toEqual({ delegationSigned: true, dsData: [{ keyTag: 12345, algorithm: 13, digest: 'AB'.repeat(32), digestType: 2 }] });
      expect(d.notices.map((n: J) => n.title)).toEqual(['Terms of Use', 'Status Codes', 'RDDS Inaccuracy Complaint Form']);
      expect(d.notices[0]).toEqual({ title: 'Terms of Use', description: ['Test terms of use: for the RDDS tests only.'], links: [{ value: url, rel: 'terms-of-service', href: 'https://nic.example/terms', type: 'text/html' }] });
      expect(d.notices[1].description).toEqual(['For more information on domain status codes, please visit https://icann.org/epp']);
      expect(d.notices[1].links[0]).toMatchObject({ value: url, rel: 'glossary', href: 'https://icann.org/epp' });
      expect(d.notices[2].description).toEqual(['URL of the ICANN RDDS Inaccuracy Complaint Form: https://icann.org/wicf']);
      expect(d.notices[2].links[0]).toMatchObject({ value: url, rel: 'help', href: 'https://icann.org/wicf' });

      // The registrar (RP 2.4): handle = IANA ID = publicIds identifier, fn, abuse entity with tel and email, its RDAP base URL.
      const reg = entityWithRole(d, 'registrar');
      expect(reg.handle).toBe('1234');
      expect(reg.publicIds).toEqual([{ type: 'IANA Registrar ID', identifier: '1234' }]);
      expect(card(reg, 'fn')).toEqual([['fn', {}, 'text', 'Registrar reg-a']]);
      expect(card(reg, 'adr')).toEqual([['adr', { cc: 'US' }, 'text', ['', '', ['100 Registrar Way', 'Floor 3'], 'Reston', 'VA', '20190', '']]]);
      expect(card(reg, 'tel')).toEqual([['tel', { type: 'voice' }, 'uri', 'tel:+1.5555550100'], ['tel', { type: 'fax' }, 'uri', 'tel:+1.5555550101']]);
      const abuse = entityWithRole(reg, 'abuse');
      expect(card(abuse, 'tel')).toEqual([['tel', { type: 'voice' }, 'uri', 'tel:+1.5555550199']]);
      expect(card(abuse, 'email')).toEqual([['email', {}, 'text', 'abuse@rega.example']]);
      expect(reg.links).toContainEqual({ value: 'https://rdap.rega.example/', rel: 'about', href: 'https://rdap.rega.example/', type: 'application/rdap+json' });

      // The registrant: handle removed, name/street/city/postal code emptied, phone/fax/email removed; state and country stay.
      const owner = entityWithRole(d, 'registrant');
      expect(owner.handle).toBeUndefined();
      expect(card(owner, 'fn')).toEqual([['fn', {}, 'text', '']]);
      expect(card(owner, 'org')).toEqual([['org', {}, 'text', 'Owner Org']]);
      expect(card(owner, 'adr')).toEqual([['adr', { cc: 'US' }, 'text', ['', '', '', '', 'IL', '', '']]]);
      expect(card(owner, 'tel')).toEqual([]);
      expect(card(owner, 'email')).toEqual([]);
      // No contact form configured: the registrar's URL is the way to reach the registrant (RP 2024 2.7.5.2).
      expect(card(owner, 'contact-uri')).toEqual([['contact-uri', {}, 'uri', 'https://rega.example']]);
      expect(res.raw).not.toContain('Olga');
      expect(res.raw).not.toContain('olga@owner.example');
      expect(res.raw).not.toContain('5555550123');
      // The tech contact consented to name, phone and email.
      const tech = entityWithRole(d, 'technical');
      expect(card(tech, 'fn')).toEqual([['fn', {}, 'text', 'Theo Tech']]);
      expect(card(tech, 'tel')).toEqual([['tel', { type: 'voice' }, 'uri', 'tel:+1.5555550130']]);
      expect(card(tech, 'email')).toEqual([['email', {}, 'text', 'theo@tech.example']]);
      expect(card(tech, 'adr')).toEqual([['adr', { cc: 'US' }, 'text', ['', '', '', '', 'IL', '', '']]]);
      expect(entityWithRole(d, 'administrative')).toBeDefined();

      const names = (d.redacted as J[]).map((r) => r.name.type ?? r.name.description);
      expect(names).toEqual(expect.arrayContaining(['Registry Registrant ID', 'Registrant Name', 'Registrant Street', 'Registrant City', 'Registrant Postal Code',
        'Registrant Phone', 'Registrant Phone Ext', 'Registrant Fax', 'Registrant Fax Ext', 'Registrant Email', 'Registry Tech ID', 'Tech Street', 'Tech City', 'Admin Name']));
      expect(names).not.toContain('Tech Name');
      expect(names).not.toContain('Tech Email');
      expect(names).not.toContain('Registrant Organization');
      const byName = (n: string) => (d.redacted as J[]).find((r) => r.name.type === n);
      expect(byName('Registrant Name')).toEqual({ name: { type: 'Registrant Name' }, postPath: "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='fn')][3]", method: 'emptyValue', pathLang: 'jsonpath', reason: { description: 'Server policy' } });
      expect(byName('Registry Registrant ID')).toMatchObject({ prePath: "$.entities[?(@.roles[0]=='registrant')].handle", method: 'removal' });
      expect(byName('Registrant Email')).toMatchObject({ method: 'replacementValue', replacementPath: "$.entities[?(@.roles[0]=='registrant')].vcardArray[1][?(@[0]=='contact-uri')]" });
      // The admin contact's fields are not registered redaction types: they are descriptions.
      expect((d.redacted as J[]).find((r) => r.name.description === 'Admin Name')).toBeDefined();
      // Later answers come from the rendered template: byte for byte the same.
      expect((await rdap(url)).raw).toBe(res.raw);
      expect((await rdap(url)).raw).toBe(res.raw);
      const ulabel = `${base}domain/LIFE.example`;
      expect((await rdap(ulabel)).raw).toBe(res.raw.replaceAll(`"value":${JSON.stringify(url)}`, `"value":${JSON.stringify(ulabel)}`));
    });

    it('accepts U-labels and A-labels and answers with both forms', async () => {
      for (const path of ['domain/caf%C3%A9.example', 'domain/xn--caf-dma.example', 'domain/CAF%C3%89.EXAMPLE.']) {
        const res = await rdap(`${base}${path}`);
        expect(res.status, path).toBe(200);
        expect(res.body!.ldhName).toBe('xn--caf-dma.example');
        expect(res.body!.unicodeName).toBe('café.example');
        expect(res.body!.status).toEqual(['inactive', 'add period']);
        expect(res.body!.secureDNS).toEqual({ delegationSigned: false });
        expect(res.body!.nameservers).toBeUndefined();
      }
    });

    it('answers a name server with its addresses and statuses', async () => {
      const res = await rdap(`${base}nameserver/ns1.life.example`);
      expect(res.status).toBe(200);
      const n = res.body as J;
      expect(n.objectClassName).toBe('nameserver');
      expect(n.handle).toBe(roid['ns1.life.example']);
      expect(n.ldhName).toBe('ns1.life.example');
      expect(n.ipAddresses).toEqual({ v4: ['81.2.69.53'], v6: ['2a01:4f8::53'] });
      expect(n.status).toEqual(['active', 'associated']);
      expect(entityWithRole(n, 'registrar').handle).toBe('1234');
      expect(n.events.map((e: J) => e.eventAction)).toEqual(['registration', 'last update of RDAP database']);
      expect(n.notices.map((x: J) => x.title)).toEqual(['Terms of Use']);
      const ext = await rdap(`${base}nameserver/NS1.DNS-PROVIDER.NET`);
      expect(ext.body!.ipAddresses).toBeUndefined();
      expect((await rdap(`${base}nameserver/ns9.nowhere.net`)).status).toBe(404);
    });

    it('answers entities: registrars by IANA ID (or client id without one), contacts by ROID, redacted', async () => {
      const r = await rdap(`${base}entity/1234`);
      expect(r.status).toBe(200);
      const e = r.body as J;
      expect(e.roles).toEqual(['registrar']);
      expect(card(e, 'email')).toEqual([['email', {}, 'text', 'info@rega.example']]);
      // RP 3.2: the registrar's administrative and technical contacts.
      expect(card(entityWithRole(e, 'administrative'), 'fn')).toEqual([['fn', {}, 'text', 'Ada Admin']]);
      expect(card(entityWithRole(e, 'technical'), 'email')).toEqual([['email', {}, 'text', 'tom@rega.example']]);
      expect(e.events.map((x: J) => x.eventAction)).toEqual(['registration', 'last changed', 'last update of RDAP database']);
      const rb = await rdap(`${base}entity/reg-b`);
      expect(rb.body!.handle).toBe('reg-b');
      expect(rb.body!.publicIds).toBeUndefined();
      // A registrar with an IANA ID is not found by its client id.
      expect((await rdap(`${base}entity/reg-a`)).status).toBe(404);

      const c = await rdap(`${base}entity/${roid['owner-a']}`);
      expect(c.status).toBe(200);
      const ce = c.body as J;
      expect(ce.handle).toBe(roid['owner-a']);
      expect(ce.status).toEqual(['active', 'associated']);
      expect(card(ce, 'fn')).toEqual([['fn', {}, 'text', '']]);
      expect((ce.redacted as J[]).find((x) => x.name.description === 'Contact Name')).toMatchObject({ postPath: "$.vcardArray[1][?(@[0]=='fn')][3]" });
      expect(c.raw).not.toContain('Olga');
      expect((await rdap(`${base}entity/C999999-REG`)).status).toBe(404);
      expect((await rdap(`${base}entity/nobody`)).status).toBe(404);
    });

    it('answers /help', async () => {
      const res = await rdap(`${base}help`);
      expect(res.status).toBe(200);
      expect(res.body!.rdapConformance).toContain('redacted');
      expect((res.body!.notices as J[]).map((n) => n.title)).toEqual(['Terms of Use', 'Queries']);
    });

    it('answers errors as RFC 9083 error objects: 404, 400, 422, 405', async () => {
      const cases: [string, number][] = [
        ['domain/nothere.example', 404],
        ['domain/not-a-domain.invalid', 404],
        ['domain/a.life.example', 404],
        ['domain/-bad-.example', 400],
        ['domain/', 400],
        ['domain/a%ZZ.example', 400],
        ['domain/a/b', 400],
        ['frobnicate/x', 400],
        ['domains', 400],
        ['domains?name=life.example&nsIp=1.2.3.4', 400],
        ['domains?nsIp=not-an-ip', 400],
        ['domains?name=*life', 422],
        ['domains?name=li*fe*', 422],
        ['domains?name=life.ex*', 422],
        ['domains?name=caf%C3%A9*', 422],
        ['entities?fn=*', 422],
        ['nameservers?name=ns1*x', 422],
      ];
      for (const [path, status] of cases) {
        const res = await rdap(`${base}${path}`);
        expect(res.status, path).toBe(status);
        expect(res.body!.errorCode, path).toBe(status);
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(res.headers['content-type']).toBe('application/rdap+json');
      }
      const post = await rdap(`${base}domain/life.example`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
      const long = await rdap(`${base}domain/${'a'.repeat(2100)}.example`);
      expect(long.status).toBe(400);
      // Outside the base path: not RDAP at all.
      expect((await rdap(base.replace(/rdap\/$/, 'other/domain/life.example'))).status).toBe(404);
    });

    it('answers HEAD with the status and headers of GET and no body', async () => {
      for (const [path, status] of [['domain/life.example', 200], ['domain/nothere.example', 404], ['domain/-bad-.example', 400]] as const) {
        const get = await rdap(`${base}${path}`);
        const head = await rdap(`${base}${path}`, { method: 'HEAD' });
        expect(head.status, path).toBe(status);
        expect(head.raw).toBe('');
        expect(head.headers['content-type']).toBe('application/rdap+json');
        expect(head.headers['access-control-allow-origin']).toBe('*');
        expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(get.raw));
      }
    });

    it('serves browsers: CORS on every answer and preflight', async () => {
      const res = await rdap(`${base}domain/life.example`, { headers: { origin: 'https://lookup.example', accept: 'application/json' } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['content-type']).toBe('application/rdap+json');
      const pre = await rdap(`${base}domain/life.example`, { method: 'OPTIONS', headers: { origin: 'https://lookup.example', 'access-control-request-method': 'GET' } });
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe('*');
      expect(pre.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    });

    it('searches domains, name servers and registrars, with truncation notices', async () => {
      const s = await rdap(`${base}domains?name=search*`);
      expect(s.status).toBe(200);
      const results = s.body!.domainSearchResults as J[];
      expect(results.map((d) => d.ldhName)).toEqual(['search1.example', 'search2.example', 'search3.example']);
      expect(results[0]!.entities.map((e: J) => e.roles[0])).toEqual(['registrar']);
      expect(results[0]!.remarks[0].type).toBe('object truncated due to excessive load');
      expect((s.body!.notices as J[]).at(-1)).toEqual({ title: 'Search results truncated', type: 'result set truncated due to excessive load', description: ['At most 3 results are returned; narrow the search to see others.'] });
      const suffix = await rdap(`${base}domains?name=sea*.example`);
      expect((suffix.body!.domainSearchResults as J[]).length).toBe(3);
      expect(((await rdap(`${base}domains?name=sea*.open`)).body!.domainSearchResults as J[]).length).toBe(0);
      const exact = await rdap(`${base}domains?name=caf%C3%A9.example`);
      expect((exact.body!.domainSearchResults as J[]).map((d) => d.unicodeName)).toEqual(['café.example']);
      const few = await rdap(`${base}domains?name=li*`);
      expect((few.body!.domainSearchResults as J[]).map((d) => d.ldhName)).toEqual(['life.example']);
      expect((few.body!.notices as J[]).map((n) => n.title)).toEqual(['Terms of Use', 'Status Codes', 'RDDS Inaccuracy Complaint Form']);
      const byNs = await rdap(`${base}domains?nsLdhName=ns1.dns-provider.net`);
      expect((byNs.body!.domainSearchResults as J[]).map((d) => d.ldhName)).toEqual(['life.example', 'shop.open']);
      const byNsPrefix = await rdap(`${base}domains?nsLdhName=ns1*.life.example`);
      expect((byNsPrefix.body!.domainSearchResults as J[]).map((d) => d.ldhName)).toEqual(['life.example']);
      const byIp = await rdap(`${base}domains?nsIp=2a01:4f8:0::53`);
      expect((byIp.body!.domainSearchResults as J[]).map((d) => d.ldhName)).toEqual(['life.example']);
      const hosts = await rdap(`${base}nameservers?name=ns1*`);
      expect((hosts.body!.nameserverSearchResults as J[]).map((n) => n.ldhName)).toEqual(['ns1.dns-provider.net', 'ns1.life.example']);
      const hostsByIp = await rdap(`${base}nameservers?ip=81.2.69.53`);
      expect((hostsByIp.body!.nameserverSearchResults as J[]).map((n) => n.ldhName)).toEqual(['ns1.life.example']);
      const regs = await rdap(`${base}entities?fn=registrar*`);
      expect((regs.body!.entitySearchResults as J[]).map((e) => e.handle)).toEqual(['1234', 'reg-b']);
      const regByHandle = await rdap(`${base}entities?handle=1234`);
      expect((regByHandle.body!.entitySearchResults as J[]).map((e) => e.vcardArray[1][1][3])).toEqual(['Registrar reg-a']);
      // "%" and "_" are not wildcards here.
      expect(((await rdap(`${base}domains?name=s_arch*`)).status)).toBe(400);
    });

    it('publishes an open zone unredacted, except what the contact withheld', async () => {
      const res = await rdap(`${base}domain/shop.open`);
      const owner = entityWithRole(res.body!, 'registrant');
      expect(owner.handle).toBe(roid['open-owner']);
      expect(card(owner, 'fn')).toEqual([['fn', {}, 'text', 'Otto Open']]);
      expect(card(owner, 'adr')).toEqual([['adr', { cc: 'DE' }, 'text', ['', '', '3 Open Rd', 'Capital City', '', '10001', '']]]);
      expect(card(owner, 'email')).toEqual([]);
      expect((res.body!.redacted as J[]).map((r) => r.name.type)).toEqual(['Registrant Email']);
    });
  });

  describe('freshness', () => {
    /** Polls until `check` passes; fails if that takes a second or more (the bound). */
    const withinASecond = async (check: () => Promise<void>) => {
      const started = Date.now();
      await expect.poll(async () => { try { await check(); return true; } catch { return false; } }, { timeout: 1000, interval: 20 }).toBe(true);
      return Date.now() - started;
    };

    it('shows an EPP change over RDAP and WHOIS within one second', async () => {
      // Warm the caches first: the point is that they are invalidated.
      await rdap(`${base}domain/life.example`);
      await whoisRaw(whoisPort, 'life.example');
      expect(resultCode(await a.request(domainUpdateXml('life.example', { addStatus: ['clientHold', 'clientTransferProhibited'] })))).toBe(1000);
      await withinASecond(async () => {
        expect((await rdap(`${base}domain/life.example`)).body!.status).toEqual(['client hold', 'client transfer prohibited', 'add period']);
      });
      await withinASecond(async () => {
        expect(whoisFields(await whoisRaw(whoisPort, 'life.example')).get('Domain Status')).toEqual(['clientHold https://icann.org/epp#clientHold', 'clientTransferProhibited https://icann.org/epp#clientTransferProhibited', 'addPeriod https://icann.org/epp#addPeriod']);
      });
      // A contact change reaches every domain that shows the contact.
      expect(resultCode(await a.request(contactUpdateXml('tech-a', { email: 'theo.new@tech.example' })))).toBe(1000);
      await withinASecond(async () => {
        expect(card(entityWithRole((await rdap(`${base}domain/life.example`)).body!, 'technical'), 'email')).toEqual([['email', {}, 'text', 'theo.new@tech.example']]);
      });
      // Withdrawn consent is honoured at once.
      expect(resultCode(await a.request(contactUpdateXml('tech-a', { disclose: { flag: true, fields: ['voice'] } })))).toBe(1000);
      await withinASecond(async () => {
        const tech = entityWithRole((await rdap(`${base}domain/life.example`)).body!, 'technical');
        expect(card(tech, 'fn')).toEqual([['fn', {}, 'text', '']]);
        expect(card(tech, 'email')).toEqual([]);
      });
    });

    it('shows a host change on the name server and its linked status', async () => {
      await rdap(`${base}nameserver/ns1.dns-provider.net`);
      expect(resultCode(await a.request(domainUpdateXml('shop.open', { remNs: ['ns1.dns-provider.net'] })))).toBe(1000);
      expect(resultCode(await a.request(domainUpdateXml('life.example', { remNs: ['ns1.dns-provider.net'] })))).toBe(1000);
      await withinASecond(async () => {
        expect((await rdap(`${base}nameserver/ns1.dns-provider.net`)).body!.status).toEqual(['active']);
      });
    });

    it('shows a create after a "not found" was cached, and a delete', async () => {
      expect((await rdap(`${base}domain/fresh.example`)).status).toBe(404);
      expect(await whoisRaw(whoisPort, 'fresh.example')).toMatch(/^No match/);
      expect(resultCode(await a.request(domainCreateXml({ name: 'fresh.example', registrant: 'owner-a', pw: 'Fresh-Pass-123' })))).toBe(1000);
      await withinASecond(async () => { expect((await rdap(`${base}domain/fresh.example`)).status).toBe(200); });
      await withinASecond(async () => { expect(await whoisRaw(whoisPort, 'fresh.example')).toContain('Domain Name: fresh.example'); });
      expect(resultCode(await a.request(deleteXml('domain', 'fresh.example')))).toBe(1000);
      await withinASecond(async () => { expect((await rdap(`${base}domain/fresh.example`)).status).toBe(404); });
    });

    it('shows a transfer request as "pending transfer"', async () => {
      now = new Date('2026-06-01T00:00:00.000Z');
      const req = `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${NS.epp}"><command><transfer op="request"><domain:transfer xmlns:domain="${NS.domain}"><domain:name>search1.example</domain:name><domain:authInfo><domain:pw>Search-Pass-1</domain:pw></domain:authInfo></domain:transfer></transfer></command></epp>`;
      await rdap(`${base}domain/search1.example`);
      expect(resultCode(await b.request(req))).toBe(1001);
      await withinASecond(async () => {
        expect((await rdap(`${base}domain/search1.example`)).body!.status).toEqual(['pending transfer', 'inactive']);
      });
    });

    it('shows registrar data and zone policy changes within one second', async () => {
      await setRegistrarRddsData(h.t.db.primary, 'reg-a', { abuseEmail: 'abuse2@rega.example' });
      await withinASecond(async () => {
        expect(whoisFields(await whoisRaw(whoisPort, 'life.example')).get('Registrar Abuse Contact Email')).toEqual(['abuse2@rega.example']);
      });
      await h.t.db.primary.query(sql`UPDATE zones SET policy = policy || '{"rddsRedaction":"none"}'::jsonb WHERE name = 'example'`);
      await withinASecond(async () => {
        const owner = entityWithRole((await rdap(`${base}domain/life.example`)).body!, 'registrant');
        expect(card(owner, 'fn')).toEqual([['fn', {}, 'text', 'Olga Owner']]);
      });
      await h.t.db.primary.query(sql`UPDATE zones SET policy = policy || '{"rddsRedaction":"personal","rddsContactFormUrl":"https://nic.example/contact?d={domain}&r={role}"}'::jsonb WHERE name = 'example'`);
      await withinASecond(async () => {
        const res = await rdap(`${base}domain/life.example`);
        expect(card(entityWithRole(res.body!, 'registrant'), 'contact-uri')).toEqual([['contact-uri', {}, 'uri', 'https://nic.example/contact?d=life.example&r=registrant']]);
      });
      expect(whoisFields(await whoisRaw(whoisPort, 'life.example')).get('Registrant Email')).toEqual(['https://nic.example/contact?d=life.example&r=registrant']);
    });
  });

  it('counts queries per service, type and status in its metrics', async () => {
    const text = await app.metrics.registry.metrics();
    expect(text).toMatch(/registry_rdds_queries_total\{service="rdap",type="domain",status="200",kind="rdds"\} \d+/);
    expect(text).toMatch(/registry_rdds_queries_total\{service="rdap",type="domains",status="422",kind="rdds"\} \d+/);
    expect(text).toMatch(/registry_rdds_queries_total\{service="whois",type="domain",status="not_found",kind="rdds"\} \d+/);
    expect(text).toMatch(/registry_rdds_timeouts_total\{which="idle",kind="rdds"\} [1-9]/);
    expect(text).toMatch(/registry_cache_hits_total\{cache="rdds_domain",kind="rdds"\} [1-9]/);
    expect(text).toMatch(/registry_rdds_cache_entries\{cache="rdds_domain",kind="rdds"\} [1-9]/);
    expect(text).toContain('registry_rdds_query_duration_seconds_bucket');
    // The EPP info still works as before: RDDS added only triggers and reads.
    expect(tag(await a.request(domainInfoXml('life.example')), 'domain:name')).toBe('life.example');
    void contactCreateXml; void hostCreateXml;
  });

  describe('over TLS (rdds.rdapTls)', () => {
    let tlsApp: RddsApp;
    beforeAll(async () => {
      const config = structuredClone(h.config);
      config.rdds.whoisPort = await freePort();
      config.rdds.rdapPort = await freePort();
      config.rdds.rdapTls = true;
      config.rdds.rdapHost = '127.0.0.1';
      config.rdds.rdapBaseUrl = `https://localhost:${config.rdds.rdapPort}/rdap/`;
      const log = pino({ level: 'warn' }, pino.destination({ dest: join(h.dir, 'rdds-tls.log'), sync: true }));
      tlsApp = await startRddsApp({ config, log });
    });
    afterAll(async () => { await tlsApp?.close(1000); });

    it('serves RDAP over HTTPS with the registry server certificate, TLS 1.2 or later only', async () => {
      const agent = new Agent({ connect: { ca: readFileSync(h.config.epp.caCertFile), servername: 'localhost' } });
      const url = `https://127.0.0.1:${tlsApp.rdap.port}/rdap/domain/life.example`;
      const res = await rdap(url, { dispatcher: agent });
      expect(res.status).toBe(200);
      expect((res.body!.links as J[])[0]!.href).toBe(`https://localhost:${tlsApp.rdap.port}/rdap/domain/life.example`);
      await agent.close();
      const old = new Agent({ connect: { ca: readFileSync(h.config.epp.caCertFile), servername: 'localhost', maxVersion: 'TLSv1.1', minVersion: 'TLSv1' } });
      await expect(rdap(url, { dispatcher: old })).rejects.toThrow();
      await old.close();
    });
  });

  describe('rate limits', () => {
    let limited: RddsApp;
    let clock = 0;
    let lBase: string;
    let lWhois: number;

    beforeAll(async () => {
      const config = structuredClone(h.config);
      config.rdds.whoisPort = lWhois = await freePort();
      config.rdds.rdapPort = await freePort();
      config.rdds.rateLimitExempt = [];
      config.rdds.rdapRateLimitPerMinute = 60;
      config.rdds.rdapRateLimitBurst = 3;
      config.rdds.whoisRateLimitPerMinute = 30;
      config.rdds.whoisRateLimitBurst = 2;
      const log = pino({ level: 'warn' }, pino.destination({ dest: join(h.dir, 'rdds-limited.log'), sync: true }));
      limited = await startRddsApp({ config, log, limiterClock: () => clock });
      lBase = limited.rdapBaseUrl;
    });
    afterAll(async () => { await limited?.close(1000); });

    it('answers RDAP over the budget with 429 and Retry-After, and again once the budget refills', async () => {
      for (let i = 0; i < 3; i++) expect((await rdap(`${lBase}domain/life.example`)).status).toBe(200);
      const over = await rdap(`${lBase}domain/life.example`);
      expect(over.status).toBe(429);
      expect(over.headers['retry-after']).toBe('1');
      expect(over.body!.errorCode).toBe(429);
      expect(over.headers['access-control-allow-origin']).toBe('*');
      expect((await rdap(`${lBase}domain/life.example`, { method: 'HEAD' })).status).toBe(429);
      clock += 1000;
      expect((await rdap(`${lBase}domain/life.example`)).status).toBe(200);
      // A search costs more than a lookup (at most the whole burst): it needs a full budget.
      clock += 2000;
      expect((await rdap(`${lBase}domains?name=li*`)).status).toBe(429);
      clock += 1000;
      expect((await rdap(`${lBase}domains?name=li*`)).status).toBe(200);
      const search = await rdap(`${lBase}domains?name=li*`);
      expect(search.status).toBe(429);
      expect(search.headers['retry-after']).toBe('3');
    });

    it('refuses WHOIS over the budget with a clear line', async () => {
      expect(await whoisRaw(lWhois, 'life.example')).toContain('Domain Name: life.example');
      expect(await whoisRaw(lWhois, 'life.example')).toContain('Domain Name: life.example');
      const refused = await whoisRaw(lWhois, 'life.example');
      expect(refused).toMatch(/^Query rate limit exceeded for 127\.0\.0\.1: at most 30 queries per minute\. Try again in 2 seconds\.\r\n/);
      expect(refused).not.toContain('Domain Name');
      expect(await whoisCli(lWhois, 'life.example')).toContain('Query rate limit exceeded');
      clock += 10_000;
      expect(await whoisRaw(lWhois, 'life.example')).toContain('Domain Name: life.example');
      expect(await limited.metrics.registry.metrics()).toMatch(/registry_rdds_queries_total\{service="whois",type="invalid",status="rate_limited",kind="rdds"\} [1-9]/);
    });
  });
});
