/**
 * age encryption of backups (docs/backups.md, "Encryption"): X25519 recipients,
 * so the machine that takes backups needs only the public key; the identity
 * (private key) is needed to verify or restore. age authenticates every 64 KiB
 * chunk, so a decrypt stream never releases bytes that were tampered with.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ProvisioningError } from '../contract/index.js';

// Loaded when first used, not with the library: its post-quantum code takes
// ~0.1–0.2 s to load, which every `devdb` command would pay.
const age = () => import('age-encryption');

export interface AgeKeyPair {
  /** `AGE-SECRET-KEY-1…`: keep it secret, away from the backups. */
  identity: string;
  /** `age1…`: what backups are encrypted to. */
  recipient: string;
}

export async function generateAgeKeyPair(): Promise<AgeKeyPair> {
  const { generateX25519Identity, identityToRecipient } = await age();
  const identity = await generateX25519Identity();
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The identities in an age identity file (comments and blank lines skipped). */
export function parseIdentityFile(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('AGE-SECRET-KEY-'));
}

/**
 * The caller's age identities cannot open an encrypted backup (none given, or
 * none that matches its recipients): a problem of the key, not of the backup,
 * so a verification refused this way records nothing.
 */
export class BackupKeyError extends ProvisioningError {
  constructor(message: string) {
    super(message, 'object_not_in_prerequisite_state');
    this.name = 'BackupKeyError';
  }
}

/** The identities in the age identity file at `file`; an error that names the file when it cannot be read or holds none. */
export async function loadIdentityFile(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ProvisioningError(
      `cannot read the identity file ${file}: ${error.code ?? error.message}`,
    );
  });
  const identities = parseIdentityFile(text);
  if (identities.length === 0) {
    throw new ProvisioningError(`${file} holds no age identity (no AGE-SECRET-KEY- line)`);
  }
  return identities;
}

const toWeb = (stream: Readable) => Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
const fromWeb = (stream: ReadableStream<Uint8Array>) =>
  Readable.fromWeb(stream as unknown as WebReadableStream<Uint8Array>);

export async function encryptStream(plain: Readable, recipients: string[]): Promise<Readable> {
  const { Encrypter } = await age();
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    if (!recipient.startsWith('age1')) {
      throw new ProvisioningError(`not an age recipient: ${JSON.stringify(recipient)}`);
    }
    encrypter.addRecipient(recipient);
  }
  return fromWeb(await encrypter.encrypt(toWeb(plain)));
}

/** Rejects (before any byte flows) when none of the identities opens the file's header. */
export async function decryptStream(encrypted: Readable, identities: string[]): Promise<Readable> {
  if (identities.length === 0) {
    throw new BackupKeyError(
      'this backup is encrypted: pass the age identity file (--identity or DEVDB_BACKUP_IDENTITY)',
    );
  }
  const { Decrypter } = await age();
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  try {
    return fromWeb(await decrypter.decrypt(toWeb(encrypted)));
  } catch (error) {
    encrypted.destroy();
    const message = (error as Error).message;
    // age's words when no identity unwraps the file key: the key is wrong, the file may be fine.
    if (/no identity matched/.test(message)) {
      throw new BackupKeyError(
        `cannot decrypt the backup with the given identity: ${message} (it was encrypted to other recipients: give the identity file matching backup_recipients)`,
      );
    }
    throw new ProvisioningError(`cannot decrypt the backup with the given identity: ${message}`);
  }
}
