/**
 * The WHOIS server (RFC 3912): TCP, one query line per connection, the answer, then close.
 * Bounded line length, idle and total timeouts, a per-client rate limit answered with a clear
 * refusal line, and graceful draining.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { RddsConfig } from '../../config.js';
import type { Logger } from '../../util/log.js';
import { boundPort, listenOn, normaliseIp } from '../../util/net.js';
import type { RddsMetrics } from '../metrics.js';
import type { RateLimiter } from '../rate-limit.js';
import type { Zone } from '../../registry/zone-cache.js';
import type { DomainRecord } from '../data.js';
import type { RegistrarInfo } from '../registrars.js';
import { normaliseName, type DomainView, type RegistrationData } from '../service.js';
import { SLOT, Template } from '../template.js';
import { domainAnswer, help, hostsAnswer, noMatch, refusal, registrarAnswer, whoisDate, type WhoisContext } from './format.js';
import { parseWhoisQuery } from './query.js';

export interface WhoisServerDeps {
  data: RegistrationData;
  config: RddsConfig;
  limiter: RateLimiter;
  log: Logger;
  metrics?: RddsMetrics;
}

/** The answer as text, or as bytes (a filled template). */
export interface WhoisAnswer { text: string | Buffer; type: string; status: string }

/** Domain answers rendered once per record, registrar and zone, from the second lookup on (as RdapTemplates). */
export type WhoisTemplates = WeakMap<DomainRecord, { registrar: RegistrarInfo; zone: Zone; template?: Template }>;

function domainText(d: DomainView, ctx: WhoisContext, templates: WhoisTemplates | undefined): string | Buffer {
  if (!templates) return domainAnswer(d, ctx);
  const t = templates.get(d.record);
  if (!t || t.registrar !== d.registrar || t.zone !== d.zone) {
    templates.set(d.record, { registrar: d.registrar, zone: d.zone });
    return domainAnswer(d, ctx);
  }
  t.template ??= Template.of(domainAnswer(d, { ...ctx, asOf: SLOT.asOf }), false);
  return t.template.fillBytes({ asOf: ctx.asOf, url: '' });
}

/** Answers one query line (exported for tests and the bench's in-process checks). */
export async function answerWhois(line: string, deps: Pick<WhoisServerDeps, 'data' | 'config'> & { templates?: WhoisTemplates }): Promise<WhoisAnswer> {
  const ctx: WhoisContext = { asOf: whoisDate(deps.data.asOf()), termsOfUse: deps.config.termsOfUse };
  const q = parseWhoisQuery(line);
  switch (q.kind) {
    case 'help': return { text: help(ctx), type: 'help', status: 'found' };
    case 'invalid': return { text: refusal(`Error: ${q.reason}.`, ctx), type: 'invalid', status: 'invalid' };
    case 'registrar': {
      const r = await deps.data.registrarByNameOrId(q.input);
      return r ? { text: registrarAnswer(r, ctx), type: 'registrar', status: 'found' } : { text: noMatch('registrar ', q.input, ctx), type: 'registrar', status: 'not_found' };
    }
    case 'nameserver-ip': {
      const hosts = await deps.data.hostsByIp(q.input);
      return hosts.length ? { text: hostsAnswer(hosts, ctx), type: 'nameserver', status: 'found' } : { text: noMatch('nameserver ', q.input, ctx), type: 'nameserver', status: 'not_found' };
    }
    case 'nameserver': {
      const n = normaliseName(q.input);
      if ('problem' in n) return { text: refusal(`Error: not a valid host name (${n.problem}).`, ctx), type: 'nameserver', status: 'invalid' };
      const h = await deps.data.host(n.name);
      return h ? { text: hostsAnswer([h], ctx), type: 'nameserver', status: 'found' } : { text: noMatch('nameserver ', q.input, ctx), type: 'nameserver', status: 'not_found' };
    }
    case 'domain': {
      const n = normaliseName(q.input);
      if ('problem' in n) return { text: refusal(`Error: not a valid domain name (${n.problem}).`, ctx), type: 'domain', status: 'invalid' };
      const d = await deps.data.domain(n.name);
      return d ? { text: domainText(d, ctx, deps.templates), type: 'domain', status: 'found' } : { text: noMatch('', q.input, ctx), type: 'domain', status: 'not_found' };
    }
  }
}

export class WhoisServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly templates: WhoisTemplates = new WeakMap();
  private draining = false;

  constructor(private readonly deps: WhoisServerDeps) {
    // allowHalfOpen: a client may send its query and half-close; the answer still has to go out.
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.accept(s));
    this.server.maxConnections = deps.config.whoisMaxConnections;
  }

  private accept(socket: Socket): void {
    const { config, metrics } = this.deps;
    if (this.draining) { socket.destroy(); return; }
    this.sockets.add(socket);
    metrics?.connections.inc({ service: 'whois' });
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const total = setTimeout(() => { metrics?.timeouts.inc({ which: 'total' }); socket.destroy(); }, config.whoisTotalTimeoutMs);
    socket.setTimeout(config.whoisIdleTimeoutMs, () => { metrics?.timeouts.inc({ which: 'idle' }); socket.destroy(); });
    socket.on('error', () => { /* resets and timeouts end the connection; nothing to answer */ });
    socket.on('close', () => {
      clearTimeout(total);
      this.sockets.delete(socket);
      metrics?.connections.dec({ service: 'whois' });
    });
    const respond = (line: string) => {
      done = true;
      socket.removeAllListeners('data');
      const p = this.handle(socket, line).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      const nl = chunk.indexOf(0x0a);
      const part = nl < 0 ? chunk : chunk.subarray(0, nl);
      bytes += part.length;
      if (bytes > config.whoisMaxQueryBytes) {
        done = true;
        this.refuse(socket, `Error: query too long (at most ${config.whoisMaxQueryBytes} bytes).`, 'too_long');
        return;
      }
      chunks.push(part);
      if (nl >= 0) respond(Buffer.concat(chunks).toString('utf8'));
    });
    // RFC 3912 asks for CRLF; a client that half-closes after its query is answered all the same.
    socket.on('end', () => { if (!done && bytes > 0) respond(Buffer.concat(chunks).toString('utf8')); else if (!done) socket.end(); });
  }

  private refuse(socket: Socket, message: string, status: string): void {
    const ctx = { asOf: whoisDate(this.deps.data.asOf()), termsOfUse: this.deps.config.termsOfUse };
    this.deps.metrics?.queries.inc({ service: 'whois', type: 'invalid', status });
    socket.end(refusal(message, ctx));
  }

  private async handle(socket: Socket, line: string): Promise<void> {
    const { metrics, limiter, log } = this.deps;
    const started = performance.now();
    const ip = normaliseIp(socket.remoteAddress);
    const allowed = limiter.take(ip);
    if (!allowed.ok) {
      this.refuse(socket, `Query rate limit exceeded for ${ip}: at most ${this.deps.config.whoisRateLimitPerMinute} queries per minute. Try again in ${allowed.retryAfterSeconds} seconds.`, 'rate_limited');
      return;
    }
    let answer: WhoisAnswer;
    try {
      answer = await answerWhois(line, { ...this.deps, templates: this.templates });
    } catch (err) {
      log.error({ err }, 'WHOIS query failed');
      answer = { text: refusal('Error: the query could not be answered; please try again later.', { asOf: whoisDate(this.deps.data.asOf()), termsOfUse: this.deps.config.termsOfUse }), type: 'error', status: 'error' };
    }
    if (!socket.destroyed) socket.end(answer.text);
    metrics?.record('whois', answer.type, answer.status, (performance.now() - started) / 1000);
  }

  /** `exclusive`: bind the port in this process (see listenOn). */
  listen(port: number, host: string, exclusive = false): Promise<void> {
    return listenOn(this.server, port, host, exclusive);
  }

  get port(): number { return boundPort(this.server); }

  /** Stops accepting; queries being answered finish (up to the deadline), then every connection is closed. */
  async close(deadlineMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const timer = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([Promise.all([...this.inFlight]), timer]);
    for (const s of this.sockets) s.destroy();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
