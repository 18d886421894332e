/**
 * One EPP front-end per test file for the object flows: two registrars logged in with every
 * object and secDNS, an injected clock the tests move, and shortcuts that create the objects a
 * test needs (each asserting success). Every response has been validated against the schemas.
 */
import { expect } from 'vitest';
import { resultCode } from '../../../src/epp/client.js';
import type { ConnectionPool } from '../../../src/db/pool.js';
import { accredit, addZone } from '../../../src/admin/zones.js';
import { NS } from '../../../src/xml/namespaces.js';
import { startHarness, type Harness, type ValidatingClient } from '../../helpers/harness.js';
import { contactCreateXml, domainCheckXml, domainCreateXml, extValue, hostCreateXml, type ContactCreate, type DomainCreate } from '../../helpers/xml.js';

export const ALL_OBJECTS = [NS.domain, NS.host, NS.contact];
export const DAY = 86_400_000;

export interface ObjectsHarness {
  h: Harness;
  /** Registrar reg-a and registrar reg-b, each logged in with every object and secDNS-1.1. */
  a: ValidatingClient;
  b: ValidatingClient;
  db: ConnectionPool;
  now(): Date;
  setNow(iso: string | Date): void;
  advanceDays(days: number): void;
  /** A fresh name: `${prefix}-<n>` (unique in this file). */
  uniq(prefix: string): string;
  /** Sends and expects this result code; returns the response. */
  expectCode(c: ValidatingClient, xml: string, code: number): Promise<string>;
  /**
   * Sends and expects a failure with this code whose <extValue> names the offending element
   * (RFC 5730 §3): its local name, and its text and attributes when given.
   */
  fails(c: ValidatingClient, xml: string, code: number, where: { local: string; ns?: string; text?: string; attrs?: Record<string, string> }): Promise<string>;
  contact(c: ValidatingClient, o?: Partial<ContactCreate>): Promise<string>;
  /** A domain in .example with a fresh registrant of the same registrar; returns its name. */
  domain(c: ValidatingClient, o?: Partial<DomainCreate> & { label?: string }): Promise<string>;
  host(c: ValidatingClient, name: string, addrs?: string[]): Promise<string>;
  /** Adds a zone with a policy (reg-a accredited, reg-b too unless onlyA) and waits until it is served. */
  zone(name: string, policy: Record<string, unknown>, o?: { onlyA?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function objectsHarness(o: { start?: string; maxSessions?: number; poolSize?: number } = {}): Promise<ObjectsHarness> {
  let now = new Date(o.start ?? '2026-01-10T12:00:00.000Z');
  const h = await startHarness({
    clock: () => now,
    ...(o.maxSessions ? { maxSessions: o.maxSessions } : {}),
    ...(o.poolSize ? { tweak: (c) => { c.database.poolSize = o.poolSize!; } } : {}),
  });
  const a = await h.login('reg-a', { objURIs: ALL_OBJECTS, extURIs: [NS.secDNS] });
  const b = await h.login('reg-b', { objURIs: ALL_OBJECTS, extURIs: [NS.secDNS] });
  let n = 0;
  const uniq = (prefix: string) => `${prefix}-${++n}`;
  const expectCode = async (c: ValidatingClient, xml: string, code: number) => {
    const res = await c.request(xml);
    if (resultCode(res) !== code) expect.fail(`expected ${code}, got ${resultCode(res)}:\n${res}\nfor\n${xml}`);
    return res;
  };
  const x: ObjectsHarness = {
    h, a, b, db: h.t.db.primary,
    now: () => now,
    setNow(iso) { now = new Date(iso); },
    advanceDays(days) { now = new Date(now.getTime() + days * DAY); },
    uniq,
    expectCode,
    async fails(c, xml, code, where) {
      const res = await expectCode(c, xml, code);
      const v = extValue(res);
      expect(v, `no <extValue> in\n${res}`).toBeDefined();
      expect(v!.local).toBe(where.local);
      if (where.ns) expect(v!.ns).toBe(where.ns);
      if (where.text !== undefined) expect(v!.text).toBe(where.text);
      if (where.attrs) expect(v!.attrs).toMatchObject(where.attrs);
      return res;
    },
    async contact(c, o = {}) {
      const id = o.id ?? uniq('c');
      await expectCode(c, contactCreateXml({ ...o, id }), 1000);
      return id;
    },
    async domain(c, o = {}) {
      const name = o.name ?? `${o.label ?? uniq('d')}.example`;
      const registrant = o.registrant ?? await x.contact(c);
      await expectCode(c, domainCreateXml({ ...o, name, registrant }), 1000);
      return name;
    },
    async host(c, name, addrs = []) {
      await expectCode(c, hostCreateXml(name, addrs), 1000);
      return name;
    },
    async zone(name, policy, o = {}) {
      // Created with its policy in one statement, so the cache never holds the zone without it.
      await addZone(h.t.db.primary, name, policy);
      for (const clID of o.onlyA ? ['reg-a'] : ['reg-a', 'reg-b']) await accredit(h.t.db.primary, clID, name);
      // The front-end's zone cache reloads on NOTIFY zone:<id>; wait until the new zone is served.
      await expect.poll(async () => (await a.request(domainCheckXml([`probe.${name}`]))).includes('avail="1"'), { timeout: 5000, interval: 20 }).toBe(true);
    },
    async close() { await h.close(); },
  };
  return x;
}
