import { connect } from 'node:net';

export type PingResult = 'ready' | 'starting' | 'down';

/**
 * What pg_isready does (the package ships no pg_isready): send a protocol-3 startup
 * packet and look at the first reply. An authentication request, or any error other
 * than "the database system is starting up" (57P03), means the server accepts
 * connections. We hang up before authenticating, which PostgreSQL does not log.
 */
export function ping(host: string, port: number, timeoutMs = 2000): Promise<PingResult> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    let buf = Buffer.alloc(0);
    const done = (r: PingResult): void => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done('down'));
    sock.once('error', () => done('down'));
    sock.once('close', () => done('down'));
    sock.once('connect', () => sock.write(startupPacket('devdb_ping')));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const type = String.fromCharCode(buf[0] ?? 0);
      if (type === 'R') return done('ready');
      if (type !== 'E') return done('down');
      const len = buf.length >= 5 ? buf.readInt32BE(1) : Infinity;
      if (buf.length < 1 + len) return; // wait for the whole error message
      done(sqlState(buf.subarray(5, 1 + len)) === '57P03' ? 'starting' : 'ready');
    });
  });
}

function startupPacket(user: string): Buffer {
  const body = Buffer.from(`user\0${user}\0database\0postgres\0\0`);
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + body.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, body]);
}

/** Finds the 'C' (SQLSTATE) field in an ErrorResponse body. */
function sqlState(fields: Buffer): string | undefined {
  for (const field of fields.toString('utf8').split('\0'))
    if (field.startsWith('C')) return field.slice(1);
  return undefined;
}
