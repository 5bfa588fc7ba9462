/**
 * The DevDB server's CA (DEVDB_CA_CERT, present when it serves TLS) where
 * clients find it, so `psql $DEVDB_URL` with `sslmode=verify-full` just works:
 * - ~/.postgresql/root.crt, libpq's default `sslrootcert` (psql, psycopg,
 *   pgJDBC), as a marked block: certificates the user keeps there stay, and
 *   OpenSSL reads every certificate in the file, skipping the lines between;
 * - ~/.devdb/ca.crt, the CA alone, which the env file's URLs name as
 *   `sslrootcert` for clients without that default (node-postgres).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { readText, removeFile, writeAtomic } from './atomic-file.js';
import { paths } from './home.js';
import { hasBlock, withBlock, withoutBlock, type Markers } from './profile.js';

const MARKERS: Markers = {
  begin: "# >>> devdb-agent CA >>> the DevDB server's CA; `devdb-agent uninstall` removes it",
  end: '# <<< devdb-agent CA <<<',
};

const block = (pem: string) => [MARKERS.begin, pem.trim(), MARKERS.end].join('\n');

/** Writes both files (only what changed); returns the paths written. */
export async function writeCaFiles(pem: string): Promise<string[]> {
  await fs.mkdir(paths.envDir(), { recursive: true, mode: 0o700 });
  await writeAtomic(paths.caFile(), `${pem.trim()}\n`, 0o644);
  const rootCert = paths.rootCert();
  await fs.mkdir(path.dirname(rootCert), { recursive: true, mode: 0o700 });
  const text = (await readText(rootCert)) ?? '';
  const updated = withBlock(text, block(pem));
  if (updated !== text) await writeAtomic(rootCert, updated);
  return [paths.caFile(), rootCert];
}

/** Removes the CA from both; root.crt goes only when nothing of the user's is left. */
export async function removeCaFiles(): Promise<string[]> {
  const removed: string[] = [];
  if (await removeFile(paths.caFile())) removed.push(paths.caFile());
  const rootCert = paths.rootCert();
  const text = await readText(rootCert);
  if (text === null || !hasBlock(text, MARKERS)) return removed;
  const rest = withoutBlock(text, MARKERS);
  if (rest.trim() === '') await removeFile(rootCert);
  else await writeAtomic(rootCert, rest);
  return [...removed, rootCert];
}
