import { createServer } from 'node:net';

/** Asks the kernel for a currently free TCP port on `host`. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() =>
        port ? resolve(port) : reject(new Error('could not determine a free port')),
      );
    });
  });
}
