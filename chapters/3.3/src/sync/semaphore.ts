/**
 * gevent's Semaphore and BoundedSemaphore: `value` permits; acquire() waits while none is
 * free. Waiters are served first come, first served: release() hands the permit straight
 * to the oldest waiter, so a task arriving later can never take it first.
 */
import { ReleaseError } from './errors.ts';
import { WaiterList, type WaitOptions } from './waiters.ts';

export class Semaphore {
  protected permits: number;
  private readonly waiters = new WaiterList<void>();

  constructor(value = 1) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`semaphore value must be a whole number ≥ 0, got ${value}`);
    }
    this.permits = value;
  }

  /** Free permits right now. */
  get value(): number {
    return this.permits;
  }

  /** Tasks waiting in acquire(). */
  get waiting(): number {
    return this.waiters.length;
  }

  locked(): boolean {
    return this.permits === 0;
  }

  acquire(options: WaitOptions = {}): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return this.waiters.wait(`${this.describe()}.acquire()`, undefined, options);
  }

  /** Takes a permit if one is free and nobody is queued before us; never waits. */
  tryAcquire(): boolean {
    if (this.permits === 0 || this.waiters.length > 0) return false;
    this.permits--;
    return true;
  }

  release(): void {
    const waiter = this.waiters.takeOldest();
    if (waiter) waiter.resolve();
    else this.permits++;
  }

  /** acquire(), run `fn`, release() — even when `fn` throws. */
  async with<R>(fn: () => Promise<R> | R, options: WaitOptions = {}): Promise<R> {
    await this.acquire(options);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  protected describe(): string {
    return 'semaphore';
  }
}

/** A Semaphore that refuses to be released above its starting value: that is always a bug. */
export class BoundedSemaphore extends Semaphore {
  private readonly bound: number;

  constructor(value = 1) {
    super(value);
    this.bound = value;
  }

  override release(): void {
    if (this.waiting === 0 && this.permits >= this.bound) {
      throw new ReleaseError(`${this.describe()} released more times than it was acquired`);
    }
    super.release();
  }

  protected override describe(): string {
    return 'boundedSemaphore';
  }
}
