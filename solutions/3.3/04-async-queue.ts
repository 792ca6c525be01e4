/**
 * 3.3/04 — A bounded async queue with timeouts (like gevent.queue.Queue).
 *
 * `put` waits while the queue is full, `get` waits while it is empty; both accept a timeout
 * in milliseconds and then reject with QueueTimeout. Waiters are served first come, first
 * served. A waiter that timed out is gone for good: it must not take an item or a free
 * slot later, or that item would be lost.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/04)
 */

export class QueueTimeout extends Error {
  override name = 'QueueTimeout';
}

interface Waiter<T> {
  settle: (value: T) => void;
}

export class AsyncQueue<T> {
  readonly #items: T[] = [];
  readonly #getters: Array<Waiter<T>> = [];
  readonly #putters: Array<Waiter<void> & { item: T }> = [];

  constructor(readonly maxsize: number) {
    if (!Number.isInteger(maxsize) || maxsize < 1)
      throw new RangeError(`maxsize must be ≥ 1, got ${maxsize}`);
  }

  get size(): number {
    return this.#items.length;
  }

  put(item: T, timeoutMs?: number): Promise<void> {
    const getter = this.#getters.shift();
    if (getter) {
      getter.settle(item); // someone is already waiting: hand it over directly
      return Promise.resolve();
    }
    if (this.#items.length < this.maxsize) {
      this.#items.push(item);
      return Promise.resolve();
    }
    return this.#wait(
      this.#putters,
      { item, settle: () => {} },
      timeoutMs,
      `put timed out after ${timeoutMs} ms: the queue stayed full`,
    );
  }

  get(timeoutMs?: number): Promise<T> {
    if (this.#items.length > 0) {
      const item = this.#items.shift() as T;
      // A slot opened: the longest-waiting putter's item moves in.
      const putter = this.#putters.shift();
      if (putter) {
        this.#items.push(putter.item);
        putter.settle();
      }
      return Promise.resolve(item);
    }
    const putter = this.#putters.shift();
    if (putter) {
      putter.settle();
      return Promise.resolve(putter.item);
    }
    return this.#wait(
      this.#getters,
      { settle: () => {} },
      timeoutMs,
      `get timed out after ${timeoutMs} ms: the queue stayed empty`,
    );
  }

  /** Queues `waiter` until it is settled by the other side, or removes it on timeout. */
  #wait<W extends Waiter<V>, V>(
    queue: W[],
    waiter: W,
    timeoutMs: number | undefined,
    message: string,
  ): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      waiter.settle = (value: V) => {
        clearTimeout(timer);
        resolve(value);
      };
      queue.push(waiter);
      if (timeoutMs === undefined) return;
      timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at !== -1) queue.splice(at, 1);
        reject(new QueueTimeout(message));
      }, timeoutMs);
    });
  }
}
