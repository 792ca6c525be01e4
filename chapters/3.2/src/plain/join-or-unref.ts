/**
 * 3.2.1 Threads — join a worker thread, or unref() it (Python's daemon thread).
 * Shows:  join = wait for the worker's 'exit' event; unref() = the process may end without
 *         waiting for the worker. Without unref() the process waits; it does not hang.
 * Run:    npx tsx chapters/3.2/src/plain/join-or-unref.ts           (join)
 *         npx tsx chapters/3.2/src/plain/join-or-unref.ts --unref   (daemon)
 * Expect: join prints ticks 1–5, then "joined: the worker exited with code 0";
 *         --unref prints "main module done" and the process ends before the ticks.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

// Node 20 cannot start a .ts file as a worker: ts-worker.mjs loads it through tsx.
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);
const TICKER = new URL('./ticker.worker.ts', import.meta.url);

async function main(): Promise<void> {
  // 1. Start: a Worker runs as soon as it is created (a Python Thread waits for start()).
  const worker = new Worker(TS_WORKER, {
    argv: [TICKER.href],
    workerData: { ticks: 5, periodMs: 100 },
  });
  worker.on('message', (tick: number) => console.log(`tick ${tick}`));

  if (process.argv.includes('--unref')) {
    // 2a. Daemon: this worker no longer keeps the process alive.
    worker.unref();
    console.log('main module done; the process ends without waiting for the worker');
    return;
  }
  // 2b. Join: wait here until the worker exits. once() rejects on 'error', so a worker that
  //     throws is reported instead of waited on for ever.
  const [code] = await once(worker, 'exit');
  console.log(`joined: the worker exited with code ${code}`);
}

await main();
