/**
 * gevent's JoinableQueue: a Queue that also counts unfinished work. Every item put() counts
 * one; a consumer calls taskDone() when it has *finished* an item (not merely taken it);
 * join() waits until the count is back to zero.
 */
import { SyncError } from './errors.ts';
import { Event } from './event.ts';
import { Queue } from './queue.ts';
import type { WaitOptions } from './waiters.ts';

export class JoinableQueue<T> extends Queue<T> {
  private unfinished = 0;
  private readonly finished = new Event('joinableQueue.join()');

  constructor(maxsize?: number) {
    super(maxsize);
    this.finished.set();
  }

  unfinishedTasks(): number {
    return this.unfinished;
  }

  taskDone(): void {
    if (this.unfinished === 0) {
      throw new SyncError('taskDone() called more times than items were put');
    }
    this.unfinished--;
    if (this.unfinished === 0) this.finished.set();
  }

  /** Resolves once every item put so far has been marked done. */
  join(options: WaitOptions = {}): Promise<void> {
    return this.finished.wait(options);
  }

  protected override accepted(_item: T): void {
    this.unfinished++;
    this.finished.clear();
  }
}
