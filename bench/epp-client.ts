/**
 * A small, self-contained EPP client over TLS (RFC 5734) for the bench scripts and integration tests.
 *
 * It imports nothing from `src/` on purpose: its framing code is independent of the server's, so
 * a test that drives the server with it checks the server's framing against a second
 * implementation instead of against itself.
 *
 * RFC 5734 §4: every EPP data unit is a 4-byte big-endian unsigned total length (the 4 header bytes
 * included) followed by the XML instance in UTF-8. The server sends a greeting as soon as the TLS
 * session is up, then exactly one response per command, in order.
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import tls from 'node:tls';

export const NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
} as const;

/** The object URIs a full-service login announces by default. */
export const DEFAULT_OBJ_URIS: readonly string[] = [NS.domain, NS.host, NS.contact];

// ---------------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------------

export const HEADER_BYTES = 4;
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** A length header the decoder cannot accept; the byte stream cannot be resynchronised after it. */
export class FrameError extends Error {
  constructor(readonly reason: 'too-short' | 'too-long', readonly length: number) {
    super(`invalid EPP frame length ${length} (${reason})`);
    this.name = 'FrameError';
  }
}

/** Prepends the RFC 5734 header (total length, header included) to an XML instance. */
export function encodeFrame(xml: string | Uint8Array): Buffer {
  const body = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  out.writeUInt32BE(HEADER_BYTES + body.length, 0);
  body.copy(out, HEADER_BYTES);
  return out;
}

/**
 * Incremental decoder: feed it whatever the socket delivers (a frame split over several reads,
 * several frames in one read, a header split in two) and it returns the complete payloads in order.
 * Bytes are only concatenated once a whole frame is available.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Total length of the frame being assembled, 0 while its header is incomplete. */
  private need = 0;
  private failed: FrameError | undefined;

  /** @param maxBytes largest accepted total length (header included). */
  constructor(private readonly maxBytes: number = DEFAULT_MAX_FRAME_BYTES) {
    if (!Number.isInteger(maxBytes) || maxBytes <= HEADER_BYTES) throw new RangeError('maxBytes must be an integer > 4');
  }

  /** Bytes held that are not yet part of a complete frame. */
  get buffered(): number { return this.size; }

  /** @throws FrameError on a length below 5 or above maxBytes (and on every later call). */
  push(chunk: Buffer): Buffer[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) { this.chunks.push(chunk); this.size += chunk.length; }
    const out: Buffer[] = [];
    for (;;) {
      if (this.need === 0) {
        if (this.size < HEADER_BYTES) break;
        if (this.chunks[0]!.length < HEADER_BYTES) this.chunks = [Buffer.concat(this.chunks, this.size)];
        const length = this.chunks[0]!.readUInt32BE(0);
        // A unit must hold at least one byte of XML after its header.
        if (length <= HEADER_BYTES) throw (this.failed = new FrameError('too-short', length));
        if (length > this.maxBytes) throw (this.failed = new FrameError('too-long', length));
        this.need = length;
      }
      if (this.size < this.need) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
      // Copy the payload so a small frame does not pin a large receive buffer.
      out.push(Buffer.from(all.subarray(HEADER_BYTES, this.need)));
      const rest = all.subarray(this.need);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
      this.need = 0;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export interface EppClientOptions {
  host: string;
  port: number;
  /** CA certificate(s) (PEM) that the server certificate must chain to. */
  ca?: string | Buffer;
  /** Client certificate and key (PEM), for servers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** SNI and the name checked in the server certificate. Default: `host` unless it is an IP address
   * (then no SNI is sent and the certificate must carry that IP address). */
  servername?: string;
  /** Default true (Node's default): pass `ca`, or set this to false for a throw-away certificate. */
  rejectUnauthorized?: boolean;
  localAddress?: string;
  /** Give up if the TLS handshake and greeting take longer than this. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default for request()/receive(): if no frame arrives in time the connection is destroyed
   * (the in-order pairing of responses would be lost otherwise). 0 = wait forever. Default 30 s. */
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
}

/** Rejection reason of requests that cannot complete because the connection is gone. */
export class EppConnectionError extends Error {
  constructor(message: string, cause?: Error) {
    super(message, cause !== undefined ? { cause } : undefined);
    this.name = 'EppConnectionError';
  }
}

interface Waiter { resolve: (xml: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout | undefined }

/**
 * One EPP session. Events: `'frame' (xml: string)` for every frame after the greeting,
 * `'close' (error: Error | undefined)` once when the connection is gone.
 */
export class EppClient extends EventEmitter {
  /** The server's greeting (the first frame of the session). */
  greeting = '';
  /** Resolves (never rejects) when the connection has closed. */
  readonly closed: Promise<void>;
  /** Frames that arrived while nobody waited for one (claimed by receive()). */
  readonly inbox: string[] = [];

  private readonly waiters: Waiter[] = [];
  private readonly decoder: FrameDecoder;
  private error: Error | undefined;
  private isClosed = false;
  private greeted = false;

  private constructor(readonly socket: tls.TLSSocket, private readonly opts: EppClientOptions) {
    super();
    this.decoder = new FrameDecoder(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
    this.closed = new Promise((resolve) => this.once('close', () => resolve()));
  }

  /** Opens TLS, waits for the greeting and resolves with the session. */
  static connect(o: EppClientOptions): Promise<EppClient> {
    const servername = o.servername ?? (isIP(o.host) ? undefined : o.host);
    const socket = tls.connect({
      host: o.host,
      port: o.port,
      ...(servername !== undefined ? { servername } : {}),
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      ...(o.cert !== undefined ? { cert: o.cert } : {}),
      ...(o.key !== undefined ? { key: o.key } : {}),
      ...(o.localAddress !== undefined ? { localAddress: o.localAddress } : {}),
      rejectUnauthorized: o.rejectUnauthorized ?? true,
      minVersion: 'TLSv1.2',
    });
    socket.setNoDelay(true);
    const client = new EppClient(socket, o);
    return new Promise<EppClient>((resolve, reject) => {
      const timer = setTimeout(() => client.fail(new EppConnectionError('timed out waiting for the greeting')), o.connectTimeoutMs ?? 10_000);
      // The greeting is the first frame: claim it with a waiter queued before any request can be.
      client.waiters.push({
        resolve: (xml) => { clearTimeout(timer); client.greeting = xml; resolve(client); },
        reject: (e) => { clearTimeout(timer); reject(e); },
        timer: undefined,
      });
      socket.on('data', (chunk: Buffer) => client.onData(chunk));
      socket.on('error', (err) => { client.error ??= err; });
      socket.on('close', () => client.onClose());
    });
  }

  /** Whether the connection is gone (no further request can succeed). */
  get isClosedNow(): boolean { return this.isClosed; }

  /** Number of requests sent that have not been answered yet. */
  get pending(): number { return this.waiters.length; }

  /** Sends one command and resolves with the next frame, i.e. its response (RFC 5734 §3: in order). */
  request(xml: string, o: { timeoutMs?: number } = {}): Promise<string> {
    const p = this.wait(o.timeoutMs);
    if (!this.isClosed) this.socket.write(encodeFrame(xml));
    return p;
  }

  /** Resolves with the next frame not claimed by a request (e.g. after sendRaw, or a server's
   * unsolicited last word before it closes). */
  receive(o: { timeoutMs?: number } = {}): Promise<string> {
    const queued = this.inbox.shift();
    return queued !== undefined ? Promise.resolve(queued) : this.wait(o.timeoutMs);
  }

  /** Writes bytes as they are (no header added): for tests of malformed or split frames. */
  sendRaw(bytes: Uint8Array): void {
    if (!this.isClosed) this.socket.write(bytes);
  }

  /** Ends the connection (TLS close_notify + FIN), waits up to `graceMs` for it to close, then destroys it. */
  async close(graceMs = 2000): Promise<void> {
    if (this.isClosed) return;
    this.socket.end();
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise<void>((r) => { t = setTimeout(r, graceMs); })]);
    clearTimeout(t);
    this.socket.destroy();
    await this.closed;
  }

  /** Drops the connection at once, rejecting whatever is pending. */
  destroy(err?: Error): void { this.fail(err ?? new EppConnectionError('connection destroyed')); }

  private wait(timeoutMs = this.opts.requestTimeoutMs ?? 30_000): Promise<string> {
    if (this.isClosed) return Promise.reject(this.closeError());
    return new Promise<string>((resolve, reject) => {
      const w: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs > 0) w.timer = setTimeout(() => this.fail(new EppConnectionError(`no response within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push(w);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try { frames = this.decoder.push(chunk); } catch (e) { this.fail(e as Error); return; }
    for (const f of frames) {
      const xml = f.toString('utf8');
      const w = this.waiters.shift();
      // The first frame is the greeting; its waiter was queued by connect() and it is not an event.
      if (this.greeted) this.emit('frame', xml);
      this.greeted = true;
      if (w) { clearTimeout(w.timer); w.resolve(xml); } else this.inbox.push(xml);
    }
  }

  private fail(err: Error): void {
    this.error ??= err;
    this.socket.destroy();
  }

  private closeError(): Error {
    return this.error instanceof EppConnectionError ? this.error : new EppConnectionError(this.error ? `connection closed: ${this.error.message}` : 'connection closed', this.error);
  }

  private onClose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const err = this.closeError();
    for (const w of this.waiters.splice(0)) { clearTimeout(w.timer); w.reject(err); }
    this.emit('close', this.error);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/** Escapes text for element content and double-quoted attributes. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';
const trid = (clTRID?: string): string => (clTRID !== undefined ? `<clTRID>${escapeXml(clTRID)}</clTRID>` : '');

/** A complete `<epp>` document around `inner`. */
export function eppXml(inner: string): string {
  return `${XML_DECL}<epp xmlns="${NS.epp}">${inner}</epp>`;
}

/** `<command><verb>body</verb>[<extension>…</extension>]<clTRID/></command>`. */
export function commandXml(verb: string, body: string, clTRID?: string, extension?: string): string {
  return eppXml(`<command><${verb}>${body}</${verb}>${extension !== undefined ? `<extension>${extension}</extension>` : ''}${trid(clTRID)}</command>`);
}

export function helloXml(): string {
  return eppXml('<hello/>');
}

export interface LoginOptions {
  clID: string;
  pw: string;
  newPW?: string;
  clTRID?: string;
  /** Default: domain, host and contact. */
  objURIs?: readonly string[];
  extURIs?: readonly string[];
  version?: string;
  lang?: string;
}

export function loginXml(o: LoginOptions): string {
  const objs = (o.objURIs ?? DEFAULT_OBJ_URIS).map((u) => `<objURI>${escapeXml(u)}</objURI>`).join('');
  const exts = o.extURIs?.length ? `<svcExtension>${o.extURIs.map((u) => `<extURI>${escapeXml(u)}</extURI>`).join('')}</svcExtension>` : '';
  return eppXml(
    `<command><login><clID>${escapeXml(o.clID)}</clID><pw>${escapeXml(o.pw)}</pw>` +
    (o.newPW !== undefined ? `<newPW>${escapeXml(o.newPW)}</newPW>` : '') +
    `<options><version>${escapeXml(o.version ?? '1.0')}</version><lang>${escapeXml(o.lang ?? 'en')}</lang></options>` +
    `<svcs>${objs}${exts}</svcs></login>${trid(o.clTRID)}</command>`,
  );
}

export function logoutXml(clTRID?: string): string {
  return eppXml(`<command><logout/>${trid(clTRID)}</command>`);
}

export function domainCheckXml(names: readonly string[], clTRID?: string): string {
  return commandXml('check', `<domain:check xmlns:domain="${NS.domain}">${names.map((n) => `<domain:name>${escapeXml(n)}</domain:name>`).join('')}</domain:check>`, clTRID);
}

export function domainInfoXml(name: string, o: { hosts?: 'all' | 'del' | 'sub' | 'none'; pw?: string; clTRID?: string } = {}): string {
  return commandXml('info',
    `<domain:info xmlns:domain="${NS.domain}"><domain:name${o.hosts !== undefined ? ` hosts="${o.hosts}"` : ''}>${escapeXml(name)}</domain:name>` +
    (o.pw !== undefined ? `<domain:authInfo><domain:pw>${escapeXml(o.pw)}</domain:pw></domain:authInfo>` : '') +
    '</domain:info>', o.clTRID);
}

export interface DomainCreateOptions {
  name: string;
  period?: number;
  periodUnit?: 'y' | 'm';
  /** Name servers as host objects (`<domain:hostObj>`). */
  ns?: readonly string[];
  registrant?: string;
  contacts?: readonly { type: 'admin' | 'tech' | 'billing'; id: string }[];
  /** authInfo password (required by RFC 5731; an empty one is sent if omitted). */
  pw?: string;
  clTRID?: string;
}

/** RFC 5731 §3.2.1: elements in schema order (name, period, ns, registrant, contact*, authInfo). */
export function domainCreateXml(o: DomainCreateOptions): string {
  return commandXml('create',
    `<domain:create xmlns:domain="${NS.domain}"><domain:name>${escapeXml(o.name)}</domain:name>` +
    (o.period !== undefined ? `<domain:period unit="${o.periodUnit ?? 'y'}">${o.period}</domain:period>` : '') +
    (o.ns?.length ? `<domain:ns>${o.ns.map((h) => `<domain:hostObj>${escapeXml(h)}</domain:hostObj>`).join('')}</domain:ns>` : '') +
    (o.registrant !== undefined ? `<domain:registrant>${escapeXml(o.registrant)}</domain:registrant>` : '') +
    (o.contacts ?? []).map((c) => `<domain:contact type="${c.type}">${escapeXml(c.id)}</domain:contact>`).join('') +
    `<domain:authInfo><domain:pw>${escapeXml(o.pw ?? '')}</domain:pw></domain:authInfo></domain:create>`,
    o.clTRID);
}

export interface ContactCreateOptions {
  id: string;
  name?: string;
  street?: string;
  city?: string;
  cc?: string;
  voice?: string;
  email?: string;
  pw?: string;
  clTRID?: string;
}

/** RFC 5733 §3.2.1, with harmless defaults for the mandatory elements. */
export function contactCreateXml(o: ContactCreateOptions): string {
  return commandXml('create',
    `<contact:create xmlns:contact="${NS.contact}"><contact:id>${escapeXml(o.id)}</contact:id>` +
    `<contact:postalInfo type="int"><contact:name>${escapeXml(o.name ?? 'Bench Contact')}</contact:name>` +
    `<contact:addr><contact:street>${escapeXml(o.street ?? '1 Main St')}</contact:street><contact:city>${escapeXml(o.city ?? 'Springfield')}</contact:city>` +
    `<contact:cc>${escapeXml(o.cc ?? 'US')}</contact:cc></contact:addr></contact:postalInfo>` +
    `<contact:voice>${escapeXml(o.voice ?? '+1.5555550100')}</contact:voice><contact:email>${escapeXml(o.email ?? 'bench@example.net')}</contact:email>` +
    `<contact:authInfo><contact:pw>${escapeXml(o.pw ?? 'Contact-pw-1')}</contact:pw></contact:authInfo></contact:create>`,
    o.clTRID);
}

export function hostCreateXml(o: { name: string; addrs?: readonly { ip: string; v?: 'v4' | 'v6' }[]; clTRID?: string }): string {
  return commandXml('create',
    `<host:create xmlns:host="${NS.host}"><host:name>${escapeXml(o.name)}</host:name>` +
    (o.addrs ?? []).map((a) => `<host:addr ip="${a.v ?? (a.ip.includes(':') ? 'v6' : 'v4')}">${escapeXml(a.ip)}</host:addr>`).join('') +
    '</host:create>', o.clTRID);
}

// ---------------------------------------------------------------------------------------------
// Responses (regular expressions: enough for benches and assertions, not a general XML parser)
// ---------------------------------------------------------------------------------------------

/** The code of the first `<result>` in a response; 0 if there is none (e.g. a greeting). */
export function resultCode(xml: string): number {
  const m = /<(?:[A-Za-z_][\w.-]*:)?result\s+code\s*=\s*["'](\d{4})["']/.exec(xml);
  return m ? Number(m[1]) : 0;
}

/** Codes of all `<result>` elements, in document order. */
export function resultCodes(xml: string): number[] {
  return [...xml.matchAll(/<(?:[A-Za-z_][\w.-]*:)?result\s+code\s*=\s*["'](\d{4})["']/g)].map((m) => Number(m[1]));
}

/** Text of the first `<msg>` (entities left as they are). */
export function resultMessage(xml: string): string | undefined {
  return /<(?:[A-Za-z_][\w.-]*:)?msg(?:\s[^>]*)?>([\s\S]*?)<\//.exec(xml)?.[1];
}

/** Whether a frame is a greeting. */
export function isGreeting(xml: string): boolean {
  return /<(?:[A-Za-z_][\w.-]*:)?greeting[\s>]/.test(xml);
}
