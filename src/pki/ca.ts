/** The registry's own certificate authority (node-forge): CA, server certificate, registrar certificates from CSRs. */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign as signData, verify as verifySignature, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { asn1, pki, md } = forge;

export interface KeyAndCert { keyPem: string; certPem: string }

/** Key types the CA issues for: ECDSA P-256 is the default for TLS (a handshake signature costs far less than RSA). */
export type KeyType = 'ec-p256' | 'rsa-2048';

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

/** A key pair of either type, as PEM (PKCS#8) and as the DER SubjectPublicKeyInfo a certificate carries. */
function keyPair(type: KeyType): { keyPem: string; spki: Buffer } {
  const { privateKey, publicKey } = type === 'ec-p256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), spki: publicKey.export({ type: 'spki', format: 'der' }) };
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

const binary = (b: Buffer) => forge.util.createBuffer(b.toString('binary'));

/**
 * Signs `cert` (subject, validity, extensions filled in by the caller) for a subject public key
 * given as DER SubjectPublicKeyInfo, which may be of a type node-forge cannot represent (EC,
 * Ed25519). forge builds the TBSCertificate around the CA's own RSA key as a stand-in, the
 * stand-in is replaced by the real SubjectPublicKeyInfo (RFC 5280 §4.1: the seventh field), and
 * the CA signs the result: the CA key is RSA, which forge handles.
 */
function signForKey(cert: forge.pki.Certificate, spki: Buffer, caCert: forge.pki.Certificate, caKey: forge.pki.rsa.PrivateKey): string {
  cert.publicKey = caCert.publicKey;
  cert.setIssuer(caCert.subject.attributes);
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = pki.oids.sha256WithRSAEncryption!;
  const tbs = (pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  (tbs.value as forge.asn1.Asn1[])[6] = asn1.fromDer(binary(spki));
  const tbsDer = asn1.toDer(tbs).getBytes();
  const digest = md.sha256.create();
  digest.update(tbsDer);
  const signature = caKey.sign(digest);
  const certAsn1 = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(pki.oids.sha256WithRSAEncryption!).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certAsn1).getBytes() }, { maxline: 64 });
}

/** RFC 5280 §4.2.1.3: an RSA key may encipher (TLS 1.2 RSA key exchange); EC and EdDSA keys only sign. */
function keyUsageFor(spki: Buffer): { name: 'keyUsage'; digitalSignature: true; keyEncipherment: boolean; critical: true } {
  const type = createPublicKey({ key: spki, format: 'der', type: 'spki' }).asymmetricKeyType;
  return { name: 'keyUsage', digitalSignature: true, keyEncipherment: type === 'rsa', critical: true };
}

/**
 * A TLS server certificate for the EPP/RDAP endpoints, with the given DNS names and IP addresses
 * as SANs. ECDSA P-256 by default: the server's handshake signature is most of the CPU a full
 * TLS handshake costs it, and P-256 signs several times faster than RSA-2048.
 */
export function issueServerCert(ca: KeyAndCert, names: { dns: string[]; ips: string[] }, now = new Date(), keyType: KeyType = 'ec-p256'): KeyAndCert {
  const { cert: caCert, key: caKey } = loadCa(ca);
  const keys = keyPair(keyType);
  const cert = pki.createCertificate();
  cert.serialNumber = serialNumber();
  validity(cert, now, 825);
  cert.setSubject([{ name: 'commonName', value: names.dns[0] ?? 'localhost' }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    keyUsageFor(keys.spki),
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [
      ...names.dns.map((value) => ({ type: 2, value })),
      ...names.ips.map((ip) => ({ type: 7, ip })),
    ] },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  return { keyPem: keys.keyPem, certPem: signForKey(cert, keys.spki, caCert, caKey) };
}

export interface IssuedClientCert { certPem: string; fingerprint: string; subject: string; serial: string; notAfter: Date }

/** CSR signature algorithms we accept (RFC 4055, RFC 5758, RFC 8410), by OID, with their digest. */
const CSR_SIGNATURES: Record<string, { digest: string | null; key: string }> = {
  '1.2.840.113549.1.1.11': { digest: 'sha256', key: 'rsa' },
  '1.2.840.113549.1.1.12': { digest: 'sha384', key: 'rsa' },
  '1.2.840.113549.1.1.13': { digest: 'sha512', key: 'rsa' },
  '1.2.840.10045.4.3.2': { digest: 'sha256', key: 'ec' },
  '1.2.840.10045.4.3.3': { digest: 'sha384', key: 'ec' },
  '1.2.840.10045.4.3.4': { digest: 'sha512', key: 'ec' },
  '1.3.101.112': { digest: null, key: 'ed25519' },
};

/** Keys strong enough for a registrar's TLS client certificate. */
function checkClientKey(key: KeyObject): void {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa': if ((d.modulusLength ?? 0) < 2048) throw new Error('an RSA key in a CSR must have at least 2048 bits'); return;
    case 'ec': if (d.namedCurve !== 'prime256v1' && d.namedCurve !== 'secp384r1') throw new Error('an EC key in a CSR must be on P-256 or P-384'); return;
    case 'ed25519': return;
    default: throw new Error(`CSR key type ${key.asymmetricKeyType ?? 'unknown'} is not accepted (RSA, EC P-256/P-384 or Ed25519)`);
  }
}

/**
 * Reads a PKCS#10 CSR (RFC 2986 §4) of any key type with forge's ASN.1 parser and verifies its
 * self-signature with node:crypto: forge alone reads RSA CSRs only, and registrars use EC keys too.
 */
function readCsr(csrPem: string): { spki: Buffer; key: KeyObject } {
  let der: Buffer;
  let req: forge.asn1.Asn1;
  try {
    const msg = forge.pem.decode(csrPem).find((m) => m.type === 'CERTIFICATE REQUEST' || m.type === 'NEW CERTIFICATE REQUEST');
    if (!msg) throw new Error('no CERTIFICATE REQUEST block');
    der = Buffer.from(msg.body, 'binary');
    // Bit strings stay opaque: an ECDSA signature is itself DER and must not be parsed into a tree.
    req = (asn1.fromDer as unknown as (b: string, o: { decodeBitStrings: boolean }) => forge.asn1.Asn1)(msg.body, { decodeBitStrings: false });
  } catch (err) {
    throw new Error(`not a PEM certificate signing request: ${(err as Error).message}`);
  }
  const [info, algId, sig] = req.value as forge.asn1.Asn1[];
  const infoParts = info?.value as forge.asn1.Asn1[] | undefined;
  if (!info || !algId || !sig || !Array.isArray(infoParts) || infoParts.length < 3 || sig.type !== asn1.Type.BITSTRING) {
    throw new Error('malformed certificate signing request');
  }
  const spki = Buffer.from(asn1.toDer(infoParts[2]!).getBytes(), 'binary');
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const oid = asn1.derToOid((algId.value as forge.asn1.Asn1[])[0]!.value as string);
  const alg = CSR_SIGNATURES[oid];
  if (!alg) throw new Error(`CSR signature algorithm ${oid} is not accepted`);
  if (alg.key !== key.asymmetricKeyType) throw new Error('the CSR signature algorithm does not match its key');
  checkClientKey(key);
  // The signature covers the CertificationRequestInfo exactly as received: its original bytes.
  const signed = firstInnerElement(der);
  // A BIT STRING's first octet counts the unused bits of the last one (0 for a signature).
  const signature = Buffer.from((sig.value as string).slice(1), 'binary');
  if (!verifySignature(alg.digest, signed, key, signature)) throw new Error('the CSR signature does not verify');
  return { spki, key };
}

/** The bytes of the first element inside a DER SEQUENCE (X.690 §8.1: tag, length, contents). */
function firstInnerElement(der: Buffer): Buffer {
  const header = (at: number): { contents: number; length: number } => {
    const first = der[at + 1];
    if (first === undefined) throw new Error('truncated DER');
    if (first < 0x80) return { contents: at + 2, length: first };
    const n = first & 0x7f;
    if (n === 0 || n > 4 || at + 2 + n > der.length) throw new Error('bad DER length');
    return { contents: at + 2 + n, length: der.readUIntBE(at + 2, n) };
  };
  const outer = header(0);
  const inner = header(outer.contents);
  const end = inner.contents + inner.length;
  if (end > der.length) throw new Error('truncated DER');
  return der.subarray(outer.contents, end);
}

/**
 * Signs a registrar's certificate signing request (PEM). The CSR's own signature must verify;
 * the issued certificate is for TLS client authentication only.
 */
export function signClientCsr(ca: KeyAndCert, csrPem: string, opts: { clientId: string; days?: number; now?: Date }): IssuedClientCert {
  const { cert: caCert, key: caKey } = loadCa(ca);
  const { spki } = readCsr(csrPem);
  const cert = pki.createCertificate();
  cert.serialNumber = serialNumber();
  validity(cert, opts.now ?? new Date(), opts.days ?? 365);
  // The subject names the registrar; what binds it is the fingerprint stored for that registrar.
  cert.setSubject([{ name: 'commonName', value: opts.clientId }, { name: 'organizationName', value: 'Registrar' }]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    keyUsageFor(spki),
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  const certPem = signForKey(cert, spki, caCert, caKey);
  return {
    certPem,
    fingerprint: fingerprintOfPem(certPem),
    subject: `CN=${opts.clientId}`,
    serial: cert.serialNumber,
    notAfter: cert.validity.notAfter,
  };
}

/**
 * A key and CSR, as a registrar would make them (used by the CLI's convenience path and by
 * tests). forge builds the CertificationRequestInfo (RFC 2986 §4.1); node:crypto signs it, so
 * any key type works.
 */
export function createCsr(commonName: string, keyType: KeyType = 'ec-p256'): { keyPem: string; csrPem: string } {
  const { keyPem, spki } = keyPair(keyType);
  // setSubject resolves attribute names to their OIDs, which the DN encoder needs.
  const holder = pki.createCertificate();
  holder.setSubject([{ name: 'commonName', value: commonName }]);
  const info = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(0).getBytes()),
    pki.distinguishedNameToAsn1(holder.subject),
    asn1.fromDer(binary(spki)),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, []),
  ]);
  const infoDer = Buffer.from(asn1.toDer(info).getBytes(), 'binary');
  const signature = signData('sha256', infoDer, keyPem);
  const oid = keyType === 'ec-p256' ? '1.2.840.10045.4.3.2' : pki.oids.sha256WithRSAEncryption!;
  const csr = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    info,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      // RFC 5758 §3.2: ECDSA algorithm identifiers have no parameters; RSA's are NULL.
      ...(keyType === 'ec-p256' ? [] : [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, String.fromCharCode(0) + signature.toString('binary')),
  ]);
  return { keyPem, csrPem: forge.pem.encode({ type: 'CERTIFICATE REQUEST', body: asn1.toDer(csr).getBytes() }, { maxline: 64 }) };
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
