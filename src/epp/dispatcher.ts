/**
 * The command engine: the one place that executes commands and the only catch. EppErrors become
 * their result; anything unexpected becomes 2400 (and is logged). Every command is audited.
 */
import { randomBytes } from 'node:crypto';
import type { RegistryConfig } from '../config.js';
import { CommitOutcomeUnknownError, type Database } from '../db/pool.js';
import { AuditWriter, insertAudit, type AuditEntry } from '../db/queries/audit.js';
import { closeSession } from '../db/queries/sessions.js';
import type { Metrics } from '../metrics.js';
import type { Command, WireFailure } from '../proto/index.js';
import type { RegistrarCache } from '../security/registrar-cache.js';
import type { ZoneCache } from '../registry/zone-cache.js';
import type { PriceCache } from '../billing/prices.js';
import type { NameLookup } from '../db/queries/name-lookup.js';
import type { Logger } from '../util/log.js';
import { renderGreeting, renderResponse, type EppResponse } from '../xml/render.js';
import { AuthenticationClosingError, CommandUseError, EppError, UnimplementedCommandError, UnimplementedExtensionError, UnimplementedObjectServiceError } from './errors.js';
import type { Flow, FlowResult } from './flow.js';
import { flowsByCommand, servedExtensionUris, servedObjectUris } from './flow-picker.js';
import { login } from './flows/session/login.js';
import { closesSession, messageFor, type ErrValue, type Failure } from './result.js';
import type { SessionState } from './session-state.js';

export interface EngineDeps {
  db: Database;
  cache: RegistrarCache;
  config: RegistryConfig;
  instanceId: string;
  clock: () => Date;
  log: Logger;
  metrics?: Metrics;
  zones: ZoneCache;
  prices: PriceCache;
  names: NameLookup;
  flows?: ReadonlyMap<string, Flow>;
}

export interface Outcome { xml: string; close: boolean; code: number; command: string }

/** svTRIDs: instance prefix + time + counter, unique across processes and restarts (3-64 chars). */
export class TridSource {
  private counter = 0;
  private readonly prefix: string;
  constructor(instanceId: string) { this.prefix = instanceId.replace(/-/g, '').slice(0, 8) + randomBytes(2).toString('hex'); }
  next(now: Date): string { return `${this.prefix}-${now.getTime().toString(36)}-${(++this.counter).toString(36)}`; }
}

export class CommandEngine {
  readonly flows: ReadonlyMap<string, Flow>;
  readonly served: { objUris: string[]; extUris: string[] };
  private readonly trids: TridSource;
  private readonly audit: AuditWriter;
  private greetingCache: { second: number; xml: string } | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.flows = deps.flows ?? flowsByCommand;
    this.served = { objUris: servedObjectUris(this.flows.values()), extUris: servedExtensionUris(this.flows.values()) };
    this.trids = new TridSource(deps.instanceId);
    this.audit = new AuditWriter(() => deps.db.primary, (err) => deps.log.error({ err }, 'audit write failed'));
  }

  /** The greeting (RFC 5730 §2.4), rendered at most once per second. */
  greeting(): string {
    const now = this.deps.clock();
    const second = Math.floor(now.getTime() / 1000);
    if (this.greetingCache?.second !== second) {
      this.greetingCache = { second, xml: renderGreeting({ svId: this.deps.config.epp.svId, ...this.served }, now) };
    }
    return this.greetingCache.xml;
  }

  /** Answers a frame the worker could not turn into a command (schema or well-formedness failure). */
  parseFailure(f: WireFailure, session: SessionState, startedAt: bigint): Outcome {
    const now = this.deps.clock();
    const svTrid = this.trids.next(now);
    const values: ErrValue[] = (f.values ?? []).map((v) => ({
      ...(v.reason ? { reason: v.reason } : {}),
      ...(v.hasElement && v.local ? { element: { ns: v.ns ?? '', local: v.local, ...(v.text ? { text: v.text } : {}), ...(v.attrs && Object.keys(v.attrs).length ? { attrs: v.attrs } : {}) } } : {}),
    }));
    const failure: Failure = { code: f.code, msg: messageFor(f.code), values };
    return this.finish('invalid', session, now, svTrid, f.clTrid, { failure }, startedAt, undefined);
  }

  async execute(cmd: Command, session: SessionState, startedAt: bigint): Promise<Outcome> {
    if (cmd.name === 'hello') {
      this.deps.metrics?.eppCommands.inc({ command: 'hello', code: 'greeting' });
      return { xml: this.greeting(), close: false, code: 0, command: 'hello' };
    }
    const now = this.deps.clock();
    const svTrid = this.trids.next(now);
    let result: { ok: FlowResult } | { failure: Failure };
    let auditedInTx = false;
    try {
      if (cmd.name === 'login') {
        await login({ ...this.deps, served: this.served }, session, cmd.login!, now);
        result = { ok: {} };
      } else if (!session.registrar) {
        throw new CommandUseError('log in first');
      } else if (cmd.name === 'logout') {
        if (session.dbSessionId !== undefined) await closeSession(this.deps.db.primary, session.dbSessionId);
        session.dbSessionId = undefined;
        result = { ok: { code: 1500 } };
      } else {
        // A registrar disabled, or an address taken off its allow-list, since this session logged in
        // ends here (the cached credentials follow NOTIFY, so within a second in every process).
        const current = await this.deps.cache.get(session.registrar.clientId);
        if (!current || !current.enabled) throw new AuthenticationClosingError('the registrar account is disabled');
        if (!current.allow.has(session.remoteIp)) throw new AuthenticationClosingError(`${session.remoteIp} is no longer on the registrar's allow-list`);
        const flow = this.flows.get(cmd.name);
        if (!flow) throw new UnimplementedCommandError(`${cmd.name} is not implemented`);
        if (flow.objectUri && !session.objUris.has(flow.objectUri)) {
          throw new UnimplementedObjectServiceError(`${flow.objectUri} was not requested at login`);
        }
        for (const uri of cmd.extUris ?? []) {
          if (!session.extUris.has(uri) || !(flow.extensions ?? []).includes(uri)) {
            throw new UnimplementedExtensionError(`extension ${uri} is not available for ${cmd.name}`);
          }
        }
        const ctxBase = { registrar: session.registrar, now, svTrid, ...(cmd.clTrid !== undefined ? { clTrid: cmd.clTrid } : {}), config: this.deps.config, extUris: session.extUris, zones: this.deps.zones, prices: this.deps.prices, names: this.deps.names };
        if (flow.mutating) {
          // One transaction per transform: the flow's writes and its audit row commit together.
          result = { ok: await this.deps.db.tx(async (tx) => {
            const r = await flow.run({ ...ctxBase, db: tx }, cmd);
            await insertAudit(tx, [this.auditEntry(cmd.name, session, now, svTrid, cmd, r.code ?? 1000, startedAt, r.object)]);
            return r;
          }) };
          auditedInTx = true;
        } else {
          result = { ok: await flow.run({ ...ctxBase, db: this.deps.db.primary }, cmd) };
        }
      }
    } catch (err) {
      if (err instanceof EppError) {
        result = { failure: err.toFailure() };
      } else if (err instanceof CommitOutcomeUnknownError) {
        // The primary went away during COMMIT: the change may exist or not. Say exactly that.
        this.deps.log.error({ err, command: cmd.name, svTrid, clTrid: cmd.clTrid, member: err.member, commitOutcome: 'unknown' },
          'commit outcome unknown: the change may or may not have been applied; answered 2400');
        result = { failure: { code: 2400, msg: messageFor(2400) } };
      } else {
        this.deps.log.error({ err, command: cmd.name, svTrid }, 'unexpected failure in command');
        result = { failure: { code: 2400, msg: messageFor(2400) } };
      }
    }
    if (cmd.name === 'login' && 'failure' in result) {
      // Refused logins are audited before the answer: their rows are what the failed-login
      // limit counts. Accepted ones join the batched audit rows below, like queries.
      const code = result.failure.code;
      await insertAudit(this.deps.db.primary, [this.auditEntry('login', session, now, svTrid, cmd, code, startedAt)])
        .catch((err) => this.deps.log.error({ err }, 'audit write failed'));
      this.deps.log.warn({ clID: cmd.login?.clId, remote: session.remoteIp, code, svTrid }, 'login refused');
      auditedInTx = true;
    }
    return this.finish(cmd.name, session, now, svTrid, cmd.clTrid, result, startedAt, auditedInTx ? undefined : cmd);
  }

  private auditEntry(command: string, session: SessionState, now: Date, svTrid: string, cmd: Command | undefined, code: number, startedAt: bigint, object?: { type: string; id: string }): AuditEntry {
    return {
      at: now,
      ...(session.registrar ? { registrarId: session.registrar.id, clientId: session.registrar.clientId } : cmd?.login ? { clientId: cmd.login.clId } : {}),
      clientIp: session.remoteIp,
      ...(cmd?.clTrid !== undefined ? { clTrid: cmd.clTrid } : {}),
      svTrid,
      command,
      ...(object ? { objectType: object.type, objectId: object.id } : {}),
      resultCode: code,
      durationMs: Number(process.hrtime.bigint() - startedAt) / 1e6,
      ...(cmd?.maskedRequest ? { request: cmd.maskedRequest } : {}),
    };
  }

  private finish(command: string, session: SessionState, now: Date, svTrid: string, clTrid: string | undefined,
    result: { ok: FlowResult } | { failure: Failure }, startedAt: bigint, auditCmd: Command | undefined): Outcome {
    let response: EppResponse;
    let code: number;
    if ('ok' in result) {
      code = result.ok.code ?? 1000;
      response = {
        results: [{ code, msg: messageFor(result.ok.code ?? 1000) }],
        ...(result.ok.msgQ ? { msgQ: result.ok.msgQ } : {}),
        ...(result.ok.resData ? { resData: result.ok.resData } : {}),
        ...(result.ok.extension ? { extension: result.ok.extension } : {}),
        svTrid,
        ...(clTrid !== undefined ? { clTrid } : {}),
      };
    } else {
      code = result.failure.code;
      response = {
        results: [{ code, msg: result.failure.msg, ...(result.failure.values?.length ? { values: result.failure.values } : {}) }],
        svTrid,
        ...(clTrid !== undefined ? { clTrid } : {}),
      };
    }
    if (auditCmd || command === 'invalid') {
      this.audit.add(this.auditEntry(command, session, now, svTrid, auditCmd, code, startedAt,
        'ok' in result ? result.ok.object : undefined));
    }
    const m = this.deps.metrics;
    if (m) {
      m.eppCommands.inc({ command, code: String(code) });
      m.eppLatency.observe({ command }, Number(process.hrtime.bigint() - startedAt) / 1e9);
      if (command === 'login' && code !== 1000) m.loginFailures.inc({ code: String(code) });
    }
    return { xml: renderResponse(response), close: closesSession(code), code, command };
  }

  /** 2500 for a broken byte stream (bad frame length): answered, audited, then the connection closes. */
  connectionFailure(session: SessionState, reason: string): string {
    const now = this.deps.clock();
    return this.finish('invalid', session, now, this.trids.next(now), undefined,
      { failure: { code: 2500, msg: messageFor(2500), values: [{ reason }] } }, process.hrtime.bigint(), undefined).xml;
  }

  /** A connection ended: release its session slot. */
  async sessionClosed(session: SessionState): Promise<void> {
    if (session.dbSessionId !== undefined) {
      const id = session.dbSessionId;
      session.dbSessionId = undefined;
      await closeSession(this.deps.db.primary, id).catch((err) => this.deps.log.warn({ err }, 'could not close session row'));
    }
  }

  flushAudit(): Promise<void> { return this.audit.flush(); }
}
