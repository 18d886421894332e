/** The EPP session layer over real TLS against a real Postgres (RFC 5730 §2, RFC 5734). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandXml, EppClient, helloXml, loginXml, logoutXml, domainCheckXml, resultCode, resultMessage } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { startHarness, PASSWORDS, type Harness } from '../helpers/harness.js';
import { assertValidEpp } from '../helpers/schema.js';
import { sql } from '../../src/db/pool.js';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';

const svTrid = (xml: string) => /<svTRID>([^<]+)<\/svTRID>/.exec(xml)?.[1];
const clTrid = (xml: string) => /<clTRID>([^<]+)<\/clTRID>/.exec(xml)?.[1];

describe('EPP session layer', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });

  it('greets on connect with only the services actually served', async () => {
    const c = await h.connect();
    const g = c.greeting;
    expect(g).toContain('<greeting>');
    const served = [...g.matchAll(/<objURI>([^<]+)<\/objURI>/g)].map((m) => m[1]);
    expect(served.sort()).toEqual([NS.contact, NS.domain, NS.host].sort());
    expect(g).toContain(`<svcExtension><extURI>${NS.allocationToken}</extURI><extURI>${NS.fee}</extURI><extURI>${NS.rgp}</extURI><extURI>${NS.secDNS}</extURI></svcExtension>`);
    expect(g).toMatch(/<version>1\.0<\/version><lang>en<\/lang>/);
    const svDate = new Date(/<svDate>([^<]+)<\/svDate>/.exec(g)![1]!);
    expect(Math.abs(svDate.getTime() - Date.now())).toBeLessThan(30_000);
    expect(g).toContain('<dcp>');
    await c.close();
  });

  it('speaks TLS 1.3, and TLS 1.2 only with forward-secret AEAD suites (RFC 9325), over an ECDSA P-256 certificate', async () => {
    const ca = readFileSync(h.config.epp.caCertFile);
    const attempt = (o: tls.ConnectionOptions) => new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: h.app.server.port, ca, servername: 'localhost', ...o }, () => {
        const got = `${s.getProtocol()} ${s.getCipher().name} ${s.getPeerX509Certificate()?.publicKey.asymmetricKeyDetails?.namedCurve}`;
        s.destroy();
        resolve(got);
      });
      s.on('error', () => resolve('refused'));
    });
    expect(await attempt({})).toMatch(/^TLSv1\.3 TLS_\w+ prime256v1$/);
    expect(await attempt({ maxVersion: 'TLSv1.2' })).toMatch(/^TLSv1\.2 ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305) prime256v1$/);
    expect(await attempt({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA' })).toBe('refused');
  });

  it('answers <hello> with a greeting', async () => {
    const c = await h.connect();
    const res = await c.request(helloXml());
    expect(res).toContain('<greeting>');
    await c.close();
  });

  it('refuses commands before login with 2002 and echoes clTRID', async () => {
    const c = await h.connect();
    const res = await c.request(domainCheckXml(['a.example'], 'ABC-123'));
    expect(resultCode(res)).toBe(2002);
    expect(clTrid(res)).toBe('ABC-123');
    expect(svTrid(res)).toBeTruthy();
    await c.close();
  });

  it('logs in, refuses a second login (2002), serves commands with unique svTRIDs, logs out with 1500 and closes', async () => {
    const c = await h.login('reg-a');
    expect(resultCode(await c.request(loginXml({ clID: 'reg-a', pw: PASSWORDS['reg-a']!, objURIs: [NS.domain], extURIs: [] })))).toBe(2002);
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await c.request(domainCheckXml(['free.example'], `T-${i}`));
      expect(resultCode(res)).toBe(1000);
      expect(clTrid(res)).toBe(`T-${i}`);
      ids.add(svTrid(res)!);
    }
    expect(ids.size).toBe(5);
    const closed = new Promise<void>((r) => c.raw.socket.once('close', () => r()));
    const bye = await c.request(logoutXml('BYE-1'));
    expect(resultCode(bye)).toBe(1500);
    expect(bye).toContain('Command completed successfully; ending session');
    await closed;
  });

  it('refuses version 2.0 (2100), lang fr (2102), an unknown objURI (2307) and extURI (2103)', async () => {
    const c = await h.connect();
    const base = loginXml({ clID: 'reg-a', pw: PASSWORDS['reg-a']!, objURIs: [NS.domain], extURIs: [] });
    expect(resultCode(await c.request(base.replace('<version>1.0</version>', '<version>2.0</version>')))).toBe(2100);
    expect(resultCode(await c.request(base.replace('<lang>en</lang>', '<lang>fr</lang>')))).toBe(2102);
    expect(resultCode(await c.request(loginXml({ clID: 'reg-a', pw: PASSWORDS['reg-a']!, objURIs: ['urn:example:unknown-1.0'], extURIs: [] })))).toBe(2307);
    expect(resultCode(await c.request(loginXml({ clID: 'reg-a', pw: PASSWORDS['reg-a']!, objURIs: [NS.domain], extURIs: ['urn:example:ext-1.0'] })))).toBe(2103);
    await c.close();
  });

  it('answers a command on an object service not requested at login with 2307', async () => {
    const c = await h.login('reg-a', { objURIs: [NS.domain] });
    expect(resultCode(await c.request(domainCheckXml(['x.example'])))).toBe(1000);
    const res = await c.request(`<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${NS.epp}"><command><check><host:check xmlns:host="${NS.host}"><host:name>ns1.example</host:name></host:check></check><clTRID>H-1</clTRID></command></epp>`);
    expect(resultCode(res)).toBe(2307);
    await c.close();
  });

  it('answers an extension not announced at login with 2103, and one announced but not for this command too', async () => {
    const ds = `<secDNS:create xmlns:secDNS="${NS.secDNS}"><secDNS:dsData><secDNS:keyTag>1</secDNS:keyTag><secDNS:alg>13</secDNS:alg><secDNS:digestType>2</secDNS:digestType><secDNS:digest>${'ab'.repeat(32)}</secDNS:digest></secDNS:dsData></secDNS:create>`;
    const check = commandXml('check', `<domain:check xmlns:domain="${NS.domain}"><domain:name>x.example</domain:name></domain:check>`, 'EXT-1', ds);
    const plain = await h.login('reg-a', { objURIs: [NS.domain] });
    const res = await plain.request(check);
    expect(resultCode(res)).toBe(2103);
    expect(clTrid(res)).toBe('EXT-1');
    await plain.close();
    const withExt = await h.login('reg-a', { objURIs: [NS.domain], extURIs: [NS.secDNS] });
    expect(resultCode(await withExt.request(check))).toBe(2103);
    await withExt.close();
  });

  it('answers malformed XML with 2001 and keeps the session open', async () => {
    const c = await h.connect();
    const res = await c.request('<epp><command><unclosed></epp>');
    expect(resultCode(res)).toBe(2001);
    expect(res).toContain('<extValue>');
    expect(resultCode(await c.request(helloXml()) ) || 0).toBe(0); // a greeting has no result
    await c.close();
  });

  it('maps schema violations to 2003/2004/2005/2001 with an extValue naming the element', async () => {
    const c = await h.connect();
    // clID of 2 characters: below the minimum length → range (2004)
    const short = await c.request(loginXml({ clID: 'ab', pw: 'whatever1', objURIs: [NS.domain], extURIs: [] }));
    expect(resultCode(short)).toBe(2004);
    expect(short).toMatch(/<value><v:clID xmlns:v="urn:ietf:params:xml:ns:epp-1.0">ab<\/v:clID><\/value>/);
    // missing <pw>: required parameter missing (2003)
    const missing = await c.request(`<?xml version="1.0"?><epp xmlns="${NS.epp}"><command><login><clID>reg-a</clID><options><version>1.0</version><lang>en</lang></options><svcs><objURI>${NS.domain}</objURI></svcs></login></command></epp>`);
    expect(resultCode(missing)).toBe(2003);
    // a command element EPP does not define: unknown command (RFC 5730 §3: 2000), clTRID echoed
    const unknown = await c.request(`<?xml version="1.0"?><epp xmlns="${NS.epp}"><command><frobnicate/><clTRID>UNK-1</clTRID></command></epp>`);
    expect(resultCode(unknown)).toBe(2000);
    expect(resultMessage(unknown)).toBe('Unknown command');
    expect(clTrid(unknown)).toBe('UNK-1');
    expect(svTrid(unknown)).toBeTruthy();
    // the session survives schema errors
    expect(resultCode(await c.request(helloXml()))).toBe(0);
    await c.close();
  });

  it('refuses DOCTYPE, entities (XXE, billion laughs) and processing instructions with 2001, changing nothing', async () => {
    const c = await h.connect();
    const xxe = `<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY x SYSTEM "file:///etc/passwd">]><epp xmlns="${NS.epp}"><hello/></epp>`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><epp xmlns="${NS.epp}"><hello/></epp>`;
    const pi = `<?xml version="1.0"?><?xml-stylesheet href="x"?><epp xmlns="${NS.epp}"><hello/></epp>`;
    for (const doc of [xxe, laughs, pi]) {
      const res = await c.request(doc);
      expect(resultCode(res)).toBe(2001);
      expect(res).not.toContain('root:');
    }
    await c.close();
  });

  it.each([
    ['a zero length', 0],
    ['a length below 5', 4],
    ['a length above the maximum', 65_537],
  ])('answers 2500 and closes the connection on %s', async (_what, len) => {
    const c = await h.connect();
    const frames: string[] = [];
    c.raw.onFrame = (x) => { assertValidEpp(x); frames.push(x); };
    const closed = new Promise<void>((r) => c.raw.socket.once('close', () => r()));
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(len);
    c.raw.sendRaw(hdr);
    await closed;
    expect(frames.map(resultCode)).toEqual([2500]);
    expect(resultMessage(frames[0]!)).toBe('Command failed; server closing connection');
  });

  it('handles several frames in one packet and a frame split across packets', async () => {
    const c = await h.connect();
    const one = (x: string) => { const b = Buffer.from(x); const hdr = Buffer.alloc(4); hdr.writeUInt32BE(b.length + 4); return Buffer.concat([hdr, b]); };
    const replies: string[] = [];
    c.raw.onFrame = (x: string) => { assertValidEpp(x); replies.push(x); };
    const packet = Buffer.concat([one(helloXml()), one(helloXml()), one(helloXml())]);
    c.raw.sendRaw(packet.subarray(0, 10));
    await new Promise((r) => setTimeout(r, 20));
    c.raw.sendRaw(packet.subarray(10));
    await expect.poll(() => replies.length, { timeout: 5000 }).toBe(3);
    await c.close();
  });

  it('serves many concurrent sessions', async () => {
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => h.login(i % 2 ? 'reg-a' : 'reg-b')));
    const results = await Promise.all(clients.map((c, i) => c.request(domainCheckXml([`n${i}.example`]))));
    expect(results.map(resultCode)).toEqual(Array(20).fill(1000));
    await Promise.all(clients.map((c) => c.close()));
  });

  it('writes an audit row per command with passwords masked', async () => {
    const c = await h.connect();
    await c.request(loginXml({ clID: 'reg-b', pw: PASSWORDS['reg-b']!, objURIs: [NS.domain], extURIs: [], clTRID: 'AUDIT-1' }));
    await c.close();
    await h.app.engine.flushAudit();
    const rows = await h.t.db.primary.query(sql`SELECT * FROM audit_log WHERE cl_trid = 'AUDIT-1'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].result_code).toBe(1000);
    expect(rows[0].client_id).toBe('reg-b');
    expect(rows[0].request).toContain('<pw>********</pw>');
    expect(rows[0].request).not.toContain(PASSWORDS['reg-b']);
  });
});

describe('EPP session timeouts', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ tweak: (c) => { c.epp.idleTimeoutSeconds = 1; } }); });
  afterAll(async () => { await h.close(); });

  it('closes a session that sends nothing for the idle timeout, and not one that keeps talking', async () => {
    const idle = await h.login('reg-a');
    // Listen at once: the timeout counts from the login's response, not from when we look.
    const t0 = Date.now();
    const idleClosed = new Promise<number>((r) => { if (idle.raw.socket.destroyed) r(0); else idle.raw.socket.once('close', () => r(Date.now() - t0)); });
    const busy = await h.login('reg-b');
    // Keep the busy session active across the idle session's timeout.
    for (let i = 0; i < 6; i++) {
      expect(resultCode(await busy.request(domainCheckXml(['keepalive.example'])))).toBe(1000);
      await new Promise((r) => setTimeout(r, 250));
    }
    const after = await idleClosed;
    expect(after).toBeGreaterThanOrEqual(900);
    expect(after).toBeLessThan(5000);
    expect(busy.raw.socket.destroyed).toBe(false);
    await busy.close();
  });
});
