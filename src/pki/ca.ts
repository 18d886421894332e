/** The registry's own certificate authority (node-forge): CA, server certificate, registrar certificates from CSRs. */
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

const { pki, md } = forge;

export interface KeyAndCert { keyPem: string; certPem: string }

/**
 * Key generation in node-forge is pure JavaScript and takes seconds for RSA; Node's native
 * generator produces the same PEM in milliseconds, and forge does all the X.509 work.
 */
function rsaKeyPair(bits = 2048): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const pub = pki.setRsaPublicKey(priv.n, priv.e);
  return { privateKey: priv, publicKey: pub, keyPem };
}

function serialNumber(): string {
  // Positive, 16 random bytes (RFC 5280 §4.1.2.2: at most 20 octets, non-negative).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, now: Date, days: number): void {
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

export function createCa(commonName: string, now = new Date()): KeyAndCert {
  const keys = rsaKeyPair(3072);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, now, 3650);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Registry CA' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, md.sha256.create());
  return { keyPem: keys.keyPem, certPem: pki.certificateToPem(cert) };
}

function loadCa(ca: KeyAndCert): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  return { cert: pki.certificateFromPem(ca.certPem), key: pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey };
}

/** A TLS server certificate for the EPP/RDAP endpoints, with the given DNS names and IP addresses as SANs. */
export function issueServerCert(ca: KeyAndCert, names: { dns: string[]; ips: string[] }, now = new Date()): KeyAndCert {
  const { cert: caCert, key: caKey } = loadCa(ca);
  const keys = rsaKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, now, 825);
  cert.setSubject([{ name: 'commonName', value: names.dns[0] ?? 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [
      ...names.dns.map((value) => ({ type: 2, value })),
      ...names.ips.map((ip) => ({ type: 7, ip })),
    ] },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, md.sha256.create());
  return { keyPem: keys.keyPem, certPem: pki.certificateToPem(cert) };
}

export interface IssuedClientCert { certPem: string; fingerprint: string; subject: string; serial: string; notAfter: Date }

/**
 * Signs a registrar's certificate signing request (PEM). The CSR's own signature must verify;
 * the issued certificate is for TLS client authentication only.
 */
export function signClientCsr(ca: KeyAndCert, csrPem: string, opts: { clientId: string; days?: number; now?: Date }): IssuedClientCert {
  const { cert: caCert, key: caKey } = loadCa(ca);
  const csr = pki.certificationRequestFromPem(csrPem);
  if (!csr.verify()) throw new Error('the CSR signature does not verify');
  if (!csr.publicKey) throw new Error('the CSR has no public key');
  const cert = pki.createCertificate();
  cert.publicKey = csr.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, opts.now ?? new Date(), opts.days ?? 365);
  // The subject names the registrar; what binds it is the fingerprint stored for that registrar.
  cert.setSubject([{ name: 'commonName', value: opts.clientId }, { name: 'organizationName', value: 'Registrar' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, md.sha256.create());
  const certPem = pki.certificateToPem(cert);
  return {
    certPem,
    fingerprint: fingerprintOfPem(certPem),
    subject: `CN=${opts.clientId}`,
    serial: cert.serialNumber,
    notAfter: cert.validity.notAfter,
  };
}

/** A key and CSR, as a registrar would make them (used by the CLI's convenience path and by tests). */
export function createCsr(commonName: string): { keyPem: string; csrPem: string } {
  const keys = rsaKeyPair(2048);
  const csr = pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: commonName }]);
  csr.sign(keys.privateKey, md.sha256.create());
  return { keyPem: keys.keyPem, csrPem: pki.certificationRequestToPem(csr) };
}

/** A self-signed client certificate (for tests of the "foreign certificate" path). */
export function selfSigned(commonName: string, now = new Date()): KeyAndCert {
  const keys = rsaKeyPair(2048);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serialNumber();
  validity(cert, now, 30);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer([{ name: 'commonName', value: commonName }]);
  cert.setExtensions([{ name: 'extKeyUsage', clientAuth: true }]);
  cert.sign(keys.privateKey, md.sha256.create());
  return { keyPem: keys.keyPem, certPem: pki.certificateToPem(cert) };
}

/** SHA-256 of the DER certificate, upper-case hex pairs joined by ':' (as openssl prints it). */
export function fingerprintOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':');
}

export function fingerprintOfPem(pem: string): string {
  return fingerprintOfDer(new X509Certificate(pem).raw);
}
