/**
 * The RDAP server (RFC 7480) on node:http, optionally HTTPS: GET and HEAD (same status and
 * headers, no body), CORS for browsers (TIG 1.14), application/rdap+json whatever was asked
 * for (RFC 7480 §4.2), RFC 9083 error objects, 429 with Retry-After, request limits and timeouts.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { RddsConfig } from '../../config.js';
import { AllowList } from '../../security/allowlist.js';
import type { Logger } from '../../util/log.js';
import { boundPort, listenOn, normaliseIp } from '../../util/net.js';
import type { RddsMetrics } from '../metrics.js';
import type { RateLimiter } from '../rate-limit.js';
import type { RegistrationData } from '../service.js';
import type { Zone } from '../../registry/zone-cache.js';
import type { DomainRecord } from '../data.js';
import type { RegistrarInfo } from '../registrars.js';
import { SLOT, Template } from '../template.js';
import { rdapBaseUrl } from './base-url.js';
import { contactTopObject, domainObject, errorBody, helpBody, nameserverObject, RDAP_MEDIA_TYPE, registrarEntity, topmost, truncatedNotice, type Json, type RdapContext } from './render.js';
import { queryType, routeRdap, type RdapQuery } from './router.js';

// RFC 9325 §4.2, TIG 2024 1.5: TLS 1.2 only with these ECDHE AEAD suites; TLS 1.3 as is.
const TLS12_CIPHERS = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'].join(':');

export interface RdapServerDeps {
  data: RegistrationData;
  config: RddsConfig;
  limiter: RateLimiter;
  log: Logger;
  metrics?: RddsMetrics;
  tls?: { key: Buffer | string; cert: Buffer | string };
  /** Peers whose X-Forwarded-For names the client (a TLS terminator in front). */
  trustedProxies?: readonly string[];
}

/** `bytes`, when set, is `body` already serialised (a filled template). */
export interface RdapAnswer { status: number; body: Json; bytes?: Buffer; headers?: Record<string, string> }

/**
 * Domain answers rendered once per record, registrar and zone (the objects change identity when
 * they change), from the second lookup on: most records of a large registry are looked up once.
 */
export type RdapTemplates = WeakMap<DomainRecord, { registrar: RegistrarInfo; zone: Zone; template?: Template }>;

const CORS = { 'access-control-allow-origin': '*' };

function notFound(what: string): RdapAnswer {
  return { status: 404, body: errorBody(404, 'Not Found', [what]) };
}

/** Answers one routed query (exported for tests); with `templates`, domain answers are rendered once and reused. */
export async function answerRdap(q: RdapQuery, data: RegistrationData, ctx: RdapContext, searchMax: number, templates?: RdapTemplates): Promise<RdapAnswer> {
  switch (q.kind) {
    case 'error': return { status: q.status, body: errorBody(q.status, q.title, [q.description]) };
    case 'help': return { status: 200, body: helpBody(ctx) };
    case 'domain': {
      const d = await data.domain(q.name);
      if (!d) return notFound(`no domain ${q.name} in this registry`);
      const render = (c: RdapContext) => {
        const { obj, redactions } = domainObject(d, c, { withContacts: true, top: true });
        return topmost(obj, c, { domainNotices: true, redactions });
      };
      if (!templates) return { status: 200, body: render(ctx) };
      const t = templates.get(d.record);
      if (!t || t.registrar !== d.registrar || t.zone !== d.zone) {
        templates.set(d.record, { registrar: d.registrar, zone: d.zone });
        return { status: 200, body: render(ctx) };
      }
      t.template ??= Template.of(JSON.stringify(render({ ...ctx, requestUrl: SLOT.url, asOf: SLOT.asOf })), true);
      return { status: 200, body: {}, bytes: t.template.fillBytes({ url: ctx.requestUrl, asOf: ctx.asOf }) };
    }
    case 'nameserver': {
      const h = await data.host(q.name);
      return h ? { status: 200, body: topmost(nameserverObject(h, ctx, { top: true }), ctx) } : notFound(`no nameserver ${q.name} in this registry`);
    }
    case 'entity': {
      const r = await data.registrarByHandle(q.handle);
      if (r) return { status: 200, body: topmost(registrarEntity(r, ctx, { top: true }), ctx) };
      // Contact handles are ROIDs (RFC 5730 §2.8).
      const c = /^\w{1,80}-\w{1,8}$/.test(q.handle) ? await data.contact(q.handle) : undefined;
      if (!c) return notFound(`no entity ${q.handle} in this registry`);
      const { obj, redactions } = contactTopObject(c, ctx);
      return { status: 200, body: topmost(obj, ctx, { redactions }) };
    }
    case 'domains': {
      const res = await data.searchDomains(q.by);
      const results = res.items.map((d) => domainObject(d, ctx, { withContacts: false, top: false }).obj);
      return { status: 200, body: topmost({ domainSearchResults: results }, ctx, { domainNotices: true, ...(res.truncated ? { extraNotices: [truncatedNotice(searchMax)] } : {}) }) };
    }
    case 'nameservers': {
      const res = await data.searchHosts(q.by);
      const results = res.items.map((h) => nameserverObject(h, ctx, { top: false }));
      return { status: 200, body: topmost({ nameserverSearchResults: results }, ctx, res.truncated ? { extraNotices: [truncatedNotice(searchMax)] } : {}) };
    }
    case 'entities': {
      const res = await data.searchRegistrars(q.by);
      const results = res.items.map((r) => registrarEntity(r, ctx, { top: false }));
      return { status: 200, body: topmost({ entitySearchResults: results }, ctx, res.truncated ? { extraNotices: [truncatedNotice(searchMax)] } : {}) };
    }
  }
}

export class RdapServer {
  readonly server: Server;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly proxies: AllowList;
  private readonly termsUrl: string;
  private readonly templates: RdapTemplates = new WeakMap();
  private draining = false;

  constructor(private readonly deps: RdapServerDeps) {
    const c = deps.config;
    this.base = new URL(rdapBaseUrl(c));
    this.basePath = this.base.pathname;
    this.termsUrl = c.termsOfUseUrl || `${this.base.href}help`;
    this.proxies = new AllowList(deps.trustedProxies ?? []);
    const handler = (req: IncomingMessage, res: ServerResponse) => { void this.handle(req, res); };
    const common = { requestTimeout: c.rdapRequestTimeoutMs, headersTimeout: Math.min(c.rdapRequestTimeoutMs, 10_000), keepAliveTimeout: c.rdapKeepAliveTimeoutMs, maxHeaderSize: 16_384 };
    this.server = deps.tls
      ? createHttpsServer({ ...common, key: deps.tls.key, cert: deps.tls.cert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', ciphers: TLS12_CIPHERS, honorCipherOrder: true }, handler)
      : createHttpServer(common, handler);
    this.server.on('connection', (s) => {
      deps.metrics?.connections.inc({ service: 'rdap' });
      s.once('close', () => deps.metrics?.connections.dec({ service: 'rdap' }));
    });
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** The client's address: the peer, or the last X-Forwarded-For hop when the peer is a trusted proxy. */
  private clientIp(req: IncomingMessage): string {
    const peer = normaliseIp(req.socket.remoteAddress);
    if (this.proxies.size === 0 || !this.proxies.has(peer)) return peer;
    const xff = req.headers['x-forwarded-for'];
    const last = (Array.isArray(xff) ? xff.join(',') : xff ?? '').split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    return last ? normaliseIp(last) : peer;
  }

  private send(req: IncomingMessage, res: ServerResponse, a: RdapAnswer): void {
    const body = a.bytes ?? Buffer.from(JSON.stringify(a.body));
    res.writeHead(a.status, { 'content-type': RDAP_MEDIA_TYPE, 'content-length': body.length, ...CORS, ...(this.draining ? { connection: 'close' } : {}), ...a.headers });
    // RFC 9110 §9.3.2: HEAD answers as GET would, without the content.
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { config, metrics, limiter, data, log } = this.deps;
    let type = 'invalid';
    let answer: RdapAnswer;
    const target = req.url ?? '/';
    try {
      if (req.method === 'OPTIONS') {
        // CORS preflight (Fetch standard): only simple reads are offered.
        res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD, OPTIONS', 'access-control-allow-headers': 'accept, content-type', 'access-control-max-age': '86400', 'content-length': 0 });
        res.end();
        metrics?.queries.inc({ service: 'rdap', type: 'options', status: '204' });
        return;
      }
      const q = target.indexOf('?');
      const path = q < 0 ? target : target.slice(0, q);
      const search = q < 0 ? '' : target.slice(q + 1);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        answer = { status: 405, body: errorBody(405, 'Method Not Allowed', ['RDAP answers GET and HEAD (RFC 7480 §4.1)']), headers: { allow: 'GET, HEAD, OPTIONS' } };
      } else if (Buffer.byteLength(target) > config.rdapMaxUrlBytes) {
        answer = { status: 400, body: errorBody(400, 'Bad Request', [`the request target is longer than ${config.rdapMaxUrlBytes} bytes`]) };
      } else if (!path.startsWith(this.basePath)) {
        answer = notFound(`RDAP is served under ${this.basePath}`);
      } else {
        const query = routeRdap(path.slice(this.basePath.length), search);
        type = queryType(query);
        const search_ = query.kind === 'domains' || query.kind === 'nameservers' || query.kind === 'entities';
        const allowed = limiter.take(this.clientIp(req), search_ ? config.rdapSearchCost : 1);
        if (!allowed.ok) {
          answer = {
            status: 429,
            body: errorBody(429, 'Too Many Requests', [`at most ${config.rdapRateLimitPerMinute} lookups per minute from one client (a search counts ${config.rdapSearchCost}); retry after ${allowed.retryAfterSeconds} s`]),
            headers: { 'retry-after': String(allowed.retryAfterSeconds) },
          };
        } else {
          const ctx: RdapContext = {
            base: this.base.href, requestUrl: this.base.origin + target, terms: config.termsOfUse, termsUrl: this.termsUrl, asOf: data.asOf().toISOString(),
            ...(config.port43 ? { port43: config.port43 } : {}),
          };
          answer = await answerRdap(query, data, ctx, config.searchMaxResults, this.templates);
        }
      }
    } catch (err) {
      log.error({ err, target }, 'RDAP query failed');
      answer = { status: 500, body: errorBody(500, 'Internal Server Error', ['the query could not be answered; please try again later']) };
    }
    if (!res.destroyed) this.send(req, res, answer);
    metrics?.record('rdap', type, String(answer.status), (performance.now() - started) / 1000);
  }

  /** `exclusive`: bind the port in this process (see listenOn). */
  listen(port: number, host: string, exclusive = false): Promise<void> {
    return listenOn(this.server, port, host, exclusive);
  }

  get port(): number { return boundPort(this.server); }

  /** Stops accepting, lets requests in progress finish (up to the deadline), closes keep-alive connections. */
  async close(deadlineMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const t = setTimeout(() => this.server.closeAllConnections(), deadlineMs);
    t.unref();
    await closed;
    clearTimeout(t);
  }
}
