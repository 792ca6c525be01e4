/**
 * 3.3 Producer/consumer — a bounded async queue between the side that makes work and the
 * side that does it, in plain TypeScript.
 * Shows:  put() waits while the queue is full (backpressure), get() waits while it is empty;
 *         each consumer stops when it takes the DONE marker (one marker per consumer).
 * Run:    npx tsx chapters/3.3/src/plain/producer-consumer.ts
 * Expect: "consumed 20 items, each once; the queue never held more than 4".
 */
import { pathToFileURL } from 'node:url';

// #region queue
/** A FIFO queue that holds at most `capacity` items. */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly getters: ((item: T) => void)[] = []; // consumers waiting for an item
  private readonly putters: (() => void)[] = []; // producers waiting for room
  maxSeen = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a whole number ≥ 1, got ${capacity}`);
    }
  }

  async put(item: T): Promise<void> {
    // Full: wait until a get() makes room. Re-check after waking, since another put()
    // may have taken the free slot first.
    while (this.items.length >= this.capacity) {
      await new Promise<void>((resolve) => this.putters.push(resolve));
    }
    // A consumer is already waiting: hand the item over directly.
    const getter = this.getters.shift();
    if (getter) getter(item);
    else this.items.push(item);
    this.maxSeen = Math.max(this.maxSeen, this.items.length);
  }

  get(): Promise<T> {
    if (this.items.length === 0) {
      return new Promise<T>((resolve) => this.getters.push(resolve));
    }
    const item = this.items.shift() as T;
    this.putters.shift()?.(); // a slot opened: wake one waiting producer
    return Promise.resolve(item);
  }
}
// #endregion queue

// #region run
export const DONE = Symbol('done');

/** `producers` make `items` numbers between them; `consumers` take them until DONE. */
export async function runProducerConsumer(producers: number, consumers: number, items: number) {
  if (!Number.isInteger(consumers) || consumers < 1) {
    // With no consumer the producers fill the queue, then wait for room for ever.
    throw new RangeError(`consumers must be a whole number ≥ 1, got ${consumers}`);
  }
  const queue = new AsyncQueue<number | typeof DONE>(4);
  const consumed: number[] = [];

  const produce = async (first: number) => {
    for (let n = first; n < items; n += producers) await queue.put(n); // waits when full
  };
  const consume = async () => {
    for (;;) {
      const item = await queue.get(); // waits when empty
      if (item === DONE) return;
      consumed.push(item);
      await new Promise((resolve) => setImmediate(resolve)); // consuming is the slow side
    }
  };

  const workers = Array.from({ length: consumers }, consume);
  await Promise.all(Array.from({ length: producers }, (_, i) => produce(i)));
  for (let i = 0; i < consumers; i++) await queue.put(DONE); // one stop marker each
  await Promise.all(workers);
  return { consumed, maxSeen: queue.maxSeen };
}
// #endregion run

async function main(): Promise<void> {
  const { consumed, maxSeen } = await runProducerConsumer(2, 3, 20);
  const once = new Set(consumed).size === consumed.length ? 'each once' : 'some twice!';
  console.log(
    `consumed ${consumed.length} items, ${once}; the queue never held more than ${maxSeen}`,
  );
  console.log(`in the order taken: ${consumed.join(' ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
