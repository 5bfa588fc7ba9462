/**
 * Reading and replacing files so that nothing is ever half-written: the new
 * content goes to a temporary file beside the target (same file system), gets
 * its mode before any byte lands in it, and is renamed over the target.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The file's text, or null when it does not exist. */
export async function readText(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes through a symlink (dotfile managers link ~/.bashrc), not over it. */
async function resolveTarget(file: string): Promise<string> {
  try {
    return await fs.realpath(file);
  } catch {
    return file;
  }
}

async function existingMode(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).mode & 0o777;
  } catch {
    return undefined;
  }
}

/**
 * Replaces `file` with `content`. `mode` is forced when given (secrets: 0600);
 * otherwise an existing file keeps its mode and a new one gets 0644.
 */
export async function writeAtomic(file: string, content: string, mode?: number): Promise<void> {
  const target = await resolveTarget(file);
  const finalMode = mode ?? (await existingMode(target)) ?? 0o644;
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.devdb-agent-${randomBytes(4).toString('hex')}`,
  );
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    await handle.chmod(finalMode); // umask may have narrowed or widened the create mode
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Removes a file; true when there was one. */
export async function removeFile(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
