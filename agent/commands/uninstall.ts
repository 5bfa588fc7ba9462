/** `devdb-agent uninstall`: removes what `start` wrote, and nothing else. */
import { EXIT } from '../errors.js';
import { removeFiles } from '../files/install.js';
import { log } from '../log.js';

export async function uninstall(): Promise<number> {
  const removed = await removeFiles();
  log(removed.length ? `removed devdb-agent's part of ${removed.join(', ')}` : 'nothing to remove');
  return EXIT.ok;
}
