/**
 * Where can an accepted socket go? To a child process: yes (`child.send('socket', socket)`
 * passes the file descriptor). To a worker thread: no — postMessage cannot clone or transfer
 * a net.Socket, because its handle belongs to the main thread's event loop.
 */
import { connect, createServer, type Socket } from 'node:net';
import { text } from 'node:stream/consumers';
import { Worker } from 'node:worker_threads';
import { forkTs } from '@course/course-kit';
import { onceWithin } from './peer.ts';

export interface HandoffReport {
  parentPid: number;
  childPid: number | undefined;
  /** What the client read: written by the child, on a socket the parent accepted. */
  reply: string;
  /** The error postMessage gave when asked to send the same kind of socket to a worker. */
  workerError: string;
}

export async function demonstrateSocketHandoff(signal?: AbortSignal): Promise<HandoffReport> {
  const child = forkTs(new URL('./socket.child.ts', import.meta.url), [], signal ? { signal } : {});
  child.on('error', () => {}); // an abort kills the child; the waits below are bounded
  const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
  let workerError = 'postMessage accepted the socket (unexpected)';
  const server = createServer((socket: Socket) => {
    try {
      worker.postMessage(socket);
    } catch (error) {
      const { name, message } = error as Error;
      // V8 quotes the offending function's source; the last line says what went wrong.
      workerError = `${name}: ${message.includes('could not be cloned') ? 'a net.Socket could not be cloned' : message}`;
    }
    child.send('socket', socket);
  });
  try {
    await onceWithin(child, 'message', 15_000, 'the socket child to start');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = connect(port, '127.0.0.1');
    client.setTimeout(10_000, () =>
      client.destroy(
        new Error(
          'timed out after 10000 ms waiting for the child to answer on the handed-over socket',
        ),
      ),
    );
    const reply = await text(client);
    return { parentPid: process.pid, childPid: child.pid, reply: reply.trim(), workerError };
  } finally {
    server.close();
    await worker.terminate();
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
