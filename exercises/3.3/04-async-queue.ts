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

export class AsyncQueue<T> {
  constructor(readonly maxsize: number) {
    // TODO: refuse a maxsize below 1; set up the items and two FIFO lists of waiters.
  }

  get size(): number {
    // TODO: the number of items in the queue.
    return -1;
  }

  put(item: T, timeoutMs?: number): Promise<void> {
    // TODO: hand the item to a waiting getter, or store it, or wait for room (with timeout).
    return Promise.reject(new Error(`TODO: put ${String(item)} (timeout ${timeoutMs ?? 'none'})`));
  }

  get(timeoutMs?: number): Promise<T> {
    // TODO: take the oldest item (and let a waiting putter in), or wait for one (with timeout).
    // A waiter that times out must remove itself from its list.
    return Promise.reject(new Error(`TODO: get (timeout ${timeoutMs ?? 'none'})`));
  }
}
