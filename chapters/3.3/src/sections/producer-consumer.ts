/**
 * 3.3 Producer/consumer — a bounded queue between the side that makes work and the side
 * that does it.
 * Shows:  1. async producers and consumers on one thread: put() waits when the queue is full
 *            (backpressure), get() waits when it is empty;
 *         2. the same shape with worker threads doing the work (a ThreadPool behind the queue).
 * Run:    npm run chapter:3.3 -- 3.3 [--items 60]
 * Expect: every item consumed exactly once; producers waited on a full queue many times.
 */
import type { Section } from '@course/course-kit';
import { ThreadPool } from '../pool/index.ts';
import { JoinableQueue } from '../sync/index.ts';
import { tasks } from '../tasks.ts';
import { wholeArg } from './args.ts';
import { stopOnAbort } from './stop-on-abort.ts';

const QUEUE_SIZE = 4;
const turn = () => new Promise((resolve) => setImmediate(resolve));

export const producerConsumer: Section = {
  id: '3.3',
  title: 'Producer/consumer',
  summary: 'a bounded queue between producers and consumers, with async tasks and with threads',
  options: { items: { type: 'string' } },
  async run({ args, say, step, signal }) {
    const items = wholeArg(args, 'items', 60, 100_000);

    step(`1. two producers, three consumers, one queue of ${QUEUE_SIZE} (async tasks)`);
    const queue = new JoinableQueue<number>(QUEUE_SIZE);
    let fullWaits = 0;
    const consumed: number[] = [];
    const produce = async (from: number) => {
      for (let n = from; n < items; n += 2) {
        if (queue.full()) fullWaits++;
        await queue.put(n); // waits here while the queue is full: backpressure
      }
    };
    // Consumers run until told to stop; aborting their get() is how they are told.
    const stop = new AbortController();
    const consume = async () => {
      while (!stop.signal.aborted) {
        const n = await queue.get({ signal: stop.signal }).catch(() => undefined);
        if (n === undefined) return;
        consumed.push(n);
        await turn(); // consuming is the slow side in this demo
        queue.taskDone();
      }
    };
    const consumers = [consume(), consume(), consume()];
    await Promise.all([produce(0), produce(1)]);
    await queue.join(); // every item put has been marked done
    stop.abort();
    await Promise.all(consumers);
    const unique = new Set(consumed).size;
    say(`produced ${items}, consumed ${consumed.length} (${unique} distinct)`);
    say(`producers found the queue full ${fullWaits} times and waited instead of piling up`);

    step('2. the consumers hand the work to a pool of 2 worker threads');
    const pool = new ThreadPool({ size: 2 });
    stopOnAbort(signal, pool);
    const work = new JoinableQueue<number>(QUEUE_SIZE);
    const answers = new Map<number, number>();
    const done = new AbortController();
    const threadConsumer = async () => {
      while (!done.signal.aborted) {
        const n = await work.get({ signal: done.signal }).catch(() => undefined);
        if (n === undefined) return;
        answers.set(n, await pool.apply(tasks.fib, [20 + (n % 5)]));
        work.taskDone();
      }
    };
    const threadConsumers = [threadConsumer(), threadConsumer()];
    for (let n = 0; n < items; n++) await work.put(n);
    await work.join();
    done.abort();
    await Promise.all(threadConsumers);
    pool.close();
    await pool.join();
    say(`${answers.size} items computed in worker threads, e.g. fib(24) = ${answers.get(4)}`);
    return undefined;
  },
};
