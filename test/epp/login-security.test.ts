/** Registrar security at <login>: passwords, failed-login limits, allow-lists, client certificates, session limits, newPW. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { EppClient, domainCheckXml, loginXml, resultCode } from '../../src/epp/client.js';
import { NS } from '../../src/xml/namespaces.js';
import { createCsr, selfSigned } from '../../src/pki/ca.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addIp, removeIp, setEnabled, setPassword } from '../../src/admin/registrars.js';
import { sql } from '../../src/db/pool.js';
import { startHarness, PASSWORDS, type Harness, type ValidatingClient } from '../helpers/harness.js';

const login = (clID: string, pw: string, extra: { newPW?: string } = {}) => loginXml({ clID, pw, objURIs: [NS.domain], extURIs: [], ...extra });
const closedPromise = (c: ValidatingClient) => new Promise<void>((r) => { if (c.raw.socket.destroyed) r(); else c.raw.socket.once('close', () => r()); });

describe('login: credentials and failed-login limit', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ maxFailedLogins: 3 }); });
  afterAll(async () => { await h.close(); });

  it('refuses a wrong password and an unknown clID with the same 2200; the third failure closes (2501)', async () => {
    const c = await h.connect();
    const wrong = await c.request(login('reg-b', 'not-the-password'));
    const unknown = await c.request(login('nobody', 'whatever-123'));
    expect(resultCode(wrong)).toBe(2200);
    expect(resultCode(unknown)).toBe(2200);
    expect(/<msg lang="en">([^<]+)<\/msg>/.exec(wrong)![1]).toBe(/<msg lang="en">([^<]+)<\/msg>/.exec(unknown)![1]);
    const third = await c.request(login('reg-b', 'still-wrong-1'));
    expect(resultCode(third)).toBe(2501);
    await closedPromise(c);
  });

  it('keeps refusing with 2501 while the window lasts, even with the right password', async () => {
    const c = await h.connect();
    const res = await c.request(login('reg-b', PASSWORDS['reg-b']!));
    expect(resultCode(res)).toBe(2501);
    await closedPromise(c);
    const [{ n }] = await h.t.db.primary.query(sql`SELECT count(*)::int AS n FROM audit_log WHERE command = 'login' AND result_code IN (2200, 2501)`);
    expect(n).toBeGreaterThanOrEqual(3);
  });
});

describe('login: password changes', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });

  it('changes the password with newPW: the old one stops working, the new one works', async () => {
    const c = await h.connect();
    expect(resultCode(await c.request(login('reg-a', PASSWORDS['reg-a']!, { newPW: 'Brand-new-789' })))).toBe(1000);
    await c.close();
    const d = await h.connect();
    expect(resultCode(await d.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2200);
    expect(resultCode(await d.request(login('reg-a', 'Brand-new-789')))).toBe(1000);
    await d.close();
  });

  it('refuses a weak newPW with 2306 and keeps the old password', async () => {
    const c = await h.connect();
    expect(resultCode(await c.request(login('reg-b', PASSWORDS['reg-b']!, { newPW: 'abcdef' })))).toBe(2306);
    expect(resultCode(await c.request(login('reg-b', PASSWORDS['reg-b']!)))).toBe(1000);
    await c.close();
  });

  it('sees a password changed by another process (the admin CLI) through NOTIFY', async () => {
    // Warm this process's cache with a successful login.
    const a = await h.login('reg-b');
    await a.close();
    const cli = fileURLToPath(new URL('../../dist/src/cli/registry.js', import.meta.url));
    await promisify(execFile)(process.execPath, [cli, 'registrar', 'password', 'reg-b', '--password', 'Rotated-pw-42'], {
      env: { ...process.env, REGISTRY_DATA_DIR: h.dir, REGISTRY_DATABASE_PRIMARY: h.t.url },
    });
    // The notice arrives asynchronously; within a second the old password must be refused.
    await expect.poll(async () => {
      const c = await h.connect();
      const code = resultCode(await c.request(login('reg-b', PASSWORDS['reg-b']!)));
      await c.close();
      return code;
    }, { timeout: 2000, interval: 100 }).toBe(2200);
    const c = await h.connect();
    expect(resultCode(await c.request(login('reg-b', 'Rotated-pw-42')))).toBe(1000);
    await c.close();
  });
});

describe('login: IP allow-lists', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });
  afterEach(async () => {
    for (const clID of ['reg-a', 'reg-b']) { await addIp(h.t.db.primary, clID, '127.0.0.0/8'); }
  });

  it('closes a connection from an address on no registrar\'s list before any XML is exchanged', async () => {
    for (const clID of ['reg-a', 'reg-b']) {
      await removeIp(h.t.db.primary, clID, '127.0.0.0/8');
      await addIp(h.t.db.primary, clID, '127.0.0.9/32');
    }
    await expect.poll(async () => {
      try {
        const c = await EppClient.connect({ host: '127.0.0.1', port: h.app.server.port, rejectUnauthorized: false, localAddress: '127.0.0.3', timeoutMs: 1500 });
        await c.close();
        return 'greeted';
      } catch { return 'closed'; }
    }, { timeout: 3000, interval: 100 }).toBe('closed');
  });

  it('refuses a login from an address not on that registrar\'s list (2200)', async () => {
    await removeIp(h.t.db.primary, 'reg-a', '127.0.0.0/8');
    await addIp(h.t.db.primary, 'reg-a', '127.0.0.7/32');
    await expect.poll(async () => {
      const c = await EppClient.connect({ host: '127.0.0.1', port: h.app.server.port, rejectUnauthorized: false, localAddress: '127.0.0.5' });
      const code = resultCode(await c.request(login('reg-a', PASSWORDS['reg-a']!)));
      await c.close();
      return code;
    }, { timeout: 3000, interval: 100 }).toBe(2200);
    const ok = await EppClient.connect({ host: '127.0.0.1', port: h.app.server.port, rejectUnauthorized: false, localAddress: '127.0.0.7' });
    expect(resultCode(await ok.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(1000);
    await ok.close();
    await removeIp(h.t.db.primary, 'reg-a', '127.0.0.7/32');
  });
});

describe('login: client certificates signed by the registry CA', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ clientCertMode: 'ca' }); });
  afterAll(async () => { await h.close(); });

  it('refuses no certificate, a foreign one and another registrar\'s; accepts the registrar\'s own', async () => {
    const none = await h.connect();
    expect(resultCode(await none.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2200);
    await none.close();
    const foreign = selfSigned('reg-a');
    const f = await h.connect({ cert: foreign.certPem, key: foreign.keyPem });
    expect(resultCode(await f.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2200);
    await f.close();
    const other = await h.connect({ cert: h.certs['reg-b']!.cert, key: h.certs['reg-b']!.key });
    expect(resultCode(await other.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2200);
    await other.close();
    const own = await h.connect({ cert: h.certs['reg-a']!.cert, key: h.certs['reg-a']!.key });
    expect(resultCode(await own.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(1000);
    await own.close();
  });

  it('binds a certificate the CLI issues from a registrar CSR, and stops accepting it once revoked', async () => {
    const cli = fileURLToPath(new URL('../../dist/src/cli/registry.js', import.meta.url));
    const env = { ...process.env, REGISTRY_DATA_DIR: h.dir, REGISTRY_DATABASE_PRIMARY: h.t.url };
    const run = (...args: string[]) => promisify(execFile)(process.execPath, [cli, ...args], { env });
    const { keyPem, csrPem } = createCsr('reg-b', 'ec-p256');
    const csrFile = join(h.dir, 'reg-b.csr');
    const certFile = join(h.dir, 'reg-b.crt');
    writeFileSync(csrFile, csrPem);
    const issued = await run('registrar', 'issue-cert', 'reg-b', '--csr', csrFile, '--out', certFile, '--days', '30');
    const fingerprint = /fingerprint ([0-9A-F:]{95})/.exec(issued.stdout)![1]!;
    const cert = readFileSync(certFile, 'utf8');
    const attempt = async () => {
      const c = await h.connect({ cert, key: keyPem });
      const code = resultCode(await c.request(login('reg-b', PASSWORDS['reg-b']!)));
      await c.close();
      return code;
    };
    await expect.poll(attempt, { timeout: 3000, interval: 100 }).toBe(1000);
    await run('registrar', 'revoke-cert', 'reg-b', fingerprint);
    await expect.poll(attempt, { timeout: 3000, interval: 100 }).toBe(2200);
  });
});

describe('login: any client certificate', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ clientCertMode: 'any' }); });
  afterAll(async () => { await h.close(); });

  it('refuses a login without a certificate and accepts one with any certificate', async () => {
    const none = await h.connect();
    expect(resultCode(await none.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2200);
    await none.close();
    const s = selfSigned('anything');
    const c = await h.connect({ cert: s.certPem, key: s.keyPem });
    expect(resultCode(await c.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(1000);
    await c.close();
  });
});

describe('login: session limit', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness({ maxSessions: 2 }); });
  afterAll(async () => { await h.close(); });

  it('answers 2502 and closes beyond the registrar\'s limit; a slot frees when a session ends', async () => {
    const one = await h.login('reg-a');
    const two = await h.login('reg-a');
    const three = await h.connect();
    const closed = closedPromise(three);
    expect(resultCode(await three.request(login('reg-a', PASSWORDS['reg-a']!)))).toBe(2502);
    await closed;
    // Other registrars are unaffected.
    const b = await h.login('reg-b');
    await b.close();
    await one.close();
    await expect.poll(async () => {
      const c = await h.connect();
      const code = resultCode(await c.request(login('reg-a', PASSWORDS['reg-a']!)));
      await c.close();
      return code;
    }, { timeout: 3000, interval: 100 }).toBe(1000);
    await two.close();
  });
});

describe('admin: password set through the library', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });

  it('generates a policy-conforming password when none is given', async () => {
    const pw = await setPassword(h.t.db.primary, 'reg-a');
    expect(pw.length).toBeGreaterThanOrEqual(8);
    const c = await h.connect();
    expect(resultCode(await c.request(login('reg-a', pw)))).toBe(1000);
    await c.close();
  });
});

describe('open sessions follow registrar changes', () => {
  let h: Harness;
  beforeAll(async () => { h = await startHarness(); });
  afterAll(async () => { await h.close(); });

  /** NOTIFY reaches the front-end asynchronously: send harmless commands until one is refused. */
  const untilRefused = async (c: ValidatingClient): Promise<string> => {
    for (let i = 0; i < 200; i++) {
      const res = await c.request(domainCheckXml(['probe.example']));
      if (resultCode(res) !== 1000) return res;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('the session was never refused');
  };

  it('ends a session of a registrar disabled since it logged in (2501, then close)', async () => {
    const c = await h.login('reg-a');
    expect(resultCode(await c.request(domainCheckXml(['probe.example'])))).toBe(1000);
    await setEnabled(h.t.db.primary, 'reg-a', false);
    try {
      const res = await untilRefused(c);
      expect(resultCode(res)).toBe(2501);
      expect(res).toContain('disabled');
      await closedPromise(c);
    } finally {
      await setEnabled(h.t.db.primary, 'reg-a', true);
    }
  });

  it('ends a session whose address was taken off the allow-list', async () => {
    const c = await h.login('reg-b');
    await removeIp(h.t.db.primary, 'reg-b', '127.0.0.0/8');
    const res = await untilRefused(c);
    expect(resultCode(res)).toBe(2501);
    expect(res).toContain('allow-list');
    await closedPromise(c);
  });
});
