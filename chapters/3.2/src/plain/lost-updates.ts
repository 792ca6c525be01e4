/**
 * 3.2.2 Locks — two worker threads add 1 to one shared counter, three ways.
 * Shows:  `counter[0]++` without a lock loses updates; Atomics.add and a mutex never do.
 * Run:    npx tsx chapters/3.2/src/plain/lost-updates.ts [times per worker, default 1000000]
 * Expect: "Atomics.add" and "mutex" exactly 2 × times; "no lock" usually less (how much less
 *         depends on how the threads happened to overlap: sometimes nothing is lost).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { Mode } from './counter.worker.ts'; // a type only: importing the file would run it

// Node 20 cannot start a .ts file as a worker: ts-worker.mjs loads it through tsx.
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);
const COUNTER_WORKER = new URL('./counter.worker.ts', import.meta.url);
const WORKERS = 2;

// #region count
/** Runs WORKERS threads that each add `times` to a fresh shared counter; returns the total. */
async function count(mode: Mode, times: number): Promise<number> {
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT); // zero-filled
  const threads = Array.from(
    { length: WORKERS },
    () =>
      new Worker(TS_WORKER, {
        argv: [COUNTER_WORKER.href],
        workerData: { shared, times, mode, workers: WORKERS },
      }),
  );
  await Promise.all(threads.map((thread) => once(thread, 'exit'))); // join them all
  return new Int32Array(shared)[0] ?? 0; // cell 0 is the counter (see counter.worker.ts)
}
// #endregion count

async function main(): Promise<void> {
  const times = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(times) || times < 1) throw new Error('times must be a whole number ≥ 1');
  const expected = WORKERS * times;
  for (const mode of ['no lock', 'Atomics.add', 'mutex'] as const) {
    const total = await count(mode, times);
    console.log(`${mode.padEnd(11)} ${total} of ${expected} (${expected - total} lost)`);
  }
}

await main();
