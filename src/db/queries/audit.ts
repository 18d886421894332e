/** The audit log: one row per EPP command and refused login; batched for queries, in-transaction for transforms. */
import { sql, type Queryable } from '../pool.js';

export interface AuditEntry {
  at: Date;
  registrarId?: number;
  clientId?: string;
  clientIp?: string;
  channel?: string;
  clTrid?: string;
  svTrid: string;
  command: string;
  objectType?: string;
  objectId?: string;
  resultCode: number;
  durationMs: number;
  request?: string;
}

function row(e: AuditEntry) {
  return sql`(${e.at}, ${e.registrarId ?? null}, ${e.clientId ?? null}, ${e.clientIp || null}, ${e.channel ?? 'epp'},
              ${e.clTrid ?? null}, ${e.svTrid}, ${e.command}, ${e.objectType ?? null}, ${e.objectId ?? null},
              ${e.resultCode}, ${e.durationMs}, ${e.request ?? null})`;
}

export async function insertAudit(db: Queryable, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.query(sql`
    INSERT INTO audit_log (at, registrar_id, client_id, client_ip, channel, cl_trid, sv_trid, command,
                           object_type, object_id, result_code, duration_ms, request)
    VALUES ${sql.join(entries.map(row), ',')}`);
}

/**
 * Buffers audit rows of commands that changed nothing and writes them in one multi-row insert
 * per tick, so a query-heavy load does not pay one round trip per command.
 */
export class AuditWriter {
  private buffer: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: () => Queryable, private readonly onError: (err: unknown) => void, private readonly delayMs = 50) {}

  add(e: AuditEntry): void {
    this.buffer.push(e);
    if (this.buffer.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.delayMs);
  }

  flush(): Promise<void> {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => insertAudit(this.db(), batch)).catch(this.onError);
    return this.flushing;
  }
}

/** Refused logins from this address or for this clID within the window (cluster-wide, survives restarts). */
export async function recentLoginFailures(db: Queryable, clientIp: string, clientId: string, since: Date): Promise<number> {
  const [r] = await db.query(sql`
    SELECT count(*)::int AS n FROM audit_log
     WHERE command = 'login' AND result_code IN (2200, 2501) AND at > ${since}
       AND (client_ip = ${clientIp}::inet OR client_id = ${clientId})`);
  return r.n;
}
