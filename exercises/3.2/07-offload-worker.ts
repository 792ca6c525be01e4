/**
 * 3.2/07 — Offload a CPU-heavy request to a worker thread.
 *
 * The server at the end of this file answers "ping" with "pong" and "primes N" with the
 * number of primes below N. Counting takes a while, and on the main thread it stops the event
 * loop: every ping waits until the count is done. Move the count to a worker thread. The main
 * thread posts { id, below } to the worker, the worker posts { id, count } back, and the id
 * finds the request a reply belongs to, so pings are answered while a count runs. A worker
 * that fails or ends must fail every count still waiting on it: nothing waits for ever.
 * The tests time pings during a heavy count with your worker and without it, in one run.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/07)
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { isMainThread, workerData } from 'node:worker_threads';

/** The CPU-heavy job: counts the primes below `below` by trial division (given). */
export function countPrimes(below: number): number {
  let count = 0;
  for (let n = 2; n < below; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** What the main thread posts to the worker, and what the worker posts back. */
export type CountRequest = { id: number; below: number };
export type CountReply = { id: number; count: number };

export interface PrimesWorker {
  /** Counts the primes below `below` on the worker thread. */
  count(below: number): Promise<number>;
  /** Ends the worker thread; counts still waiting reject, and so do later ones. */
  stop(): Promise<void>;
}

// Node 20 cannot start a .ts file as a worker (ERR_UNKNOWN_FILE_EXTENSION), even under tsx.
// This small .mjs file can be started, and loads the .ts module named in workerData.tsModule
// through tsx: pass this very file (import.meta.url), which then plays the worker's part.
export const TS_ENTRY = new URL('../../packages/course-kit/src/ts-entry.mjs', import.meta.url);
/** Marks the thread that runs this file as the primes worker (see the end of the file). */
const WORKER_ROLE = 'primes-worker';

/** 1. The main thread's side: starts the worker and matches its replies to requests by id. */
export function startPrimesWorker(): PrimesWorker {
  // TODO: import Worker from 'node:worker_threads' and start this file as the worker:
  //   new Worker(TS_ENTRY, { workerData: { tsModule: import.meta.url, role: WORKER_ROLE } })
  // Keep a Map from request id to the waiting promise's resolve/reject. On 'message', settle
  // the reply's id. On 'error' and 'exit', reject every count still waiting — and every later
  // one. count() posts a CountRequest with a new id; stop() terminates the worker, but only
  // once it has said 'ready' or exited (a few seconds at most): ending a thread while it still
  // loads its module can crash the whole process. Keep a promise, made when the worker starts,
  // that settles at its first message or exit: by stop() time 'ready' has long arrived.
  throw new Error('TODO: start the primes worker');
}

/** 2. The worker's side: runs on the worker thread and answers each request in turn. */
function serveCountRequests(): void {
  // TODO: import parentPort from 'node:worker_threads'; on each 'message' (a CountRequest),
  // post back a CountReply with the same id and countPrimes(below). Then post 'ready'.
}

/** 3. The server (given): "ping" → "pong"; "primes N" → "primes N <count>". */
export interface CountServer {
  port: number;
  close(): Promise<void>;
}

export async function startServer(options: {
  host?: string;
  port?: number;
  /** true: count on the worker thread; false: count on the main thread, as before. */
  offload: boolean;
}): Promise<CountServer> {
  const primes = options.offload ? startPrimesWorker() : undefined;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {}); // a client that vanishes is not the server's failure
    createInterface({ input: socket }).on('line', (line) => {
      if (line === 'ping') return void socket.write('pong\n');
      const below = Number(/^primes (\d{1,9})$/.exec(line)?.[1]);
      if (!Number.isInteger(below)) return void socket.write(`error: unknown request ${line}\n`);
      if (!primes) return void socket.write(`primes ${below} ${countPrimes(below)}\n`); // blocks
      primes.count(below).then(
        (count) => socket.write(`primes ${below} ${count}\n`),
        (error: Error) => socket.write(`error: ${error.message}\n`),
      );
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  try {
    await once(server, 'listening');
  } catch (error) {
    await primes?.stop();
    throw error;
  }
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await Promise.all([closed, primes?.stop()]);
    },
  };
}

// The tests run in worker threads themselves, so isMainThread alone cannot tell this file's
// part: the role in workerData marks the thread started by startPrimesWorker.
if (!isMainThread && (workerData as { role?: unknown } | null)?.role === WORKER_ROLE) {
  serveCountRequests();
}
