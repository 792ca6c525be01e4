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
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

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
/** stop() ends a worker that never says 'ready' after this long. */
const LOAD_GRACE_MS = 5_000;

type Waiter = { resolve: (count: number) => void; reject: (error: Error) => void };

/** 1. The main thread's side: starts the worker and matches its replies to requests by id. */
export function startPrimesWorker(): PrimesWorker {
  const worker = new Worker(TS_ENTRY, {
    workerData: { tsModule: import.meta.url, role: WORKER_ROLE },
  });
  const waiting = new Map<number, Waiter>();
  let nextId = 1;
  let failure: Error | undefined;
  // Fails every count waiting now, and (through `failure`) every later one.
  const failAll = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.values()) waiter.reject(failure);
    waiting.clear();
  };
  // Ending a thread while it still loads its module can crash the whole process, so stop()
  // waits until the worker has said 'ready' (its first message) or has exited.
  const loaded = new Promise((resolve) => {
    worker.once('message', resolve);
    worker.once('exit', resolve);
  });
  worker.on('message', (message: CountReply | 'ready') => {
    if (message === 'ready') return;
    waiting.get(message.id)?.resolve(message.count);
    waiting.delete(message.id);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the primes worker exited with code ${code}`)));
  return {
    count(below) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const request: CountRequest = { id: nextId++, below };
        waiting.set(request.id, { resolve, reject });
        worker.postMessage(request);
      });
    },
    async stop() {
      failAll(new Error('the primes worker was stopped'));
      await Promise.race([loaded, sleep(LOAD_GRACE_MS, undefined, { ref: false })]);
      await worker.terminate();
    },
  };
}

/** 2. The worker's side: runs on the worker thread and answers each request in turn. */
function serveCountRequests(): void {
  parentPort?.on('message', ({ id, below }: CountRequest) => {
    const reply: CountReply = { id, count: countPrimes(below) };
    parentPort?.postMessage(reply);
  });
  parentPort?.postMessage('ready');
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
