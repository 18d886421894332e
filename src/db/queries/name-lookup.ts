/**
 * Which domain names are registered or reserved, looked up for many commands at once.
 *
 * The checks of every session that arrive together (one event-loop turn's parse batch, see
 * src/epp/parse-batch.ts) each need one index lookup. Sent one by one, each costs a database
 * round trip, which is most of what a domain:check costs the front-end and Postgres. DataLoader
 * collects the names asked for in the same turn and sends them as one statement. Nothing is
 * cached: every batch is read after all its commands arrived, so each check sees every change
 * committed before it was received, as if it had queried alone.
 */
import DataLoader from 'dataloader';
import { sql, type Queryable } from '../pool.js';

export interface NameRow {
  name: string;
  kind: 'domain' | 'reserved';
  zone_id: number;
  registrar_id: number | null;
  token_sha256: string | null;
  token_expires_at: Date | null;
  reason: string | null;
}

/** At most this many names per statement (a check asks for at most epp.maxCheckNames). */
const MAX_BATCH = 500;

/** One statement for both: names registered, and names reserved. Rows for every name asked. */
export function lookupNames(db: Queryable, names: readonly string[]): Promise<NameRow[]> {
  return db.query(sql`
    SELECT name, 'domain' AS kind, zone_id, NULL::int AS registrar_id, NULL AS token_sha256, NULL::timestamptz AS token_expires_at, NULL AS reason
      FROM domains WHERE name = ANY(${names})
    UNION ALL
    SELECT name, 'reserved', zone_id, registrar_id, token_sha256, token_expires_at, reason
      FROM reserved_names WHERE name = ANY(${names})`) as Promise<NameRow[]>;
}

export class NameLookup {
  private readonly loader: DataLoader<string, NameRow[]>;

  /** `onBatch` hears of every statement, with the number of names it carries (for metrics). */
  constructor(db: () => Queryable, onBatch?: (names: number) => void) {
    this.loader = new DataLoader(async (keys) => {
      onBatch?.(keys.length);
      const byName = new Map<string, NameRow[]>();
      for (const r of await lookupNames(db(), keys)) {
        const list = byName.get(r.name);
        if (list) list.push(r); else byName.set(r.name, [r]);
      }
      return keys.map((k) => byName.get(k) ?? []);
    }, { cache: false, maxBatchSize: MAX_BATCH });
  }

  /** The rows for these names (a failed statement fails every command in its batch). */
  async rows(names: readonly string[]): Promise<NameRow[]> {
    if (names.length === 0) return [];
    const per = await this.loader.loadMany(names);
    const out: NameRow[] = [];
    for (const r of per) {
      if (r instanceof Error) throw r;
      out.push(...r);
    }
    return out;
  }
}
