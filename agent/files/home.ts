/** The files the agent manages, all under the workspace user's home directory. */
import { homedir } from 'node:os';
import path from 'node:path';

export function home(): string {
  return process.env.HOME || homedir();
}

/**
 * The shell startup files that load ~/.devdb/env (README, "The workspace agent").
 * ~/.bashrc is what Coder's web terminal and editors' terminals read (interactive,
 * non-login bash) and ~/.profile what login shells read (`coder ssh`, sh): both
 * are created when missing. ~/.zshrc only when it exists: zsh users have one.
 */
export const PROFILES: readonly Profile[] = [
  { file: '.bashrc', shells: 'interactive bash', create: true },
  { file: '.profile', shells: 'login shells', create: true },
  { file: '.zshrc', shells: 'zsh', create: false },
];

export interface Profile {
  /** Relative to the home directory. */
  file: string;
  /** Which shells read it, for doctor's messages. */
  shells: string;
  /** Whether `start` creates it when it is missing. */
  create: boolean;
}

const inHome = (file: string) => path.join(home(), file);

export const paths = {
  pgpass: () => inHome('.pgpass'),
  serviceFile: () => inHome('.pg_service.conf'),
  envDir: () => inHome('.devdb'),
  envFile: () => inHome('.devdb/env'),
  /** The DevDB server's CA alone (agent/files/root-cert.ts). */
  caFile: () => inHome('.devdb/ca.crt'),
  /** libpq's default sslrootcert. */
  rootCert: () => inHome('.postgresql/root.crt'),
  /** Every shell profile that may hold the block. */
  profiles: () => PROFILES.map((p) => inHome(p.file)),
  profile: (p: Profile) => inHome(p.file),
  /** When it exists, bash login shells read it instead of ~/.profile. */
  bashProfile: () => inHome('.bash_profile'),
};

/** `~/.pgpass` rather than /home/coder/.pgpass in messages. */
export function tilde(file: string): string {
  const h = home();
  return file.startsWith(h + path.sep) ? `~${file.slice(h.length)}` : file;
}
