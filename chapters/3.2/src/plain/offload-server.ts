/**
 * 3.2.5 Offloading — an HTTP server that sends CPU-heavy work to a worker thread, so its event
 * loop stays free to answer everyone else.
 * Shows:  GET /primes?below=N is counted on a worker thread; GET /ping is answered at once, even
 *         while a count runs. Add &on=main to count on the event loop instead: pings then wait.
 * Run:    npx tsx chapters/3.2/src/plain/offload-server.ts [port, default 8080]
 *         curl 'http://127.0.0.1:8080/primes?below=20000000' & curl http://127.0.0.1:8080/ping
 * Expect: "listening on http://127.0.0.1:8080"; "pong" at once, the count seconds later.
 * The chapter's game server adds a pool of workers, limits per client, and a replacement for a
 * worker that dies (game-server.ts, logic-pool.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { countPrimes } from './count-primes.ts';
import type { PrimesReply, PrimesRequest } from './primes.worker.ts';

// Node 20 cannot start a .ts file as a worker: ts-worker.mjs loads it through tsx.
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);
const PRIMES_WORKER = new URL('./primes.worker.ts', import.meta.url);
const MAX_BELOW = 50_000_000; // bounds the work one request can ask for
const LOAD_GRACE_MS = 5_000; // stop() ends a worker that never says 'ready' after this long

type Waiter = { resolve: (count: number) => void; reject: (error: Error) => void };

// #region worker
// 1. One long-lived worker thread. Each request carries an id, so its reply finds its waiter.
function startPrimesWorker() {
  const worker = new Worker(TS_WORKER, { argv: [PRIMES_WORKER.href] });
  const waiting = new Map<number, Waiter>();
  let nextId = 1;
  let failure: Error | undefined;
  // Ending a thread while it still loads its module can crash the whole process (Node 20), so
  // stop() waits until the worker has said 'ready' or has exited.
  const loaded = new Promise((resolve) => {
    worker.once('message', resolve);
    worker.once('exit', resolve);
  });
  worker.on('message', (message: PrimesReply | 'ready') => {
    if (message === 'ready') return;
    waiting.get(message.id)?.resolve(message.count);
    waiting.delete(message.id);
  });
  // A worker that fails or ends fails every request waiting on it: nothing waits for ever.
  const failAll = (error: Error) => {
    failure ??= error;
    for (const waiter of waiting.values()) waiter.reject(failure);
    waiting.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the primes worker exited with code ${code}`)));
  return {
    count(below: number): Promise<number> {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        const request: PrimesRequest = { id: nextId++, from: 2, to: below };
        waiting.set(request.id, { resolve, reject });
        worker.postMessage(request);
      });
    },
    async stop() {
      await Promise.race([loaded, sleep(LOAD_GRACE_MS, undefined, { ref: false })]);
      await worker.terminate();
    },
  };
}
// #endregion worker

function main(): void {
  const port = Number(process.argv[2] ?? 8080);
  const primes = startPrimesWorker();

  // #region server
  // 2. The event loop only parses requests and writes answers; the counting happens elsewhere.
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') return void res.end('pong\n');
    if (url.pathname !== '/primes')
      return void res.writeHead(404).end('try /ping or /primes?below=1000000\n');
    const below = Number(url.searchParams.get('below'));
    if (!Number.isInteger(below) || below < 2 || below > MAX_BELOW)
      return void res.writeHead(400).end(`"below" must be a whole number from 2 to ${MAX_BELOW}\n`);
    if (url.searchParams.get('on') === 'main') return void res.end(`${countPrimes(2, below)}\n`); // blocks every other request meanwhile
    primes.count(below).then(
      (count) => res.end(`${count}\n`),
      (error: Error) => res.writeHead(500).end(`${error.message}\n`),
    );
  });
  // #endregion server

  // 3. Listen; Ctrl-C (or SIGTERM) closes the server and ends the worker, and the process exits.
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void primes.stop();
  };
  server.on('error', (error) => {
    console.error(`cannot listen on port ${port}: ${error.message}`);
    process.exitCode = 1;
    stop();
  });
  server.listen(port, '127.0.0.1', () =>
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  );
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
