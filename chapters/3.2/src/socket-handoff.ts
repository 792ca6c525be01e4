/**
 * Where can a connection live? Three checks, each answered by a real client:
 * - a socket the main thread accepted can be sent to a child process
 *   (`child.send('socket', socket)` passes the file descriptor through the IPC channel);
 * - the same kind of socket cannot be posted to a worker thread in Node 20: postMessage can
 *   neither clone nor transfer a net.Socket ("transferring handles such as network sockets is
 *   currently not supported", worker_threads docs);
 * - a worker thread can still open a server of its own and serve the connections it accepts.
 */
import { connect, createServer, type Socket } from 'node:net';
import { text } from 'node:stream/consumers';
import { Worker } from 'node:worker_threads';
import { forkTs, onceWithin, timedOut } from '@course/course-kit';
import { firstMessageOrExit, terminateWhenLoaded } from '@course/course-kit/workers';

export interface HandoffReport {
  parentPid: number;
  childPid: number | undefined;
  /** What the client read: written by the child, on a socket the parent accepted. */
  reply: string;
  /** The error postMessage gave when asked to send the same kind of socket to a worker. */
  workerError: string;
  /** What a client read from a server the worker thread opened itself. */
  workerServerReply: string;
}

// A worker thread that listens on its own loopback port and names itself to each client.
const WORKER_WITH_OWN_SERVER = `
const { createServer } = require('node:net');
const { parentPort, threadId } = require('node:worker_threads');
const server = createServer((socket) =>
  socket.end('served by worker thread ' + threadId + ' of pid ' + process.pid + '\\n'),
);
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('close', () => server.close());
`;

/** Connects to a loopback port and reads until the server ends the connection (bounded). */
async function readReply(port: number, what: string): Promise<string> {
  const client = connect(port, '127.0.0.1');
  client.setTimeout(10_000, () => client.destroy(timedOut(10_000, what)));
  return (await text(client)).trim();
}

export async function demonstrateSocketHandoff(signal?: AbortSignal): Promise<HandoffReport> {
  const child = forkTs(new URL('./socket.child.ts', import.meta.url), [], signal ? { signal } : {});
  child.on('error', () => {}); // an abort kills the child; the waits below are bounded
  const worker = new Worker(WORKER_WITH_OWN_SERVER, { eval: true });
  const loaded = firstMessageOrExit(worker); // its port comes once its script has run
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
    const [workerPort] = await onceWithin<[number]>(
      worker,
      'message',
      15_000,
      'the worker thread to open its own server',
    );
    await onceWithin(child, 'message', 15_000, 'the socket child to start');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const reply = await readReply(port, 'the child to answer on the handed-over socket');
    const workerServerReply = await readReply(workerPort, 'the worker thread’s own server');
    return {
      parentPid: process.pid,
      childPid: child.pid,
      reply,
      workerError,
      workerServerReply,
    };
  } finally {
    server.close();
    await terminateWhenLoaded(worker, loaded);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}
