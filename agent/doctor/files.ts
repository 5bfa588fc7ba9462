/** Doctor's file checks: what `start` writes is there, current, and has the right mode. */
import { promises as fs } from 'node:fs';
import { readText } from '../files/atomic-file.js';
import type { Config } from '../config.js';
import { envVars, parseEnvFile } from '../files/dotenv.js';
import { paths, PROFILES, tilde, type Profile } from '../files/home.js';
import { ownEntry } from '../files/pgpass.js';
import { hasBlock, isCurrentBlock } from '../files/profile.js';
import { readSection } from '../files/service-file.js';
import { fail, ok, warn, type Finding } from './check.js';

const RERUN = 'run `devdb-agent start` to rewrite it';

async function modeOf(file: string): Promise<number | undefined> {
  return fs.stat(file).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
}

export async function checkPgpass(config: Config, password: string | undefined): Promise<Finding> {
  const file = paths.pgpass();
  const entry = ownEntry(await readText(file));
  if (!entry) return fail('pgpass', `${tilde(file)} has no devdb-agent entry`, RERUN);
  const mode = await modeOf(file);
  if (mode !== undefined && (mode & 0o077) !== 0) {
    return fail(
      'pgpass',
      `${tilde(file)} is mode ${mode.toString(8)}: libpq and node-postgres ignore it`,
      `chmod 600 ${tilde(file)}`,
    );
  }
  if (entry.host !== config.host || entry.port !== config.port || entry.user !== config.user) {
    return fail(
      'pgpass',
      `the entry is for ${entry.user}@${entry.host}:${entry.port}, not ${config.user}@${config.host}:${config.port}`,
      RERUN,
    );
  }
  if (password !== undefined && entry.password !== password) {
    return fail(
      'pgpass',
      "the entry's password differs from DEVDB_PASSWORD (the workspace was re-attached)",
      RERUN,
    );
  }
  return ok('pgpass', `${tilde(file)} (0600) has the entry for ${config.user}`);
}

export async function checkServiceFile(config: Config): Promise<Finding> {
  const file = paths.serviceFile();
  const section = readSection(await readText(file));
  if (!section) return fail('service', `${tilde(file)} has no [devdb] section`, RERUN);
  const expected = {
    host: config.host,
    port: String(config.port),
    dbname: config.name,
    user: config.user,
  };
  const wrong = Object.entries(expected).filter(([k, v]) => section[k] !== v);
  if (wrong.length)
    return fail('service', `[devdb] has outdated ${wrong.map(([k]) => k).join(', ')}`, RERUN);
  return ok('service', `${tilde(file)} [devdb] → ${config.name}`);
}

export async function checkEnvFile(config: Config): Promise<Finding> {
  const file = paths.envFile();
  const text = await readText(file);
  if (text === null) return fail('env file', `${tilde(file)} is missing`, RERUN);
  const saved = parseEnvFile(text);
  const stale = envVars(config).filter(([k, v]) => saved[k] !== v);
  if (stale.length)
    return fail(
      'env file',
      `${tilde(file)} has outdated ${stale.map(([k]) => k).join(', ')}`,
      RERUN,
    );
  return ok('env file', `${tilde(file)} is current`);
}

/** Profiles `start` writes that lack the block: created ones always, ~/.zshrc when it exists. */
async function profilesWithoutBlock(): Promise<Profile[]> {
  const missing: Profile[] = [];
  for (const profile of PROFILES) {
    const text = await readText(paths.profile(profile));
    if ((profile.create || text !== null) && !hasBlock(text)) missing.push(profile);
  }
  return missing;
}

export async function checkProfiles(): Promise<Finding> {
  const present: string[] = [];
  const outdated: string[] = [];
  for (const file of paths.profiles()) {
    const text = await readText(file);
    if (hasBlock(text)) (isCurrentBlock(text) ? present : outdated).push(tilde(file));
  }
  if (outdated.length)
    return fail('profile', `outdated devdb-agent block in ${outdated.join(', ')}`, RERUN);
  if (!present.length) {
    return fail(
      'profile',
      'no shell profile loads ~/.devdb/env, so bare `psql` has no PGHOST/PGUSER',
      RERUN,
    );
  }
  const missing = await profilesWithoutBlock();
  if (missing.length) {
    const files = missing.map((p) => `~/${p.file}`).join(', ');
    const shells = missing.map((p) => p.shells).join(', ');
    return fail(
      'profile',
      `no shell profile loads ~/.devdb/env in ${shells}: no devdb-agent block in ${files}`,
      RERUN,
    );
  }
  const bashProfile = await readText(paths.bashProfile());
  if (bashProfile !== null && !/\.bashrc|\.profile/.test(bashProfile)) {
    return warn(
      'profile',
      `block in ${present.join(', ')}, but ~/.bash_profile loads neither ~/.profile nor ~/.bashrc`,
      'add `. ~/.profile` to ~/.bash_profile, or source ~/.devdb/env there',
    );
  }
  return ok('profile', `block in ${present.join(', ')}`);
}
