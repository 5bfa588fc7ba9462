/**
 * Making the certificates `devdb up` serves PostgreSQL's TLS with: a CA and a
 * server certificate it signs, both ECDSA P-256, with @peculiar/x509 over
 * Node's WebCrypto. Loaded only when a certificate is made (./tls.ts imports
 * it on demand): the library costs start-up time no other command should pay.
 * Nothing here touches files: ./tls.ts keeps them.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs this polyfill first.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';
import type { KeyAndCert } from './certificate-check.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600_000;
export const CA_DAYS = 3650;
export const SERVER_DAYS = 397; // what browsers accept, and a yearly renewal habit

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no private key in the PEM text');
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign']) as Promise<CryptoKey>;
}

/** Back-dated a little: a client whose clock is slightly behind still accepts it. */
const validity = (now: Date, days: number) => ({
  notBefore: new Date(now.getTime() - 3600_000),
  notAfter: new Date(now.getTime() + days * DAY_MS),
});

export async function createCa(name: string, now = new Date()): Promise<KeyAndCert> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: ALGORITHM,
    ...validity(now, CA_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keyPem: await keyPem(keys.privateKey), certPem: cert.toString('pem') + '\n' };
}

/** A server certificate for `hosts` (DNS names and IP addresses), signed by `ca`. */
export async function createServerCert(
  ca: KeyAndCert,
  hosts: readonly string[],
  now = new Date(),
): Promise<KeyAndCert> {
  const keys = await newKeys();
  const issuer = new x509.X509Certificate(ca.certPem);
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${hosts[0] ?? 'localhost'}`,
    issuer: issuer.subject,
    publicKey: keys.publicKey,
    signingKey: await importKey(ca.keyPem),
    signingAlgorithm: ALGORITHM,
    ...validity(now, SERVER_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((value): x509.JsonGeneralName => ({ type: isIP(value) ? 'ip' : 'dns', value })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return { keyPem: await keyPem(keys.privateKey), certPem: cert.toString('pem') + '\n' };
}
