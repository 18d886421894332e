/**
 * Writes the pgbench script of one domain:create as the server really executes it: it parses the
 * bench's create request with the server's own schema validation and reader, runs the real
 * DomainCreateFlow and the engine's audit insert inside a transaction on the bench database,
 * records every statement the driver sends (text and parameters), and rolls back. Parameters
 * become SQL literals, so `pgbench -M prepared` plans each statement once; the domain name and
 * the svTRID become `:n` expressions so every transaction inserts a new name. A value a statement
 * takes from an earlier statement's one-row result (the new domain's id and ROID, which the charge
 * names) becomes a pgbench variable set by `\gset` after that statement; the script is for
 * `pgbench -M prepared`, where variables are sent as parameters.
 *
 *   node dist/bench/create-pgbench.js --db=postgres://… --clid=demo-a --registrant=bench-owner > create.pgbench
 */
import { createConnectionPool, sql } from '../src/db/pool.js';
import { insertAudit } from '../src/db/queries/audit.js';
import { NameLookup } from '../src/db/queries/name-lookup.js';
import { defaults } from '../src/config.js';
import { domainCreateXml } from '../src/epp/client.js';
import { DomainCreateFlow } from '../src/epp/flows/domain/domain-create.js';
import { PriceCache } from '../src/billing/prices.js';
import { ZoneCache } from '../src/registry/zone-cache.js';
import { parseAndValidate } from '../src/xml/validate.js';
import { toCommand } from '../src/xml/read.js';
import '../src/xml/readers.js';
import { flags } from './stats.js';

const MARK = 'zzpgbzz';

/** A parameter in the text form the pg driver sends (dates in ISO form, arrays as array literals). */
function textOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `{${v.map((x) => (x === null ? 'NULL' : `"${textOf(x).replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * A parameter as an untyped SQL literal: Postgres infers its type from the context, as it does
 * for the driver's parameters. pgbench reads every ":word" as a variable, even inside quotes, so
 * colons are written as E'\x3a'.
 */
function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const text = textOf(v);
  if (!text.includes(':')) return `'${text.replace(/'/g, "''")}'`;
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/:/g, '\\x3a')}'`;
}

/** A literal, with every occurrence of the marker replaced by a per-transaction value built from :n. */
function varying(v: unknown): string {
  const lit = literal(v);
  if (!lit.includes(MARK)) return lit;
  const quote = lit.startsWith("E'") ? "E'" : "'";
  return `(${lit.split(MARK).join(`' || ('p' || CAST(:n AS text)) || ${quote}`)})`;
}

/** Result columns whose values later statements may take: ids and ROIDs (unique enough to match by value). */
const DERIVED = /(^|_)(id|roid)$/;

/** Substitutes $1…$N right to left so that $1 never matches the start of $10; derived values become variables. */
function inline(text: string, values: readonly unknown[], derived: ReadonlyMap<string, string> = new Map()): string {
  let out = text;
  for (let i = values.length; i >= 1; i--) {
    const v = values[i - 1];
    const variable = v !== null && v !== undefined && (typeof v === 'number' || typeof v === 'string') ? derived.get(String(v)) : undefined;
    out = out.split(`$${i}`).join(variable ? `:${variable}` : varying(v));
  }
  return out.replace(/\s+/g, ' ').trim();
}

async function main(): Promise<void> {
  const f = flags(process.argv.slice(2));
  if (!f.db) throw new TypeError('--db=<connection string> is required');
  const clid = f.clid ?? 'demo-a';
  const registrant = f.registrant ?? 'bench-owner';
  const recorded: { text: string; values: readonly unknown[]; rows?: Record<string, unknown>[] }[] = [];
  let recording = false;
  const pool = createConnectionPool({
    connectionString: f.db, poolSize: 1,
    onQueryStart: (_q, formatted) => { if (recording) recorded.push({ ...formatted }); },
    onQueryResults: (_q, _formatted, rows) => { if (recording && recorded.length) recorded[recorded.length - 1]!.rows = rows as Record<string, unknown>[]; },
  });
  try {
    const [reg] = await pool.query(sql`SELECT id, client_id FROM registrars WHERE client_id = ${clid}`);
    if (!reg) throw new Error(`no registrar ${clid}`);
    // The same request the load generator sends for `create` (bench/epp-load.ts).
    const xml = domainCreateXml({ name: `${MARK}.example`, years: 1, registrant, pw: 'Bench-auth-1' });
    const parsed = parseAndValidate(Buffer.from(xml));
    if (!parsed.ok) throw new Error(`the bench request does not validate: ${JSON.stringify(parsed.failure)}`);
    const result = toCommand(parsed.doc, xml);
    parsed.doc.dispose();
    if (!result.command) throw new Error(`the bench request does not map: ${JSON.stringify(result.failure)}`);
    const cmd = result.command;
    const config = defaults();
    const zones = new ZoneCache(() => pool);
    await zones.all();
    // The price list is cached in the front-end too: load it before recording, as a warm process would have.
    const prices = new PriceCache(() => pool);
    await prices.standard(0);
    const now = new Date();
    const svTrid = `${MARK}-trid`;
    const rollback = new Error('rollback');
    await pool.tx(async (tx) => {
      recording = true;
      const r = await DomainCreateFlow.run({ db: tx, registrar: { id: reg.id, clientId: reg.client_id }, now, svTrid, config, extUris: new Set(), zones, prices, names: new NameLookup(() => pool) }, cmd);
      // The command engine's audit row, written in the same transaction (src/epp/dispatcher.ts).
      await insertAudit(tx, [{
        at: now, registrarId: reg.id, clientId: reg.client_id, clientIp: '127.0.0.1', svTrid, command: 'domain:create',
        ...(r.object ? { objectType: r.object.type, objectId: r.object.id } : {}), resultCode: r.code ?? 1000, durationMs: 1.5,
        ...(cmd.maskedRequest ? { request: cmd.maskedRequest } : {}),
      }]);
      recording = false;
      throw rollback;
    }).catch((err) => { if (err !== rollback) throw err; });
    // Values later statements take from a one-row result: set them with \gset, name them by column.
    const derived = new Map<string, string>();
    const body: string[] = [];
    recorded.forEach((q, i) => {
      body.push(`${inline(q.text, q.values, derived)}`);
      const row = q.rows?.length === 1 ? q.rows[0]! : undefined;
      const cols = row ? Object.entries(row).filter(([k, v]) => DERIVED.test(k) && v !== null && (typeof v === 'number' || typeof v === 'string')) : [];
      const used = cols.filter(([, v]) => recorded.slice(i + 1).some((later) => later.values.some((x) => String(x) === String(v))));
      if (used.length) {
        body.push(`\\gset r${i}_`);
        for (const [k, v] of used) derived.set(String(v), `r${i}_${k}`);
      } else {
        body[body.length - 1] += ';';
      }
    });
    const lines = [
      `-- One domain:create as src/epp/flows/domain/domain-create.ts and the engine's audit insert execute it,`,
      `-- recorded by bench/create-pgbench.ts (${recorded.length} statements in one transaction). For pgbench -M prepared.`,
      '\\set n random(1, 1000000000000)',
      'BEGIN;',
      ...body,
      'END;',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await pool.dispose();
  }
}

main().catch((err) => {
  process.stderr.write(`create-pgbench: ${err instanceof Error ? err.stack : String(err)}\n`, () => process.exit(1));
});
