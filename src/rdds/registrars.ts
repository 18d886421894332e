/**
 * Every registrar as WHOIS and RDAP publish it, held in memory (registrars are few) and reloaded
 * on NOTIFY registrar:<id>. Read from the primary: the notice comes from there.
 */
import { sql, type Queryable } from '../db/pool.js';
import type { CacheListener } from '../db/listen.js';

export interface RegistrarContactInfo { type: 'admin' | 'tech'; name: string; voice?: string; fax?: string; email: string }

export interface RegistrarInfo {
  id: number; clientId: string; name: string; enabled: boolean;
  ianaId?: number; url?: string; whoisServer?: string; rdapBaseUrl?: string;
  email?: string; abuseEmail?: string; abusePhone?: string; voice?: string; fax?: string;
  street: string[]; city?: string; sp?: string; pc?: string; cc?: string;
  contacts: RegistrarContactInfo[];
  createdAt: Date; updatedAt: Date;
}

export interface RegistrarSet {
  byId: Map<number, RegistrarInfo>;
  byIanaId: Map<number, RegistrarInfo>;
  byClientId: Map<string, RegistrarInfo>;
  list: RegistrarInfo[];
}

type Row = Record<string, unknown>;
const opt = <K extends string, T>(k: K, v: T | null | undefined): { [P in K]?: T } => (v == null || v === '' ? {} : { [k]: v }) as { [P in K]?: T };

function registrarOf(r: Row): RegistrarInfo {
  return {
    id: r.id as number, clientId: r.client_id as string, name: r.name as string, enabled: r.enabled as boolean,
    ...opt('ianaId', r.iana_id as number | null), ...opt('url', r.url as string | null), ...opt('whoisServer', r.whois_server as string | null),
    ...opt('rdapBaseUrl', r.rdap_base_url as string | null), ...opt('email', r.email as string | null),
    ...opt('abuseEmail', r.abuse_email as string | null), ...opt('abusePhone', r.abuse_phone as string | null),
    ...opt('voice', r.voice as string | null), ...opt('fax', r.fax as string | null),
    street: (r.street as string[] | null) ?? [], ...opt('city', r.city as string | null), ...opt('sp', r.sp as string | null),
    ...opt('pc', r.pc as string | null), ...opt('cc', r.cc as string | null),
    contacts: (r.rdds_contacts as RegistrarContactInfo[] | null) ?? [],
    createdAt: new Date(r.created_at as string), updatedAt: new Date(r.updated_at as string),
  };
}

export class RegistrarDirectory implements CacheListener {
  private loading: Promise<RegistrarSet> | undefined;
  private generation = 0;

  constructor(private readonly db: () => Queryable) {}

  all(): Promise<RegistrarSet> {
    if (!this.loading) {
      const gen = this.generation;
      // to_jsonb(r) - 'password_hash': new columns flow through, the secret never leaves the database.
      const p = this.db().query(sql`SELECT to_jsonb(r) - 'password_hash' AS r FROM registrars r ORDER BY r.id`).then((rows) => {
        const list = rows.map((x: { r: Row }) => registrarOf(x.r));
        return {
          list,
          byId: new Map(list.map((r) => [r.id, r])),
          byIanaId: new Map(list.filter((r) => r.ianaId !== undefined).map((r) => [r.ianaId!, r])),
          byClientId: new Map(list.map((r) => [r.clientId, r])),
        };
      });
      this.loading = p;
      p.then(() => { if (gen !== this.generation && this.loading === p) this.loading = undefined; },
        () => { if (this.loading === p) this.loading = undefined; });
    }
    return this.loading;
  }

  invalidate(key: string): void {
    if (key.startsWith('registrar:')) { this.generation++; this.loading = undefined; }
  }

  flushAll(): void { this.generation++; this.loading = undefined; }
}
