/** Small network helpers: free ports, listening, address normalisation. */
import { createServer, type Server } from 'node:net';

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

/**
 * Listens and resolves once bound, rejecting on a bind error (port taken). `exclusive`: in a
 * cluster child, bind the port itself instead of sharing the supervisor's (which accepts every
 * connection and passes it over IPC); only possible when no sibling shares the port.
 */
export function listenOn(server: Server, port: number, host: string, exclusive = false): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive }, () => { server.off('error', reject); resolve(); });
  });
}

/** The TCP port a server is bound to (0 before it listens). */
export function boundPort(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}
