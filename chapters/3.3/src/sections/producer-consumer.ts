/**
 * 3.3 Producer/consumer — a bounded queue between the side that makes work and the side
 * that does it.
 * Shows:  1. async producers and consumers on one thread: put() waits when the queue is full
 *            (backpressure), get() waits when it is empty;
 *         2. the same shape with worker threads doing the work (a ThreadPool behind the queue).
 * Run:    npm run chapter:3.3 -- 3.3 [--items 60]
 * Expect: every item consumed exactly once; producers waited on a full queue many times.
 */
import { type Section, wholeNumberArg } from '@course/course-kit';
import { ThreadPool } from '../pool/index.ts';
import { JoinableQueue } from '../sync/index.ts';
import { tasks } from '../tasks.ts';
import { runQueue } from './run-queue.ts';
import { stopOnAbort } from './stop-on-abort.ts';

const QUEUE_SIZE = 4;
const turn = () => new Promise((resolve) => setImmediate(resolve));

export const producerConsumer: Section = {
  id: '3.3',
  title: 'Producer/consumer',
  summary: 'a bounded queue between producers and consumers, with async tasks and with threads',
  options: { items: { type: 'string' } },
  async run({ args, say, step, signal }) {
    const items = wholeNumberArg(args, 'items', 60, { max: 100_000 });
    const interrupted = () => {
      say('interrupted: producers and consumers stopped');
      return undefined;
    };

    step(`1. two producers, three consumers, one queue of ${QUEUE_SIZE} (async tasks)`);
    const queue = new JoinableQueue<number>(QUEUE_SIZE);
    let fullWaits = 0;
    const consumed: number[] = [];
    const produceFrom = async (from: number, put: (n: number) => Promise<void>) => {
      for (let n = from; n < items; n += 2) {
        if (queue.full()) fullWaits++;
        await put(n); // waits here while the queue is full: backpressure
      }
    };
    const consumeSlowly = async (n: number) => {
      consumed.push(n);
      await turn(); // consuming is the slow side in this demo
    };
    const produceBoth = (put: (n: number) => Promise<void>) =>
      Promise.all([produceFrom(0, put), produceFrom(1, put)]);
    if (!(await runQueue(queue, produceBoth, consumeSlowly, 3, signal))) return interrupted();
    say(`produced ${items}, consumed ${consumed.length} (${new Set(consumed).size} distinct)`);
    say(`producers found the queue full ${fullWaits} times and waited instead of piling up`);

    step('2. the consumers hand the work to a pool of 2 worker threads');
    const pool = new ThreadPool({ size: 2 });
    stopOnAbort(signal, pool);
    const answers = new Map<number, number>();
    const produceAll = async (put: (n: number) => Promise<void>) => {
      for (let n = 0; n < items; n++) await put(n);
    };
    const compute = async (n: number) => {
      answers.set(n, await pool.apply(tasks.fib, [20 + (n % 5)]));
    };
    const finished = await runQueue(
      new JoinableQueue<number>(QUEUE_SIZE),
      produceAll,
      compute,
      2,
      signal,
    );
    pool.close();
    await pool.join();
    if (!finished) return interrupted();
    say(`${answers.size} items computed in worker threads, e.g. fib(24) = ${answers.get(4)}`);
    return undefined;
  },
};
