/** The files the agent manages, all under the workspace user's home directory. */
import { homedir } from 'node:os';
import path from 'node:path';

export function home(): string {
  return process.env.HOME || homedir();
}

export const paths = {
  pgpass: () => path.join(home(), '.pgpass'),
  serviceFile: () => path.join(home(), '.pg_service.conf'),
  envDir: () => path.join(home(), '.devdb'),
  envFile: () => path.join(home(), '.devdb', 'env'),
  /** Shell profiles that get the block, when they exist. */
  profiles: () => ['.bashrc', '.zshrc', '.profile'].map((f) => path.join(home(), f)),
  /** When it exists, bash login shells read it instead of ~/.profile. */
  bashProfile: () => path.join(home(), '.bash_profile'),
};

/** `~/.pgpass` rather than /home/coder/.pgpass in messages. */
export function tilde(file: string): string {
  const h = home();
  return file.startsWith(h + path.sep) ? `~${file.slice(h.length)}` : file;
}
