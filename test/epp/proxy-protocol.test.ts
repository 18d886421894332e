/**
 * EPP behind a TCP proxy that sends a PROXY protocol header (src/epp/proxy-protocol.ts and the
 * intake in src/epp/server.ts): the header's source address is the registrar's for the
 * allow-lists and the audit log; a trusted proxy's connection without a valid header is closed;
 * everyone else connects as before. The proxy is a real haproxy with `send-proxy-v2`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { join } from 'node:path';
import { Command, INETProtocol, IPv4Address, IPv4ProxyAddress, IPv6Address, IPv6ProxyAddress, Peer, TransportProtocol, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addIp, removeIp } from '../../src/admin/registrars.js';
import { EppClient, loginXml, resultCode } from '../../src/epp/client.js';
import { scanProxyHeader } from '../../src/epp/proxy-protocol.js';
import { sql } from '../../src/db/pool.js';
import { NS } from '../../src/xml/namespaces.js';
import { PASSWORDS, startHarness, type Harness } from '../helpers/harness.js';

const v2 = (src: string, cmd = Command.PROXY) => Buffer.from(new V2ProxyProtocol(cmd, TransportProtocol.STREAM, src.includes(':')
  ? new IPv6ProxyAddress(IPv6Address.createFrom(ipaddr.parse(src).toByteArray()), 4000, IPv6Address.createFrom(new Array(16).fill(0)), 700)
  : new IPv4ProxyAddress(IPv4Address.createFrom(src.split('.').map(Number)), 4000, IPv4Address.createFrom([10, 0, 0, 1]), 700)).build());
const v1 = (src: string) => Buffer.from(new V1ProxyProtocol(src.includes(':') ? INETProtocol.TCP6 : INETProtocol.TCP4, new Peer(src, 4000), new Peer(src.includes(':') ? '2001:db8::1' : '10.0.0.1', 700)).build(), 'latin1');

describe('scanProxyHeader', () => {
  it('reads the source of v1 and v2 headers, IPv4 and IPv6, and where the header ends', () => {
    const tail = Buffer.from([0x16, 0x03, 0x01]);
    for (const [h, source] of [[v1('192.0.2.7'), '192.0.2.7'], [v1('2001:db8::7'), '2001:db8::7'], [v2('192.0.2.7'), '192.0.2.7'], [v2('2001:0db8:0000:0000:0000:0000:0000:0007'), '2001:db8::7']] as const) {
      expect(scanProxyHeader(Buffer.concat([h, tail]))).toEqual({ length: h.length, source });
    }
  });

  it('asks for more bytes until the header is complete, at every split', () => {
    for (const h of [v1('192.0.2.7'), v2('192.0.2.7')]) {
      for (let i = 0; i < h.length; i++) expect(scanProxyHeader(h.subarray(0, i))).toEqual({ need: true });
      expect(scanProxyHeader(h)).toMatchObject({ length: h.length });
    }
  });

  it('gives an IPv4-mapped IPv6 source as the IPv4 address, as a direct connection would be recorded', () => {
    const mapped = v2('0000:0000:0000:0000:0000:ffff:c000:0207');
    expect(scanProxyHeader(mapped)).toEqual({ length: mapped.length, source: '192.0.2.7' });
    expect(scanProxyHeader(Buffer.from('PROXY TCP6 ::ffff:192.0.2.7 2001:db8::1 1 700\r\n'))).toMatchObject({ source: '192.0.2.7' });
  });

  it('gives no source for v2 LOCAL and v1 UNKNOWN (the proxy speaking for itself)', () => {
    const local = v2('192.0.2.7', Command.LOCAL);
    expect(scanProxyHeader(local)).toEqual({ length: local.length });
    expect(scanProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toEqual({ length: 15 });
  });

  it('refuses what is not a header: a TLS ClientHello, a v1 line without CRLF, a bad address, a wrong version', () => {
    expect(scanProxyHeader(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))).toHaveProperty('error');
    expect(scanProxyHeader(Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`))).toHaveProperty('error');
    expect(scanProxyHeader(Buffer.from('PROXY TCP4 999.1.1.1 10.0.0.1 1 700\r\n'))).toHaveProperty('error');
    expect(scanProxyHeader(Buffer.from("PROXY TCP4 1.1.1.1' OR 1=1 10.0.0.1 1 700\r\n"))).toHaveProperty('error');
    // Forms ipaddr.js would read but an inet column would not (or differently): refused.
    for (const odd of ['127.1', '2130706433', '010.0.0.1']) expect(scanProxyHeader(Buffer.from(`PROXY TCP4 ${odd} 10.0.0.1 1 700\r\n`))).toHaveProperty('error');
    const wrong = Buffer.from(v2('192.0.2.7'));
    wrong[12] = 0x31;
    expect(scanProxyHeader(wrong)).toHaveProperty('error');
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('EPP behind a proxy that sends PROXY protocol headers', () => {
  let h: Harness;
  let haproxy: ChildProcess;
  let proxyPort: number;
  const login = (clID: string) => loginXml({ clID, pw: PASSWORDS[clID]!, objURIs: [NS.domain], extURIs: [] });

  beforeAll(async () => {
    // The proxy (haproxy, and the hand-written headers below) connects from 127.0.0.1; the
    // registrars are on 127.0.0.9 and 127.0.0.10.
    h = await startHarness({ tweak: (c) => { c.epp.proxyProtocolFrom = ['127.0.0.1/32']; } });
    for (const clID of ['reg-a', 'reg-b']) await removeIp(h.t.db.primary, clID, '127.0.0.0/8');
    await addIp(h.t.db.primary, 'reg-a', '127.0.0.9/32');
    await addIp(h.t.db.primary, 'reg-b', '127.0.0.10/32');
    // The proxy's own address is listed too, so a connection from it without a header is closed
    // for the missing header, not for its address.
    await addIp(h.t.db.primary, 'reg-b', '127.0.0.1/32');
    proxyPort = await freePort();
    const cfg = join(h.dir, 'haproxy.cfg');
    writeFileSync(cfg, [
      'global', '  maxconn 100',
      'defaults', '  mode tcp', '  timeout connect 2s', '  timeout client 30s', '  timeout server 30s',
      'frontend epp', `  bind 127.0.0.1:${proxyPort}`, '  default_backend nodes',
      'backend nodes', `  server a 127.0.0.1:${h.app.server.port} send-proxy-v2`, '',
    ].join('\n'));
    haproxy = spawn('/usr/sbin/haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Until haproxy accepts (it binds within milliseconds; 10 s is the give-up).
    for (let i = 0; ; i++) {
      const up = await new Promise<boolean>((r) => {
        const s = net.connect(proxyPort, '127.0.0.1');
        s.once('connect', () => { s.destroy(); r(true); });
        s.once('error', () => r(false));
      });
      if (up) break;
      if (i > 100 || haproxy.exitCode !== null) throw new Error('haproxy did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    haproxy?.kill();
    await h?.close();
  });

  it('through haproxy: the registrar\'s own address is screened, logs in and is audited', async () => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: proxyPort, rejectUnauthorized: false, localAddress: '127.0.0.9' });
    expect(c.greeting).toContain('<greeting>');
    const res = await c.request(loginXml({ clID: 'reg-a', pw: PASSWORDS['reg-a']!, objURIs: [NS.domain], extURIs: [], clTRID: 'PROXIED-1' }));
    expect(resultCode(res)).toBe(1000);
    await c.close();
    await h.app.engine.flushAudit();
    const rows = await h.t.db.primary.query(sql`SELECT host(client_ip) AS ip FROM audit_log WHERE cl_trid = 'PROXIED-1'`);
    expect(rows.map((r) => r.ip)).toEqual(['127.0.0.9']);
  });

  it('through haproxy: another registrar\'s address is refused at login, an unlisted one before TLS', async () => {
    const b = await EppClient.connect({ host: '127.0.0.1', port: proxyPort, rejectUnauthorized: false, localAddress: '127.0.0.10' });
    expect(resultCode(await b.request(login('reg-a')))).toBe(2200);
    await b.close();
    await expect(EppClient.connect({ host: '127.0.0.1', port: proxyPort, rejectUnauthorized: false, localAddress: '127.0.0.11', timeoutMs: 3000 })).rejects.toThrow();
  });

  it('from the trusted proxy: a v1 header with TLS behind it in the same packet works; no header, or garbage, is closed', async () => {
    const raw = net.connect({ host: '127.0.0.1', port: h.app.server.port });
    await new Promise((r) => raw.once('connect', r));
    raw.write(v1('127.0.0.9'));
    const c = await EppClient.connect({ host: '127.0.0.1', port: 0, socket: raw, rejectUnauthorized: false });
    expect(resultCode(await c.request(login('reg-a')))).toBe(1000);
    await c.close();
    // Straight from 127.0.0.1 (the proxy's address) without a header: closed, never greeted.
    await expect(EppClient.connect({ host: '127.0.0.1', port: h.app.server.port, rejectUnauthorized: false, timeoutMs: 3000 })).rejects.toThrow();
    const junk = net.connect({ host: '127.0.0.1', port: h.app.server.port });
    await new Promise((r) => junk.once('connect', r));
    junk.write('PROXY TCP4 not-an-address 10.0.0.1 1 700\r\n');
    await new Promise((r) => junk.once('close', r));
  });

  it('from anywhere else: no header is expected (a header there is not trusted)', async () => {
    const c = await EppClient.connect({ host: '127.0.0.1', port: h.app.server.port, rejectUnauthorized: false, localAddress: '127.0.0.9' });
    expect(resultCode(await c.request(login('reg-a')))).toBe(1000);
    await c.close();
    const spoof = net.connect({ host: '127.0.0.1', port: h.app.server.port, localAddress: '127.0.0.10' });
    await new Promise((r) => spoof.once('connect', r));
    spoof.write(v1('127.0.0.9'));
    // Its "header" goes to TLS as the first bytes of a handshake, which fails: closed.
    await new Promise((r) => spoof.once('close', r));
  });
});
