import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A bin directory whose pg_dump and pg_restore only say they are PostgreSQL
 * `major` (`--version`): enough for DevDB's choice of tools (docs/backups.md,
 * "Which pg_dump"), never run for a real dump. The caller removes the directory.
 */
export async function fakePgToolsDir(major: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `devdb-fake-pg${major}-`));
  for (const tool of ['pg_dump', 'pg_restore']) {
    const file = path.join(dir, tool);
    await writeFile(file, `#!/bin/sh\necho "${tool} (PostgreSQL) ${major}.0"\n`);
    await chmod(file, 0o755);
  }
  return dir;
}
