/**
 * gevent's Queue: FIFO, optionally bounded. get() waits while it is empty; put() waits
 * while it is full — that wait is backpressure, the producer slows to the consumers' pace.
 *
 * Invariant: getters wait only while the buffer is empty, putters only while it is full,
 * so a put() with a getter waiting hands the item over directly and nothing is stranded.
 */
import { Deque } from './deque.ts';
import { QueueEmptyError, QueueFullError } from './errors.ts';
import { WaiterList, type WaitOptions } from './waiters.ts';

export class Queue<T> {
  private readonly items = new Deque<T>();
  private readonly getters = new WaiterList<T>();
  private readonly putters = new WaiterList<void, T>();

  /** `maxsize` is a whole number ≥ 1, or Infinity for an unbounded queue. */
  constructor(readonly maxsize = Number.POSITIVE_INFINITY) {
    if (!(maxsize === Number.POSITIVE_INFINITY || (Number.isInteger(maxsize) && maxsize >= 1))) {
      throw new RangeError(`queue maxsize must be a whole number ≥ 1 or Infinity, got ${maxsize}`);
    }
  }

  qsize(): number {
    return this.items.length;
  }

  empty(): boolean {
    return this.items.length === 0;
  }

  full(): boolean {
    return this.items.length >= this.maxsize;
  }

  /** Tasks blocked in get() and put(), for tests and monitoring. */
  waiting(): { getters: number; putters: number } {
    return { getters: this.getters.length, putters: this.putters.length };
  }

  /** Adds `item`, waiting while the queue is full. */
  put(item: T, options: WaitOptions = {}): Promise<void> {
    if (this.offer(item)) return Promise.resolve();
    return this.putters.wait(
      `queue.put() on a full queue (maxsize ${this.maxsize})`,
      item,
      options,
    );
  }

  /** Adds `item` or throws QueueFullError; never waits. */
  putNowait(item: T): void {
    if (!this.offer(item)) throw new QueueFullError(`queue is full (maxsize ${this.maxsize})`);
  }

  /** Takes the oldest item, waiting while the queue is empty. */
  get(options: WaitOptions = {}): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.take());
    return this.getters.wait('queue.get() on an empty queue', undefined, options);
  }

  /** Takes the oldest item or throws QueueEmptyError; never waits. */
  getNowait(): T {
    if (this.items.length === 0) throw new QueueEmptyError('queue is empty');
    return this.take();
  }

  /** Called once per item that enters the queue (JoinableQueue counts them). */
  protected accepted(_item: T): void {}

  private offer(item: T): boolean {
    // Putters wait only while the queue is full, so "full" also covers "someone is queued
    // before you": a newcomer can never jump the line.
    if (this.items.length >= this.maxsize) return false;
    this.accepted(item);
    const getter = this.getters.takeOldest();
    if (getter) getter.resolve(item);
    else this.items.push(item);
    return true;
  }

  private take(): T {
    const item = this.items.shift() as T;
    // A slot opened: the oldest waiting putter's item moves in, and that putter returns.
    const putter = this.putters.takeOldest();
    if (putter) {
      this.accepted(putter.payload);
      this.items.push(putter.payload);
      putter.resolve();
    }
    return item;
  }
}
