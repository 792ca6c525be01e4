/**
 * 3.2.3 The GIL lesson — one CPU-bound job, split in two lanes, run three ways: one lane after
 * the other, both lanes in Promise.all, and each lane on its own worker thread.
 * Shows:  Promise.all does not run JavaScript in parallel: with no await inside, each async
 *         function runs to its end before the next one starts. Worker threads do run at once.
 * Run:    npx tsx chapters/3.2/src/plain/promise-all-vs-workers.ts [limit, default 3000000]
 * Expect: the same count three times; Promise.all's order "start 1, end 1, start 2, end 2";
 *         Promise.all about as slow as one after another; workers faster on 2+ free cores.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { countPrimes } from './count-primes.ts';
import type { PrimesReply } from './primes.worker.ts';

// Node 20 cannot start a .ts file as a worker: ts-worker.mjs loads it through tsx.
const TS_WORKER = new URL('./ts-worker.mjs', import.meta.url);
const PRIMES_WORKER = new URL('./primes.worker.ts', import.meta.url);

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

async function timed(name: string, job: () => Promise<number>): Promise<void> {
  const start = performance.now();
  const count = await job();
  console.log(`${name.padEnd(18)} ${count} primes in ${Math.round(performance.now() - start)} ms`);
}

/** Asks a primes worker for one count (one request at a time per worker). */
async function ask(worker: Worker, from: number, to: number): Promise<number> {
  worker.postMessage({ id: 1, from, to });
  const [reply] = (await once(worker, 'message')) as [PrimesReply];
  return reply.count;
}

/** Cuts [2, limit) into `count` ranges and deals them out to `lanes` lanes, round-robin. */
function dealRanges(limit: number, count: number, lanes: number): Array<Array<[number, number]>> {
  const hands: Array<Array<[number, number]>> = Array.from({ length: lanes }, () => []);
  const step = Math.ceil((limit - 2) / count);
  for (let i = 0, from = 2; from < limit; i++, from += step)
    hands[i % lanes]?.push([from, Math.min(limit, from + step)]);
  return hands;
}

async function main(): Promise<void> {
  const limit = Number(process.argv[2] ?? 3_000_000);
  if (!Number.isInteger(limit) || limit < 4) throw new Error('limit must be a whole number ≥ 4');
  // Two lanes of work, each with a worker thread of its own. Bigger numbers cost more to test,
  // so each lane gets every other one of 16 ranges rather than one half of the numbers.
  const lanes = dealRanges(limit, 16, 2).map((ranges) => ({
    ranges,
    worker: new Worker(TS_WORKER, { argv: [PRIMES_WORKER.href] }),
  }));
  const countLane = (ranges: Array<[number, number]>) =>
    sum(ranges.map(([from, to]) => countPrimes(from, to)));
  try {
    // 0. Warm up before any clock runs: wait until both workers have said 'ready' (loading
    //    TypeScript through tsx takes each one a few hundred ms), and compile countPrimes here.
    //    allSettled, not all: if one worker fails, the other has still loaded (or failed) before
    //    `finally` ends it — ending a thread while it loads its module can crash the process.
    const started = await Promise.allSettled(lanes.map(({ worker }) => once(worker, 'message')));
    for (const start of started) if (start.status === 'rejected') throw start.reason;
    countPrimes(2, 100_000);
    await Promise.all(lanes.map(({ worker }) => ask(worker, 2, 100_000)));

    // #region three-ways
    // 1. One lane after the other, on the main thread.
    await timed('one after another', async () => sum(lanes.map(({ ranges }) => countLane(ranges))));

    // 2. Promise.all on the main thread: the order shows the lanes did not overlap.
    const order: string[] = [];
    await timed('Promise.all', async () =>
      sum(
        await Promise.all(
          lanes.map(async ({ ranges }, i) => {
            order.push(`start ${i + 1}`);
            const count = countLane(ranges); // no await inside: nothing else runs meanwhile
            order.push(`end ${i + 1}`);
            return count;
          }),
        ),
      ),
    );
    console.log(`Promise.all order: ${order.join(', ')}`);

    // 3. Each lane on its own worker thread, at the same time on different cores.
    await timed('2 worker threads', async () => {
      const laneOnWorker = async ({ ranges, worker }: (typeof lanes)[number]) => {
        let count = 0;
        for (const [from, to] of ranges) count += await ask(worker, from, to);
        return count;
      };
      return sum(await Promise.all(lanes.map(laneOnWorker)));
    });
    // #endregion three-ways
  } finally {
    await Promise.all(lanes.map(({ worker }) => worker.terminate()));
  }
}

await main();
