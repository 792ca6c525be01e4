/**
 * A TCP port nobody listens on right now. redis-server cannot be asked for "any free port":
 * `--port 0` turns its TCP listener off. So we let the kernel pick one (listen on 0), close it,
 * and hand the number to Redis. Someone may take it in between; the launcher then retries.
 */
import { createServer } from 'node:net';

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
