/**
 * An EPP front-end started in-process over a fresh test database, with two accredited registrars,
 * a registry CA, and clients that validate every document the server sends against the schemas.
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { defaults, type ClientCertMode, type RegistryConfig } from '../../src/config.js';
import { startEppApp, type EppApp } from '../../src/app/epp-app.js';
import { ensurePki } from '../../src/app/bootstrap.js';
import { addZone } from '../../src/admin/zones.js';
import { createRegistrar, issueCert } from '../../src/admin/registrars.js';
import { createCsr, type KeyAndCert } from '../../src/pki/ca.js';
import { readFileSync } from 'node:fs';
import { EppClient, loginXml } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { createTestDb, type TestDb } from './db.js';
import { assertValidEpp } from './schema.js';

export const PASSWORDS: Record<string, string> = { 'reg-a': 'Secret-a-123', 'reg-b': 'Secret-b-456' };

export interface Harness {
  app: EppApp;
  config: RegistryConfig;
  t: TestDb;
  ca: KeyAndCert;
  certs: Record<string, { cert: string; key: string }>;
  dir: string;
  connect(opts?: { cert?: string; key?: string }): Promise<ValidatingClient>;
  login(clID: string, opts?: { cert?: string; key?: string; objURIs?: string[]; extURIs?: string[] }): Promise<ValidatingClient>;
  close(): Promise<void>;
}

/** Wraps the bench client: every greeting and response is schema-validated before the test sees it. */
export class ValidatingClient {
  constructor(readonly raw: EppClient) { assertValidEpp(raw.greeting); }
  get greeting(): string { return this.raw.greeting; }
  async request(xml: string): Promise<string> {
    const res = await this.raw.request(xml);
    assertValidEpp(res);
    return res;
  }
  close(): Promise<void> | void { return this.raw.close(); }
}

export interface HarnessOptions {
  clientCertMode?: ClientCertMode;
  maxFailedLogins?: number;
  maxSessions?: number;
  clock?: () => Date;
  tweak?: (c: RegistryConfig) => void;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const t = await createTestDb();
  const dir = mkdtempSync(join(tmpdir(), 'registry-test-'));
  chmodSync(dir, 0o755);
  const config = defaults(dir);
  config.database.primary = t.url;
  config.database.poolSize = 5;
  config.epp.port = 0;
  config.epp.clientCertMode = opts.clientCertMode ?? 'none';
  config.epp.maxFailedLogins = opts.maxFailedLogins ?? 5;
  config.workers.threads = 1;
  config.log.level = 'warn';
  opts.tweak?.(config);
  const log = pino({ level: 'warn' }, pino.destination({ dest: join(dir, 'test.log'), sync: true }));
  const ca = ensurePki(config, log);
  await addZone(t.db.primary, 'example');
  const certs: Harness['certs'] = {};
  for (const clID of ['reg-a', 'reg-b']) {
    await createRegistrar(t.db.primary, { clientId: clID, name: `Registrar ${clID}`, password: PASSWORDS[clID]!, ips: ['127.0.0.0/8', '::1/128'], zones: ['example'], maxSessions: opts.maxSessions ?? 10 });
    const { keyPem, csrPem } = createCsr(clID);
    const issued = await issueCert(t.db.primary, ca, clID, csrPem);
    certs[clID] = { cert: issued.certPem, key: keyPem };
  }
  const app = await startEppApp({ config, log, port: 0, ...(opts.clock ? { clock: opts.clock } : {}) });
  const caPem = readFileSync(config.epp.caCertFile);
  const h: Harness = {
    app, config, t, ca, certs, dir,
    async connect(c = {}) {
      const raw = await EppClient.connect({ host: '127.0.0.1', port: app.server.port, ca: caPem, servername: 'localhost', ...(c.cert ? { cert: c.cert, key: c.key! } : {}) });
      return new ValidatingClient(raw);
    },
    async login(clID, o = {}) {
      const c = await h.connect(o.cert ? { cert: o.cert, key: o.key! } : {});
      const res = await c.request(loginXml({ clID, pw: PASSWORDS[clID]!, objURIs: o.objURIs ?? [NS.domain], extURIs: o.extURIs ?? [] }));
      if (!res.includes('code="1000"')) throw new Error(`login of ${clID} failed: ${res}`);
      return c;
    },
    async close() {
      await app.close(2000);
      await t.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}
