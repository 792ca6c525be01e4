/**
 * 3.2.5 Where a connection can live — the parent accepts a TCP connection and sends the socket
 * itself to a child process, which answers on it. A worker thread cannot be sent one.
 * Shows:  subprocess.send(message, socket) moves an accepted socket to another process; in
 *         Node 20 postMessage (to a worker thread) can neither copy nor transfer a net.Socket.
 *         (A worker thread can still open sockets and servers of its own.)
 * Run:    npx tsx chapters/3.2/src/plain/socket-to-child.ts
 * Expect: "postMessage(socket): DataCloneError", then the client reads
 *         "served by child pid N", N not the parent's pid.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { text } from 'node:stream/consumers';
import { MessageChannel } from 'node:worker_threads';

const CHILD = new URL('./socket.child.ts', import.meta.url);

async function main(): Promise<void> {
  // 1. Start the child and wait until it listens for sockets.
  const child = fork(CHILD, { execArgv: ['--import', 'tsx'] });
  await once(child, 'message'); // 'ready'

  // 2. Accept a connection here, then hand it on. A MessageChannel port uses the same
  //    structured clone as worker.postMessage, so it shows what a worker thread would get.
  const server = createServer((socket) => {
    try {
      new MessageChannel().port1.postMessage(socket);
    } catch (error) {
      console.log(`postMessage(socket): ${(error as Error).name}`);
    }
    child.send('socket', socket); // the child answers; this process is done with it
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  // 3. Be the client: connect, and read what comes back on the connection the parent accepted.
  const { port } = server.address() as { port: number };
  const reply = await text(connect(port, '127.0.0.1'));
  console.log(`parent pid ${process.pid}; the client read: ${reply.trim()}`);
  server.close();
  child.disconnect();
}

await main();
