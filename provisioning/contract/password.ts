import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** 32 random bytes as base64url: 43 characters, safe in URLs, pgpass and shells. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677).
 * Sending the verifier instead of the password to CREATE/ALTER ROLE keeps the
 * password itself out of the server and its logs. Passwords here are ASCII, for
 * which SASLprep changes nothing.
 */
export function scramVerifier(password: string, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
