/**
 * What `start` writes and `uninstall` removes: ~/.pgpass (the agent's entry),
 * ~/.pg_service.conf ([devdb]), ~/.devdb/env, the shell-profile blocks and,
 * with TLS, the server's CA (./root-cert.ts).
 */
import { promises as fs } from 'node:fs';
import { readText, removeFile, writeAtomic } from './atomic-file.js';
import type { Config } from '../config.js';
import { renderEnvFile } from './dotenv.js';
import { paths, PROFILES, tilde } from './home.js';
import { hasEntry, withEntry, withoutEntry } from './pgpass.js';
import { hasBlock, withBlock, withoutBlock } from './profile.js';
import { removeCaFiles, writeCaFiles } from './root-cert.js';
import { readSection, withSection, withoutSection } from './service-file.js';

/** The profiles to write: ~/.bashrc and ~/.profile always, ~/.zshrc when it exists. */
async function targetProfiles(): Promise<string[]> {
  const targets: string[] = [];
  for (const profile of PROFILES) {
    const file = paths.profile(profile);
    if (profile.create || (await readText(file)) !== null) targets.push(file);
  }
  return targets;
}

/** Writes (or replaces) the agent's ~/.pgpass entry, 0600. */
export async function writePgpass(config: Config, password: string): Promise<void> {
  const entry = { host: config.host, port: config.port, user: config.user, password };
  await writeAtomic(paths.pgpass(), withEntry(await readText(paths.pgpass()), entry), 0o600);
}

/** Writes every file; returns their ~-relative names for the log. */
export async function writeFiles(config: Config, password: string): Promise<string[]> {
  const written: string[] = [];
  await writePgpass(config, password);
  written.push(paths.pgpass());
  const service = withSection(await readText(paths.serviceFile()), config);
  await writeAtomic(paths.serviceFile(), service);
  written.push(paths.serviceFile());
  await fs.mkdir(paths.envDir(), { recursive: true, mode: 0o700 });
  if (config.caCert) written.push(...(await writeCaFiles(config.caCert)));
  await writeAtomic(paths.envFile(), renderEnvFile(config), 0o600);
  written.push(paths.envFile());
  for (const profile of await targetProfiles()) {
    const text = (await readText(profile)) ?? '';
    const updated = withBlock(text);
    if (updated !== text) await writeAtomic(profile, updated);
    written.push(profile);
  }
  return written.map(tilde);
}

/** Rewrites `file` without the agent's part; deletes it when nothing else is left. */
async function strip(
  file: string,
  has: (text: string) => boolean,
  without: (text: string) => string | null,
): Promise<boolean> {
  const text = await readText(file);
  if (text === null || !has(text)) return false;
  const rest = without(text);
  if (rest === null || rest.trim() === '') await removeFile(file);
  else await writeAtomic(file, rest);
  return true;
}

/** Removes what `writeFiles` wrote, and nothing else; returns what it touched. */
export async function removeFiles(): Promise<string[]> {
  const removed: string[] = [];
  if (await strip(paths.pgpass(), hasEntry, withoutEntry)) removed.push(paths.pgpass());
  if (await strip(paths.serviceFile(), (t) => readSection(t) !== undefined, withoutSection))
    removed.push(paths.serviceFile());
  if (await removeFile(paths.envFile())) removed.push(paths.envFile());
  removed.push(...(await removeCaFiles()));
  await fs.rmdir(paths.envDir()).catch(() => undefined); // only when empty
  for (const profile of paths.profiles()) {
    if (await strip(profile, hasBlock, withoutBlock)) removed.push(profile);
  }
  return removed.map(tilde);
}
