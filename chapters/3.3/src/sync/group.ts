/**
 * gevent's Group and Pool: run a set of async tasks, at most `limit` at a time, and wait for
 * them together. Every task gets the group's AbortSignal; kill() aborts running tasks and
 * rejects the ones still waiting for a slot.
 */
import { setMaxListeners } from 'node:events';
import { Event } from './event.ts';
import { Semaphore } from './semaphore.ts';
import type { WaitOptions } from './waiters.ts';

export type GroupTask<T> = (signal: AbortSignal) => Promise<T> | T;

export class Group {
  private readonly slots: Semaphore | undefined;
  private readonly controller = new AbortController();
  private readonly idle = new Event('group.join()');
  private pending = 0;
  private activeCount = 0;

  /** `limit` = most tasks running at once; Infinity for no limit (gevent's Group). */
  constructor(readonly limit = Number.POSITIVE_INFINITY) {
    if (limit !== Number.POSITIVE_INFINITY && (!Number.isInteger(limit) || limit < 1)) {
      throw new RangeError(`group limit must be a whole number ≥ 1 or Infinity, got ${limit}`);
    }
    // Every waiting task listens on the one group signal; that is expected, not a leak.
    setMaxListeners(0, this.controller.signal);
    this.slots = limit === Number.POSITIVE_INFINITY ? undefined : new Semaphore(limit);
    this.idle.set();
  }

  /** Tasks spawned and not finished (running or waiting for a slot). */
  get size(): number {
    return this.pending;
  }

  /** Tasks running right now; never above `limit`. */
  get active(): number {
    return this.activeCount;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts `task` when a slot is free; the promise settles with the task. */
  spawn<T>(task: GroupTask<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    this.pending++;
    this.idle.clear();
    const run = async (): Promise<T> => {
      await this.slots?.acquire({ signal });
      this.activeCount++;
      try {
        // Killed while this task waited for its turn: it must not start at all.
        signal.throwIfAborted();
        return await task(signal);
      } finally {
        this.activeCount--;
        this.slots?.release();
      }
    };
    const result = run().finally(() => {
      if (--this.pending === 0) this.idle.set();
    });
    // The caller owns errors through the returned promise; join() must not crash on them.
    result.catch(() => {});
    return result;
  }

  /**
   * Resolves once a slot is free (gevent's Pool.wait_available). A spawner that waits here
   * before each spawn feels backpressure instead of queueing unlimited work.
   */
  async waitAvailable(options: WaitOptions = {}): Promise<void> {
    if (!this.slots) return;
    await this.slots.acquire(options);
    this.slots.release();
  }

  /** Spawns `fn(item)` for every item; results in input order (like gevent's Pool.map). */
  map<T, R>(
    items: Iterable<T>,
    fn: (item: T, signal: AbortSignal) => Promise<R> | R,
  ): Promise<R[]> {
    return Promise.all(Array.from(items, (item) => this.spawn((signal) => fn(item, signal))));
  }

  /** Resolves when no task is left (failures included: they report through spawn()). */
  join(options: WaitOptions = {}): Promise<void> {
    return this.idle.wait(options);
  }

  /** Aborts every task with `reason`, then waits for them to finish. */
  kill(reason: unknown = new Error('group was killed')): Promise<void> {
    this.controller.abort(reason);
    return this.join();
  }
}
