/** A small EPP client over TLS (RFC 5734 framing): for monitoring probes, the load generator and tests. */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { NS } from '../xml/namespaces.js';
import { Deframer, frame } from './framing.js';

export interface EppClientOptions {
  host: string;
  port: number;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Instead of ca/cert/key: a context made once (tls.createSecureContext) and shared by many connections. */
  secureContext?: tls.SecureContext;
  servername?: string;
  /** Verify the server certificate (default true; set false only for tests and benches). */
  rejectUnauthorized?: boolean;
  localAddress?: string;
  /** A connected socket to run TLS over instead of connecting to host:port (e.g. after a PROXY protocol header). */
  socket?: Socket;
  /** Give up if no greeting arrives within this time (default 10 s). */
  timeoutMs?: number;
  /** Fail a request with no response within this time and drop the connection (default none). */
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
}

export class EppClient {
  greeting = '';
  /** Called for every frame received (after the greeting) in addition to resolving requests. */
  onFrame: ((xml: string) => void) | undefined;
  private readonly pending: { resolve: (x: string) => void; reject: (e: Error) => void }[] = [];
  private readonly deframer: Deframer;
  private closedErr: Error | undefined;
  readonly closed: Promise<void>;

  private requestTimeoutMs: number | undefined;

  private constructor(readonly socket: tls.TLSSocket, maxFrame: number) {
    this.deframer = new Deframer(maxFrame);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(o: EppClientOptions): Promise<EppClient> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: o.host, port: o.port, servername: o.servername ?? 'localhost',
        ...(o.secureContext ? { secureContext: o.secureContext } : {}),
        ...(o.ca ? { ca: o.ca } : {}), ...(o.cert ? { cert: o.cert, key: o.key } : {}),
        rejectUnauthorized: o.rejectUnauthorized ?? true,
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        ...(o.socket ? { socket: o.socket } : {}),
        minVersion: 'TLSv1.2',
      });
      const client = new EppClient(socket, o.maxFrameBytes ?? 16 * 1024 * 1024);
      client.requestTimeoutMs = o.requestTimeoutMs;
      let greeted = false;
      const timer = setTimeout(() => { socket.destroy(); reject(new Error('no greeting')); }, o.timeoutMs ?? 10_000);
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        for (const ev of client.deframer.push(chunk)) {
          if (ev.kind === 'error') { socket.destroy(new Error(`bad frame from server: ${ev.reason}`)); return; }
          const xml = ev.payload.toString('utf8');
          if (!greeted) { greeted = true; clearTimeout(timer); client.greeting = xml; resolve(client); continue; }
          client.onFrame?.(xml);
          client.pending.shift()?.resolve(xml);
        }
      });
      socket.on('error', (err) => { client.closedErr = err; if (!greeted) { clearTimeout(timer); reject(err); } });
      socket.on('close', () => {
        if (!greeted) { clearTimeout(timer); reject(client.closedErr ?? new Error('connection closed before the greeting')); }
        const err = client.closedErr ?? new Error('connection closed');
        for (const p of client.pending.splice(0)) p.reject(err);
      });
    });
  }

  get isClosedNow(): boolean { return this.socket.destroyed; }

  /**
   * Sends one command and resolves with its response (responses come in order, RFC 5734 §3).
   * On a timeout the connection is dropped: later responses could no longer be matched.
   */
  request(xml: string, o: { timeoutMs?: number } = {}): Promise<string> {
    if (this.socket.destroyed) return Promise.reject(this.closedErr ?? new Error('connection closed'));
    const limit = o.timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = <T>(f: (v: T) => void) => (v: T) => { if (timer) clearTimeout(timer); f(v); };
      this.pending.push({ resolve: done(resolve), reject: done(reject) });
      if (limit) timer = setTimeout(() => { this.closedErr = new Error(`no response within ${limit} ms`); this.socket.destroy(); }, limit);
      this.socket.write(frame(xml));
    });
  }

  sendRaw(bytes: Buffer): void { this.socket.write(bytes); }

  destroy(): void { this.socket.destroy(); }

  async close(): Promise<void> {
    if (!this.socket.destroyed) this.socket.end();
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 1000))]);
    this.socket.destroy();
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';
const trid = (clTRID?: string) => (clTRID ? `<clTRID>${esc(clTRID)}</clTRID>` : '');

export function helloXml(): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><hello/></epp>`;
}

export function loginXml(o: { clID: string; pw: string; newPW?: string; clTRID?: string; objURIs: string[]; extURIs?: string[] }): string {
  const ext = o.extURIs?.length ? `<svcExtension>${o.extURIs.map((u) => `<extURI>${esc(u)}</extURI>`).join('')}</svcExtension>` : '';
  return `${HEAD}<epp xmlns="${NS.epp}"><command><login><clID>${esc(o.clID)}</clID><pw>${esc(o.pw)}</pw>` +
    (o.newPW !== undefined ? `<newPW>${esc(o.newPW)}</newPW>` : '') +
    `<options><version>1.0</version><lang>en</lang></options><svcs>${o.objURIs.map((u) => `<objURI>${esc(u)}</objURI>`).join('')}${ext}</svcs></login>${trid(o.clTRID)}</command></epp>`;
}

export function logoutXml(clTRID?: string): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><command><logout/>${trid(clTRID)}</command></epp>`;
}

/** Wraps an object command body (e.g. `<domain:check …>…</domain:check>`) in <command><verb>. */
export function commandXml(verb: string, body: string, clTRID?: string, extension?: string): string {
  return `${HEAD}<epp xmlns="${NS.epp}"><command><${verb}>${body}</${verb}>${extension ? `<extension>${extension}</extension>` : ''}${trid(clTRID)}</command></epp>`;
}

export function domainCheckXml(names: string[], clTRID?: string): string {
  return commandXml('check', `<domain:check xmlns:domain="${NS.domain}">${names.map((n) => `<domain:name>${esc(n)}</domain:name>`).join('')}</domain:check>`, clTRID);
}

export function domainInfoXml(name: string, clTRID?: string, pw?: string): string {
  return commandXml('info', `<domain:info xmlns:domain="${NS.domain}"><domain:name>${esc(name)}</domain:name>${pw !== undefined ? `<domain:authInfo><domain:pw>${esc(pw)}</domain:pw></domain:authInfo>` : ''}</domain:info>`, clTRID);
}

export function domainCreateXml(o: { name: string; years?: number; ns?: string[]; registrant?: string; contacts?: { type: string; id: string }[]; pw?: string; clTRID?: string }): string {
  const ns = o.ns?.length ? `<domain:ns>${o.ns.map((h) => `<domain:hostObj>${esc(h)}</domain:hostObj>`).join('')}</domain:ns>` : '';
  return commandXml('create', `<domain:create xmlns:domain="${NS.domain}"><domain:name>${esc(o.name)}</domain:name>` +
    (o.years ? `<domain:period unit="y">${o.years}</domain:period>` : '') + ns +
    (o.registrant ? `<domain:registrant>${esc(o.registrant)}</domain:registrant>` : '') +
    (o.contacts ?? []).map((c) => `<domain:contact type="${esc(c.type)}">${esc(c.id)}</domain:contact>`).join('') +
    `<domain:authInfo><domain:pw>${esc(o.pw ?? '')}</domain:pw></domain:authInfo></domain:create>`, o.clTRID);
}

export function contactCreateXml(o: { id: string; name?: string; email?: string; pw?: string; clTRID?: string }): string {
  return commandXml('create', `<contact:create xmlns:contact="${NS.contact}"><contact:id>${esc(o.id)}</contact:id>` +
    `<contact:postalInfo type="int"><contact:name>${esc(o.name ?? 'John Doe')}</contact:name><contact:addr><contact:street>1 Main St</contact:street>` +
    `<contact:city>Springfield</contact:city><contact:cc>US</contact:cc></contact:addr></contact:postalInfo>` +
    `<contact:voice>+1.5555550100</contact:voice><contact:email>${esc(o.email ?? 'jdoe@example.net')}</contact:email>` +
    `<contact:authInfo><contact:pw>${esc(o.pw ?? 'Contact-pw-1')}</contact:pw></contact:authInfo></contact:create>`, o.clTRID);
}

export function hostCreateXml(o: { name: string; addrs?: { ip: string; v?: 'v4' | 'v6' }[]; clTRID?: string }): string {
  return commandXml('create', `<host:create xmlns:host="${NS.host}"><host:name>${esc(o.name)}</host:name>` +
    (o.addrs ?? []).map((a) => `<host:addr ip="${a.v ?? 'v4'}">${esc(a.ip)}</host:addr>`).join('') + `</host:create>`, o.clTRID);
}

export function resultMessage(xml: string): string | undefined {
  return /<msg(?: [^>]*)?>([^<]*)<\/msg>/.exec(xml)?.[1];
}

/** The first result code of a response (0 for a greeting). */
export function resultCode(xml: string): number {
  const m = /<result code="(\d{4})"/.exec(xml);
  return m ? Number(m[1]) : 0;
}
