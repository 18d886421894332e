/**
 * The supervisor: forks children by kind (node:cluster, so EPP children share the port), restarts
 * crashed ones with back-off, serves /metrics (aggregated), /health and /ready, and drains
 * everything on SIGTERM/SIGINT. It owns no registry logic.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import client from 'prom-client';
import type { RegistryConfig } from '../src/config.js';
import type { Logger } from '../src/util/log.js';
import { CHILD_KINDS, type ChildKind } from './child-kinds.js';
import type { ChildMessage, DatabaseStatus, SupervisorMessage } from './child-runtime.js';

interface Slot {
  kind: string;
  index: number;
  worker?: Worker;
  ready: boolean;
  /** Last database reachability the child reported (children that do not report count as available). */
  database?: DatabaseStatus;
  /** Alarms the child last reported (e.g. DNS publication behind): shown by /health, not /ready. */
  alarms?: string[];
  restarts: number;
  recentCrashes: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
}

export interface SupervisorOptions {
  config: RegistryConfig;
  log: Logger;
  kinds?: Record<string, ChildKind>;
  /** Called after every child has stopped (e.g. to stop the embedded Postgres). */
  onStopped?: () => Promise<void>;
  /** Back-off base and cap for restarts. */
  backoff?: { baseMs: number; maxMs: number; stableMs: number };
}

export class Supervisor {
  private readonly slots: Slot[] = [];
  private stopping = false;
  private http: Server | undefined;
  private readonly aggregator = new client.AggregatorRegistry();
  private readonly own = new client.Registry();
  private readonly restartsTotal = new client.Counter({ name: 'registry_supervisor_restarts_total', help: 'Children restarted after an unexpected exit', labelNames: ['kind'] as const, registers: [this.own] });
  private readonly childrenUp = new client.Gauge({ name: 'registry_supervisor_children_up', help: 'Children running and ready', labelNames: ['kind'] as const, registers: [this.own] });
  private readonly backoff: NonNullable<SupervisorOptions['backoff']>;
  private resolveStopped!: () => void;
  readonly stopped = new Promise<void>((r) => { this.resolveStopped = r; });

  constructor(private readonly opts: SupervisorOptions) {
    this.backoff = opts.backoff ?? { baseMs: 250, maxMs: 30_000, stableMs: 60_000 };
  }

  async start(): Promise<void> {
    const kinds = this.opts.kinds ?? CHILD_KINDS;
    for (const [kind, spec] of Object.entries(kinds)) {
      for (let i = 0; i < spec.count(this.opts.config); i++) this.slots.push({ kind, index: i, ready: false, restarts: 0, recentCrashes: 0, startedAt: 0 });
    }
    // Before the first fork: node:cluster fixes the policy of shared ports then (epp.accept).
    cluster.schedulingPolicy = this.opts.config.epp.accept === 'kernel' ? cluster.SCHED_NONE : cluster.SCHED_RR;
    for (const slot of this.slots) this.fork(slot, kinds[slot.kind]!);
    await this.serveHealth();
    process.on('SIGTERM', () => void this.stop('SIGTERM'));
    process.on('SIGINT', () => void this.stop('SIGINT'));
  }

  private fork(slot: Slot, spec: ChildKind): void {
    cluster.setupPrimary({ exec: fileURLToPath(new URL(spec.entry, import.meta.url)), silent: false });
    const worker = cluster.fork({ REGISTRY_CONFIG_JSON: JSON.stringify(this.opts.config), REGISTRY_CHILD_KIND: slot.kind });
    slot.worker = worker;
    slot.ready = false;
    slot.database = undefined;
    slot.alarms = undefined;
    slot.startedAt = Date.now();
    worker.on('message', (m: ChildMessage) => {
      if (m?.type === 'ready') {
        slot.ready = true;
        this.updateGauge();
        this.opts.log.info({ kind: slot.kind, pid: worker.process.pid, ...m.detail }, 'child ready');
      } else if (m?.type === 'alarms') {
        slot.alarms = m.alarms.length ? m.alarms : undefined;
      } else if (m?.type === 'status') {
        slot.database = m.database;
        this.opts.log[m.database === 'available' ? 'info' : 'warn']({ kind: slot.kind, pid: worker.process.pid, database: m.database }, 'child database status');
      }
    });
    worker.on('exit', (code, signal) => {
      slot.worker = undefined;
      slot.ready = false;
      this.updateGauge();
      if (this.stopping) return;
      // A child that stayed up long enough starts its back-off afresh.
      if (Date.now() - slot.startedAt > this.backoff.stableMs) slot.recentCrashes = 0;
      const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** slot.recentCrashes);
      slot.recentCrashes++;
      slot.restarts++;
      this.restartsTotal.inc({ kind: slot.kind });
      this.opts.log.warn({ kind: slot.kind, pid: worker.process.pid, code, signal, restartInMs: delay }, 'child exited unexpectedly; restarting');
      slot.timer = setTimeout(() => { slot.timer = undefined; if (!this.stopping) this.fork(slot, (this.opts.kinds ?? CHILD_KINDS)[slot.kind]!); }, delay);
    });
  }

  private updateGauge(): void {
    const byKind = new Map<string, number>();
    for (const s of this.slots) byKind.set(s.kind, (byKind.get(s.kind) ?? 0) + (s.ready ? 1 : 0));
    for (const [kind, n] of byKind) this.childrenUp.set({ kind }, n);
  }

  health(): { status: 'ok' | 'degraded' | 'stopping'; database: DatabaseStatus; alarms: string[]; children: { kind: string; pid?: number; ready: boolean; database?: DatabaseStatus; alarms?: string[]; restarts: number }[] } {
    const children = this.slots.map((s) => ({
      kind: s.kind, ...(s.worker?.process.pid ? { pid: s.worker.process.pid } : {}), ready: s.ready,
      ...(s.database ? { database: s.database } : {}), ...(s.alarms ? { alarms: s.alarms } : {}), restarts: s.restarts,
    }));
    // Alarms make the node "degraded" in /health for monitoring, but a load balancer's /ready
    // only cares whether it can serve.
    const alarms = [...new Set(children.flatMap((c) => c.alarms ?? []))];
    // A node whose children cannot reach a database primary cannot serve: a load balancer should
    // send registrars to the other node (children report this only after their failover wait).
    const database: DatabaseStatus = children.some((c) => c.database === 'unavailable') ? 'unavailable' : 'available';
    const serving = children.every((c) => c.ready) && database === 'available';
    const status = this.stopping ? 'stopping' : serving && alarms.length === 0 ? 'ok' : 'degraded';
    return { status, database, alarms, children };
  }

  private serveHealth(): Promise<void> {
    const { host, port } = this.opts.config.metrics;
    this.http = createServer((req, res) => {
      const url = req.url ?? '/';
      if (url === '/health' || url === '/ready') {
        const h = this.health();
        // /health: the supervisor is alive and at least one child serves; /ready: all children
        // ready and a database primary reachable from them.
        const ok = url === '/health' ? h.status !== 'stopping' && h.children.some((c) => c.ready)
          : h.status !== 'stopping' && h.children.every((c) => c.ready) && h.database === 'available';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify(h));
        return;
      }
      if (url === '/metrics') {
        Promise.all([this.aggregator.clusterMetrics(), this.own.metrics()]).then(([children, own]) => {
          res.writeHead(200, { 'content-type': this.aggregator.contentType });
          res.end(children + '\n' + own);
        }, (err: Error) => { res.writeHead(500); res.end(err.message); });
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    });
    return new Promise((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(port, host, () => resolve());
    });
  }

  /** Drains every child (in-flight commands finish within the grace period), then stops. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const graceMs = this.opts.config.epp.shutdownGraceSeconds * 1000;
    this.opts.log.info({ reason, graceMs }, 'supervisor stopping');
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      const w = slot.worker;
      if (!w) continue;
      exits.push(new Promise<void>((resolve) => {
        const kill = setTimeout(() => { w.process.kill('SIGKILL'); }, graceMs + 5000);
        w.once('exit', () => { clearTimeout(kill); resolve(); });
        try { w.send({ type: 'shutdown', graceMs } satisfies SupervisorMessage); } catch { w.process.kill('SIGTERM'); }
      }));
    }
    await Promise.all(exits);
    await new Promise<void>((r) => (this.http ? this.http.close(() => r()) : r()));
    try { await this.opts.onStopped?.(); } catch (err) { this.opts.log.error({ err }, 'error after children stopped'); }
    this.opts.log.info('supervisor stopped');
    this.resolveStopped();
  }
}
