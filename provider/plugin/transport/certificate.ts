import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  time,
  unsignedInteger,
  utf8String,
} from './der.js';

// go-plugin's AutoMTLS: the plugin makes a throw-away self-signed certificate,
// announces it in the handshake line and serves TLS with it. Go verifies it as its
// own root, so it needs SAN DNS:localhost (Go ignores the Common Name), CA:TRUE,
// keyCertSign, and the serverAuth/clientAuth extended key usages.

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

export interface ServerCertificate {
  /** DER bytes, for the handshake line. */
  der: Buffer;
  certPem: string;
  keyPem: string;
}

export function createServerCertificate(now = new Date()): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tbs = toBeSigned(publicKey, now);
  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = sequence(tbs, algorithm, bitString(signature));
  return {
    der,
    certPem: toPem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function toBeSigned(publicKey: KeyObject, now: Date): Buffer {
  const name = sequence(
    set(sequence(objectIdentifier(OID.organization), utf8String('DevDB plugin'))),
    set(sequence(objectIdentifier(OID.commonName), utf8String('localhost'))),
  );
  const notBefore = new Date(now.getTime() - 30_000);
  const notAfter = new Date(now.getTime() + 365 * 24 * 3600_000);
  return sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))), // version 3
    unsignedInteger(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    sequence(objectIdentifier(OID.ecdsaWithSha256)),
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions())),
  );
}

function extensions(): Buffer[] {
  const extension = (oid: string, critical: boolean, value: Buffer) =>
    sequence(objectIdentifier(oid), ...(critical ? [boolean(true)] : []), octetString(value));
  // digitalSignature (bit 0), keyEncipherment (bit 2), keyCertSign (bit 5): 0b10100100,
  // the two lowest bits unused.
  const keyUsage = bitString(Buffer.from([0xa4]), 2);
  return [
    extension(OID.basicConstraints, true, sequence(boolean(true))),
    extension(OID.keyUsage, true, keyUsage),
    extension(
      OID.extKeyUsage,
      false,
      sequence(objectIdentifier(OID.serverAuth), objectIdentifier(OID.clientAuth)),
    ),
    extension(OID.subjectAltName, false, sequence(implicit(2, Buffer.from('localhost')))),
  ];
}

function toPem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
