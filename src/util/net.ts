/** Small network helpers: free ports, address normalisation. */
import { createServer } from 'node:net';

/** Asks the kernel for a free TCP port on loopback (other services may hold the standard ones). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** ::ffff:192.0.2.1 → 192.0.2.1, so IPv4 clients on a dual-stack socket match IPv4 allow-lists. */
export function normaliseIp(addr: string | undefined): string {
  if (!addr) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}
