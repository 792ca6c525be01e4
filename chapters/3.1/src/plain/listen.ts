/**
 * 3.1.4 Listening in Node — what the original's socket(), setsockopt(), bind() and listen(1) become.
 * Shows:  server.listen({ host, port, backlog }); Node sets SO_REUSEADDR itself on Unix, so a
 *         restarted server listens again at once on a port whose last connection is in TIME_WAIT,
 *         while a port that another server is listening on is still refused (EADDRINUSE).
 * Run:    npx tsx chapters/3.1/src/plain/listen.ts
 * Expect: "listening again on PORT at once", then "a second listener on PORT: EADDRINUSE".
 */
import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { pathToFileURL } from 'node:url';

/**
 * Listens and resolves the port (the kernel picks one for port 0). backlog is how many
 * connections the kernel may hold, handshake done, waiting for us to accept them; Node's
 * default is 511, and Linux caps it at net.core.somaxconn.
 */
export function listen(
  server: Server,
  options: { host: string; port: number; backlog?: number },
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject); // EADDRINUSE arrives here, not as a throw
    server.listen({ backlog: 511, ...options }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** One connection that the server closes first, which leaves the server's end in TIME_WAIT. */
export async function serveOneAndStop(host: string): Promise<number> {
  const server = createServer((socket) => socket.end());
  const port = await listen(server, { host, port: 0 });
  const client = connect(port, host);
  client.resume(); // read until the server's FIN, then close our side
  await once(client, 'close');
  await closeServer(server);
  return port;
}

async function main(): Promise<void> {
  const host = '127.0.0.1';
  const port = await serveOneAndStop(host);
  console.log(`served one connection on ${host}:${port} and stopped (its end is in TIME_WAIT)`);

  const restarted = createServer();
  await listen(restarted, { host, port });
  console.log(`listening again on ${port} at once: Node set SO_REUSEADDR`);

  const rival = createServer();
  try {
    await listen(rival, { host, port });
  } catch (error) {
    console.log(`a second listener on ${port}: ${(error as NodeJS.ErrnoException).code}`);
  }
  await closeServer(restarted);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
