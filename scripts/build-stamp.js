// Whether dist/ was built from the sources as they are now (scripts/build.js --if-stale):
// a sha256 over what git lists (tracked, and new files not ignored) under the folders
// the build reads, by content, so a touched but unchanged file costs no build. Outside
// a git clone there is no fingerprint, and every build runs.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const STAMP = 'dist/.build-stamp';
export const SOURCES = [
  'agent',
  'provider',
  'provisioning',
  'scripts',
  'server',
  'templates',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];
/** What a start needs: a build that stopped half-way is never taken for a fresh one. */
export const OUTPUTS = [
  'dist/server/cli.js',
  'dist/dashboard/app.js',
  'dist/agent-bundle/devdb-agent',
];

/** The sources' fingerprint in `root`; null outside a git clone. */
export function fingerprint(root = '.') {
  let listed;
  try {
    listed = execFileSync(
      'git',
      ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...SOURCES],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
  } catch {
    return null;
  }
  const hash = createHash('sha256');
  for (const file of [...new Set(listed.split('\0').filter(Boolean))].sort()) {
    const full = path.join(root, file);
    hash.update(`${file}\0`);
    // A tracked file deleted in the work tree is a change too.
    hash.update(existsSync(full) ? readFileSync(full) : '(deleted)');
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** dist/ holds a complete build of exactly these sources. */
export function isFresh(stamp, root = '.') {
  const stampFile = path.join(root, STAMP);
  return (
    stamp !== null &&
    OUTPUTS.every((file) => existsSync(path.join(root, file))) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8').trim() === stamp
  );
}

/** Before a build: until it completes, dist/ is not fresh. */
export const clearStamp = (root = '.') => rmSync(path.join(root, STAMP), { force: true });

export function writeStamp(stamp, root = '.') {
  if (stamp !== null) writeFileSync(path.join(root, STAMP), `${stamp}\n`);
}
