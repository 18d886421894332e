/**
 * The PROXY protocol header (haproxy's proxy-protocol.txt, v1 text and v2 binary) that a TCP
 * proxy in front of the EPP port sends before the client's first byte when configured with
 * `send-proxy` / `send-proxy-v2`: it carries the registrar's own address, which the allow-lists
 * and the failed-login limit need. Only connections from `epp.proxyProtocolFrom` are read this
 * way; there the header is required. Parsing is proxy-protocol-js's; this file finds where the
 * header ends in the byte stream and what the source address is.
 */
import ipaddr from 'ipaddr.js';
import type { Socket } from 'node:net';
import { Command, IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** v1: "a maximum of 107 characters" including the CRLF. */
const V1_MAX = 107;
/** v2: 16 bytes, then the address block and TLVs; haproxy sends well under this. */
const V2_MAX = 16 + 4096;

/** An IPv4-mapped IPv6 source is the IPv4 address, as a direct connection's is recorded. */
function canonical(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  return (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() ? (ip as ipaddr.IPv6).toIPv4Address() : ip).toString();
}

export type HeaderScan =
  | { need: true }
  /** `source` is absent for a LOCAL (v2) or UNKNOWN (v1) header: the proxy speaking for itself. */
  | { length: number; source?: string }
  | { error: string };

/** Looks for a complete header at the start of `buf`; a source comes back in canonical form. */
export function scanProxyHeader(buf: Buffer): HeaderScan {
  const lead = Math.min(buf.length, V2_SIGNATURE.length);
  if (buf.subarray(0, lead).equals(V2_SIGNATURE.subarray(0, lead))) {
    if (buf.length < 16) return { need: true };
    if ((buf[12]! >> 4) !== 2) return { error: 'PROXY v2: unknown version' };
    const length = 16 + buf.readUInt16BE(14);
    if (length > V2_MAX) return { error: 'PROXY v2: header too long' };
    if (buf.length < length) return { need: true };
    let p: V2ProxyProtocol;
    try { p = V2ProxyProtocol.parse(buf.subarray(0, length)); } catch (e) { return { error: `PROXY v2: ${(e as Error).message}` }; }
    if (p.command === Command.LOCAL) return { length };
    const a = p.proxyAddress;
    if (a instanceof IPv4ProxyAddress) return { length, source: a.sourceAddress.address.join('.') };
    if (a instanceof IPv6ProxyAddress) return { length, source: canonical(ipaddr.fromByteArray([...a.sourceAddress.address])) };
    return { error: 'PROXY v2: not a TCP/IP source address' };
  }
  const plead = Math.min(buf.length, V1_PREFIX.length);
  if (buf.subarray(0, plead).equals(V1_PREFIX.subarray(0, plead))) {
    const end = buf.indexOf('\r\n', 0, 'latin1');
    if (end < 0) return buf.length >= V1_MAX ? { error: 'PROXY v1: no CRLF within 107 bytes' } : { need: true };
    if (end + 2 > V1_MAX) return { error: 'PROXY v1: header too long' };
    const line = buf.toString('latin1', 0, end + 2);
    if (/^PROXY UNKNOWN[ \r]/.test(line)) return { length: end + 2 };
    try {
      const p = V1ProxyProtocol.parse(line);
      const text = p.source.ipAddress;
      // Dotted quads and IPv6 only: ipaddr.isValid would also take "127.1", "2130706433" or
      // octal "010.0.0.1", which other parts of the stack (inet columns) read differently.
      if (!(ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text))) return { error: 'PROXY v1: bad source address' };
      return { length: end + 2, source: canonical(ipaddr.parse(text)) };
    } catch (e) {
      return { error: `PROXY v1: ${(e as Error).message}` };
    }
  }
  return { error: 'no PROXY protocol header' };
}

/**
 * Reads the header off a fresh socket and puts back whatever followed it (the TLS ClientHello),
 * so the socket can then be handed to the TLS server. Rejects on a bad or missing header, on
 * close, and after `timeoutMs`.
 */
export function readProxyHeader(socket: Socket, timeoutMs: number): Promise<{ source?: string }> {
  return new Promise((resolve, reject) => {
    let buf: Buffer = Buffer.alloc(0);
    const done = (err: Error | undefined, r?: { source?: string }) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onClose);
      if (err) reject(err); else resolve(r!);
    };
    const onData = (chunk: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      const s = scanProxyHeader(buf);
      if ('need' in s) return;
      if ('error' in s) { done(new Error(s.error)); return; }
      socket.pause();
      if (buf.length > s.length) socket.unshift(buf.subarray(s.length));
      done(undefined, s.source !== undefined ? { source: s.source } : {});
    };
    const onClose = () => done(new Error('closed before a PROXY protocol header'));
    const timer = setTimeout(() => done(new Error('no PROXY protocol header in time')), timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onClose);
  });
}
