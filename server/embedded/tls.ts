/**
 * The TLS `devdb up` serves PostgreSQL with (docs/security.md, "TLS for
 * database connections"), kept in DIR/tls/:
 *   ca.key      the generated CA's key (0600, never leaves this directory)
 *   ca.crt      the CA workspaces trust (public: handed to them)
 *   server.key  the server's key (0600, owned by the account PostgreSQL runs as)
 *   server.crt  the server's certificate, signed by ca.crt
 * Made on the first start, reused afterwards; the server certificate is made
 * again (same CA) when it nears expiry or does not name a host asked for. With
 * the admin's own certificate and key, those are copied in instead (PostgreSQL
 * must own its key file) and their CA, or the certificate itself, is handed out.
 */
import { chown, mkdir, readFile } from 'node:fs/promises';
import { hostname, networkInterfaces } from 'node:os';
import path from 'node:path';
import { replaceFile } from '../data-dir.js';
import { UserError } from '../errors.js';
import { normalizeHost, renewalReason, type KeyAndCert } from './certificate-check.js';
import type { RunAs } from './runas.js';

export interface TlsOptions {
  /** More host names / IP addresses clients reach the server at. */
  hosts?: readonly string[];
  /** The admin's own certificate (chain) and key, PEM files: both or neither. */
  certFile?: string;
  keyFile?: string;
  /** The CA that signed certFile, handed to workspaces (default: certFile itself). */
  caFile?: string;
}

export interface ServerTls {
  certFile: string;
  keyFile: string;
  /** What clients verify the server with (sslrootcert). */
  caFile: string;
  /** What happened, for the start-up log (no key material). */
  note: string;
}

export const tlsDir = (dataDir: string) => path.join(dataDir, 'tls');

const WILDCARDS = ['*', '0.0.0.0', '::'];

/**
 * Every name and address a client may use: loopback, this machine's name, what
 * it listens on, and for a wildcard every address of this machine's interfaces.
 */
export function serverHosts(listen: string, extra: readonly string[] = []): string[] {
  const addresses = listen.split(',').map((a) => a.trim());
  const wildcard = addresses.some((a) => WILDCARDS.includes(a));
  const listened = addresses.filter((a) => a && !WILDCARDS.includes(a));
  const all = ['localhost', '127.0.0.1', '::1', hostname(), ...listened, ...extra];
  if (wildcard) all.push(...interfaceAddresses());
  return [...new Set(all.map(normalizeHost).filter(Boolean))];
}

/** The machine's own addresses (link-local IPv6 ones need a zone no certificate can name). */
function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address);
}

export async function prepareTls(
  dataDir: string,
  hosts: readonly string[],
  options: TlsOptions,
  runAs: RunAs | undefined,
): Promise<ServerTls> {
  const dir = tlsDir(dataDir);
  // 0711 like the data dir: PostgreSQL (another account when we are root) reaches its files.
  await mkdir(dir, { recursive: true, mode: 0o711 });
  return options.certFile || options.keyFile
    ? useOwnCertificate(dir, options, runAs)
    : useGeneratedCertificate(dir, hosts, runAs);
}

async function useOwnCertificate(
  dir: string,
  options: TlsOptions,
  runAs: RunAs | undefined,
): Promise<ServerTls> {
  if (!options.certFile || !options.keyFile) {
    throw new UserError(
      '--tls-cert and --tls-key go together: give both PEM files for your own certificate, or neither',
    );
  }
  const own = { certPem: await readPem(options.certFile), keyPem: await readPem(options.keyFile) };
  const files = await installServerFiles(dir, own, runAs);
  return {
    ...files,
    caFile: path.resolve(options.caFile ?? options.certFile),
    note: `TLS with your certificate ${options.certFile}`,
  };
}

async function useGeneratedCertificate(
  dir: string,
  hosts: readonly string[],
  runAs: RunAs | undefined,
): Promise<ServerTls> {
  const caFile = path.join(dir, 'ca.crt');
  const caKeyFile = path.join(dir, 'ca.key');
  let ca = await readPair(caKeyFile, caFile);
  const notes: string[] = [];
  const maker = () => import('./certificates.js');
  if (!ca) {
    ca = await (await maker()).createCa(`DevDB CA ${hostname()}`);
    await replaceFile(caKeyFile, ca.keyPem, 0o600);
    await replaceFile(caFile, ca.certPem, 0o644);
    notes.push(`made a CA (${caFile})`);
  }
  const serverFile = path.join(dir, 'server.crt');
  const current = await readPair(path.join(dir, 'server.key'), serverFile);
  const why = current ? renewalReason(current.certPem, ca.certPem, hosts) : 'none yet';
  if (why) {
    await installServerFiles(dir, await (await maker()).createServerCert(ca, hosts), runAs);
    notes.push(`made a server certificate (${why}) for ${hosts.join(', ')}`);
  }
  return {
    certFile: serverFile,
    keyFile: path.join(dir, 'server.key'),
    caFile,
    note: notes.length ? `TLS: ${notes.join('; ')}` : 'TLS: reusing the server certificate',
  };
}

/** Key first: PostgreSQL never sees a new certificate beside an old key for long. */
async function installServerFiles(
  dir: string,
  pair: KeyAndCert,
  runAs: RunAs | undefined,
): Promise<{ certFile: string; keyFile: string }> {
  const keyFile = path.join(dir, 'server.key');
  const certFile = path.join(dir, 'server.crt');
  await replaceFile(keyFile, pair.keyPem, 0o600);
  // PostgreSQL refuses a key it does not own (or root's with 0640 and its group).
  if (runAs) await chown(keyFile, runAs.uid, runAs.gid);
  await replaceFile(certFile, pair.certPem, 0o644);
  return { certFile, keyFile };
}

async function readPair(keyFile: string, certFile: string): Promise<KeyAndCert | undefined> {
  const [keyPem, certPem] = await Promise.all([
    readFile(keyFile, 'utf8').catch(() => undefined),
    readFile(certFile, 'utf8').catch(() => undefined),
  ]);
  return keyPem && certPem ? { keyPem, certPem } : undefined;
}

async function readPem(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  if (!text.includes('-----BEGIN ')) throw new UserError(`${file} is not a PEM file`);
  return text;
}
