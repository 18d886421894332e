/**
 * The EPP front-end: TLS (1.2/1.3) on a shared port, the pre-TLS address check (behind a proxy:
 * the address its PROXY protocol header gives), RFC 5734 framing, parsing on the worker pool,
 * in-order execution per session, timeouts and graceful draining.
 */
import { once } from 'node:events';
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { Piscina } from 'piscina';
import type { RegistryConfig } from '../config.js';
import type { Metrics } from '../metrics.js';
import type { ParseResult } from '../proto/index.js';
import type { RegistrarCache } from '../security/registrar-cache.js';
import type { Logger } from '../util/log.js';
import { boundPort, listenOn, normaliseIp } from '../util/net.js';
import type { CommandEngine } from './dispatcher.js';
import { Deframer, frame } from './framing.js';
import { ParseBatcher } from './parse-batch.js';
import { readProxyHeader } from './proxy-protocol.js';
import { AllowList } from '../security/allowlist.js';
import { newSessionState, type SessionState } from './session-state.js';

// RFC 9325 §4.2: TLS 1.2 only with forward-secret AEAD suites; TLS 1.3 suites are all acceptable.
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Frames parsed ahead of execution per session before we stop reading from the socket. */
const MAX_PIPELINED = 16;
/** A connection that has not logged in within this time is closed. */
const LOGIN_TIMEOUT_MS = 60_000;
/** A trusted proxy sends its header at once; a connection without one is closed after this. */
const PROXY_HEADER_TIMEOUT_MS = 5_000;

export interface EppServerDeps {
  engine: CommandEngine;
  pool: Piscina;
  config: RegistryConfig;
  cache: RegistrarCache;
  log: Logger;
  metrics?: Metrics;
  tls: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
}

/** What connections share: the dependencies, the parse batcher and the last framed document. */
interface Shared extends EppServerDeps {
  parser: ParseBatcher;
  /** Frames a document; a greeting's bytes are kept and reused while it stays the same. */
  frame(xml: string, greeting: boolean): Buffer;
}

/** The TCP socket under a TLS socket (the one screened, and keyed for its proxied address). */
const rawOf = (socket: tls.TLSSocket): Socket => (socket as unknown as { _parent?: Socket })._parent ?? (socket as unknown as Socket);

export class EppServer {
  /** Terminates TLS; it does not listen itself, the listener hands it each screened socket. */
  readonly server: tls.Server;
  private readonly listener: net.Server;
  private readonly proxies: AllowList;
  /** The registrar's address of a connection that came through a trusted proxy. */
  private readonly proxied = new WeakMap<Socket, string>();
  private readonly connections = new Set<Connection>();
  private draining = false;
  private readonly shared: Shared;

  constructor(private readonly deps: EppServerDeps) {
    // The greeting is rendered at most once a second and sent on every connect and <hello>:
    // keep its framed bytes instead of encoding it again (a Buffer written to a TLS socket is
    // encrypted into the socket's own records, so sharing it is safe).
    let last: { xml: string; bytes: Buffer } | undefined;
    this.shared = {
      ...deps,
      parser: new ParseBatcher(deps.pool, {
        // workers.concurrentTasksPerWorker batches per parse thread.
        maxInFlight: deps.config.workers.threads * deps.config.workers.concurrentTasksPerWorker,
        observe: (seconds) => deps.metrics?.poolRunTime.observe(seconds),
        onError: (err) => deps.log.error({ err }, 'parse worker failed'),
      }),
      frame: (xml, greeting) => {
        if (!greeting) return frame(xml);
        if (last?.xml !== xml) last = { xml, bytes: frame(xml) };
        return last.bytes;
      },
    };
    const mode = deps.config.epp.clientCertMode;
    this.server = tls.createServer({
      key: deps.tls.key,
      cert: deps.tls.cert,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: TLS12_CIPHERS,
      honorCipherOrder: true,
      // Certificates are requested but judged at <login>, so a bad one gets a proper 2200.
      requestCert: mode !== 'none',
      rejectUnauthorized: false,
      ...(mode === 'ca' && deps.tls.ca ? { ca: deps.tls.ca } : {}),
      handshakeTimeout: 10_000,
      sessionTimeout: 300,
    });
    this.proxies = new AllowList(deps.config.epp.proxyProtocolFrom);
    this.listener = net.createServer((raw) => this.intake(raw));
    this.server.on('connection', (raw: Socket) => this.screen(raw));
    this.server.on('secureConnection', (s) => void this.accept(s));
    this.server.on('tlsClientError', (err, s) => {
      deps.metrics?.tlsFailures.inc();
      deps.log.debug({ err: err.message, remote: this.clientIp(rawOf(s)) }, 'TLS handshake failed');
      s.destroy();
    });
  }

  /**
   * A connection from a proxy in epp.proxyProtocolFrom must start with a PROXY protocol header
   * (v1 or v2), whose source address then stands for the connection's; one without a valid header
   * is closed. Every other connection goes to TLS as it is.
   */
  private intake(raw: Socket): void {
    if (this.proxies.size === 0 || !this.proxies.has(normaliseIp(raw.remoteAddress))) {
      this.server.emit('connection', raw);
      return;
    }
    raw.on('error', () => { /* a reset before TLS: nothing to answer */ });
    readProxyHeader(raw, PROXY_HEADER_TIMEOUT_MS).then(({ source }) => {
      // LOCAL / UNKNOWN: the proxy speaks for itself (its own address is screened).
      if (source !== undefined) this.proxied.set(raw, source);
      // What followed the header was unshifted into the paused socket; the TLS socket that
      // wraps it reads that first (no resume here: the bytes must not go out as 'data').
      this.server.emit('connection', raw);
    }, (err: Error) => {
      this.deps.metrics?.connectionsRefused.inc({ reason: 'proxy_header' });
      this.deps.log.info({ proxy: normaliseIp(raw.remoteAddress), err: err.message }, 'connection from a trusted proxy without a valid PROXY protocol header closed');
      raw.destroy();
    }).catch((err: unknown) => {
      this.deps.log.error({ err }, 'handing a proxied connection to TLS failed');
      raw.destroy();
    });
  }

  /** The registrar's address: from the PROXY header when a trusted proxy sent one. */
  private clientIp(raw: Socket): string {
    return this.proxied.get(raw) ?? normaliseIp(raw.remoteAddress);
  }

  /**
   * RFC 5734 leaves client identification to policy; an address on no registrar's allow-list is
   * closed before any EPP data is exchanged.
   */
  private screen(raw: Socket): void {
    const ip = this.clientIp(raw);
    const check = this.deps.cache.allowedAnywhere().then((allow) => allow.has(ip), () => false);
    (raw as Socket & { allowed?: Promise<boolean> }).allowed = check;
    void check.then((ok) => {
      if (!ok) {
        this.deps.metrics?.connectionsRefused.inc({ reason: 'address' });
        this.deps.log.info({ remote: ip }, 'connection from an address on no allow-list refused');
        raw.destroy();
      }
    });
  }

  private async accept(socket: tls.TLSSocket): Promise<void> {
    const raw = rawOf(socket);
    const allowed = await ((raw as Socket & { allowed?: Promise<boolean> }).allowed ?? Promise.resolve(false));
    if (!allowed || this.draining) { socket.destroy(); return; }
    // Only the fingerprint is needed: X509Certificate computes it without building the legacy
    // certificate object getPeerCertificate() makes, and there is none to look at in mode none.
    const fingerprint = this.deps.config.epp.clientCertMode === 'none' ? undefined : socket.getPeerX509Certificate()?.fingerprint256;
    const session = newSessionState(this.clientIp(raw), {
      ...(fingerprint ? { fingerprint } : {}),
      verified: socket.authorized,
    });
    const conn = new Connection(socket, session, this.shared, () => this.connections.delete(conn));
    this.connections.add(conn);
    conn.start();
  }

  listen(port: number, host: string): Promise<void> {
    return listenOn(this.listener, port, host);
  }

  get port(): number { return boundPort(this.listener); }

  get openConnections(): number { return this.connections.size; }

  /**
   * Graceful stop: accept nothing new, let every in-flight command finish (up to the deadline),
   * then close the sessions.
   */
  async drain(deadlineMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    const all = Promise.all([...this.connections].map((c) => c.drain()));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deadlineMs).unref());
    if ((await Promise.race([all.then(() => 'done' as const), timer])) === 'timeout') {
      this.deps.log.warn({ open: this.connections.size }, 'drain deadline passed; closing remaining sessions');
      for (const c of this.connections) c.destroy();
    }
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

class Connection {
  private readonly deframer: Deframer;
  private chain: Promise<void> = Promise.resolve();
  private pipelined = 0;
  private closing = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private loginTimer: NodeJS.Timeout | undefined;
  private loggedIn = false;

  constructor(private readonly socket: tls.TLSSocket, private readonly session: SessionState,
    private readonly deps: Shared, private readonly onGone: () => void) {
    this.deframer = new Deframer(deps.config.epp.maxFrameBytes);
  }

  start(): void {
    const { socket, deps } = this;
    deps.metrics?.eppSessions.inc();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => deps.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
    this.touch();
    this.loginTimer = setTimeout(() => { if (!this.session.registrar) this.destroy(); }, LOGIN_TIMEOUT_MS);
    this.loginTimer.unref();
    // RFC 5730 §2.4: the server greets as soon as the connection is established.
    this.write(deps.engine.greeting(), true);
  }

  /**
   * The idle timeout counts from the last frame received or response sent, and never ends a
   * session while one of its commands is still being worked on (a slow login is not idleness).
   */
  private touch(): void {
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => {
        if (this.pipelined > 0) { this.idleTimer?.refresh(); return; }
        this.deps.log.info({ remote: this.session.remoteIp, client: this.session.registrar?.clientId }, 'idle timeout');
        this.destroy();
      }, this.deps.config.epp.idleTimeoutSeconds * 1000);
      this.idleTimer.unref();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    for (const ev of this.deframer.push(chunk)) {
      if (ev.kind === 'error') {
        this.deps.metrics?.framesRejected.inc({ reason: ev.reason });
        this.deps.log.info({ remote: this.session.remoteIp, length: ev.length, reason: ev.reason }, 'bad frame length; closing');
        this.failAndClose(`frame length ${ev.length} is outside 5..${this.deps.config.epp.maxFrameBytes}`);
        return;
      }
      this.touch();
      const startedAt = process.hrtime.bigint();
      const parsed = this.deps.parser.parse(ev.payload);
      this.pipelined++;
      if (this.pipelined >= MAX_PIPELINED) this.socket.pause();
      this.chain = this.chain.then(() => this.handle(parsed, startedAt)).finally(() => {
        this.pipelined--;
        if (this.pipelined < MAX_PIPELINED && !this.closing) this.socket.resume();
      });
    }
  }

  private async handle(parsed: Promise<ParseResult>, startedAt: bigint): Promise<void> {
    const result = await parsed;
    if (this.closing && this.socket.destroyed) return;
    const outcome = result.command
      ? await this.deps.engine.execute(result.command, this.session, startedAt)
      : this.deps.engine.parseFailure(result.failure, this.session, startedAt);
    if (outcome.command === 'login' && outcome.code === 1000) {
      this.loggedIn = true;
      this.deps.metrics?.eppLoggedIn.inc();
      if (this.loginTimer) clearTimeout(this.loginTimer);
    }
    if (this.socket.destroyed) return;
    this.touch();
    const flushed = this.write(outcome.xml, outcome.command === 'hello');
    if (outcome.close) { this.end(); return; }
    if (!flushed) await once(this.socket, 'drain').catch(() => {});
  }

  private write(xml: string, greeting = false): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(this.deps.frame(xml, greeting));
  }

  /** 2500, then close: used when the byte stream itself cannot be trusted any more. */
  private failAndClose(reason: string): void {
    this.closing = true;
    this.write(this.deps.engine.connectionFailure(this.session, reason));
    this.end();
  }

  private end(): void {
    this.closing = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.closing = true;
    this.socket.destroy();
  }

  /** Waits for the commands already received to finish, then closes. */
  async drain(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    await this.chain.catch(() => {});
    this.end();
  }

  private onClose(): void {
    this.closing = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.loginTimer) clearTimeout(this.loginTimer);
    this.deps.metrics?.eppSessions.dec();
    if (this.loggedIn) this.deps.metrics?.eppLoggedIn.dec();
    void this.chain.finally(() => this.deps.engine.sessionClosed(this.session));
    this.onGone();
  }
}
