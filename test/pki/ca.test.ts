/** The registry CA: ECDSA server certificates, registrar CSRs of any accepted key type, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import tls from 'node:tls';
import forge from 'node-forge';
import { createCa, createCsr, issueServerCert, signClientCsr } from '../../src/pki/ca.js';

const ca = createCa('Test CA');
const caX = new X509Certificate(ca.certPem);

/** A CSR made by forge alone (RSA only), as an older registrar toolchain would. */
function forgeCsr(bits: number): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const priv = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  csr.setSubject([{ name: 'commonName', value: 'old' }]);
  csr.sign(priv, forge.md.sha256.create());
  return forge.pki.certificationRequestToPem(csr);
}

describe('server certificate', () => {
  const server = issueServerCert(ca, { dns: ['localhost', 'epp.example'], ips: ['127.0.0.1'] });
  const x = new X509Certificate(server.certPem);

  it('is an ECDSA P-256 certificate signed by the registry CA, with the SANs asked for', () => {
    expect(x.publicKey.asymmetricKeyType).toBe('ec');
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.checkIssued(caX)).toBe(true);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.ca).toBe(false);
    expect(x.subjectAltName).toBe('DNS:localhost, DNS:epp.example, IP Address:127.0.0.1');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('serves a TLS handshake that a client trusting only the CA accepts', async () => {
    const srv = tls.createServer({ key: server.keyPem, cert: server.certPem, minVersion: 'TLSv1.2' }, (s) => s.end('ok'));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as { port: number }).port;
    try {
      const c = tls.connect({ host: '127.0.0.1', port, ca: ca.certPem, servername: 'epp.example' });
      await once(c, 'secureConnect');
      expect(c.authorized).toBe(true);
      c.destroy();
    } finally { srv.close(); }
  });

  it('can still be RSA when asked', () => {
    const rsa = new X509Certificate(issueServerCert(ca, { dns: ['localhost'], ips: [] }, new Date(), 'rsa-2048').certPem);
    expect(rsa.publicKey.asymmetricKeyType).toBe('rsa');
    expect(rsa.verify(caX.publicKey)).toBe(true);
  });
});

describe('registrar CSRs', () => {
  it.each(['ec-p256', 'rsa-2048'] as const)('signs a %s CSR for TLS client authentication', (type) => {
    const { csrPem } = createCsr('reg-a', type);
    const issued = signClientCsr(ca, csrPem, { clientId: 'reg-a', days: 30 });
    const x = new X509Certificate(issued.certPem);
    expect(x.verify(caX.publicKey)).toBe(true);
    expect(x.publicKey.asymmetricKeyType).toBe(type === 'ec-p256' ? 'ec' : 'rsa');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(x.subject).toContain('CN=reg-a');
    expect(issued.fingerprint).toBe(x.fingerprint256);
    expect(issued.notAfter.getTime() - Date.now()).toBeGreaterThan(29 * 86_400_000);
  });

  it('signs a CSR made by forge (RSA, sha256WithRSAEncryption)', () => {
    expect(new X509Certificate(signClientCsr(ca, forgeCsr(2048), { clientId: 'reg-b' }).certPem).verify(caX.publicKey)).toBe(true);
  });

  it('refuses a CSR whose signature does not verify', () => {
    const { csrPem } = createCsr('reg-a');
    const other = createCsr('reg-a');
    // Same structure, another key's signature: swap the last base64 line before the footer.
    const lines = csrPem.trim().split('\n');
    const otherLines = other.csrPem.trim().split('\n');
    lines[lines.length - 2] = otherLines[otherLines.length - 2]!;
    expect(() => signClientCsr(ca, lines.join('\n'), { clientId: 'reg-a' })).toThrow(/signature|malformed|not a PEM/);
  });

  it('refuses weak keys and garbage', () => {
    expect(() => signClientCsr(ca, forgeCsr(1024), { clientId: 'reg-a' })).toThrow(/at least 2048 bits/);
    expect(() => signClientCsr(ca, 'hello', { clientId: 'reg-a' })).toThrow(/not a PEM certificate signing request/);
  });
});
