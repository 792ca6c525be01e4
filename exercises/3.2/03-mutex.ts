/**
 * 3.2/03 — A mutex from SharedArrayBuffer and Atomics.
 *
 * One Int32 cell is the lock: 0 means free, otherwise it holds the owner's id (1, 2, …).
 * Taking it is a compare-exchange from 0 to the owner; a thread that loses the race sleeps
 * with Atomics.wait until the holder's unlock wakes it with Atomics.notify — no busy loop.
 * Only the owner may unlock: anyone else gets a MutexError and the lock stays held.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/03)
 */

export class MutexError extends Error {
  override name = 'MutexError';
}

/** The value of a free lock; any other value is the id of the owner holding it. */
export const FREE = 0;

export class Mutex {
  constructor(
    readonly cells: Int32Array,
    readonly index = 0,
  ) {}

  /** Takes the lock for `owner` if it is free right now; never waits. */
  tryLock(owner: number): boolean {
    // TODO: one Atomics.compareExchange from FREE to owner; it returns the value it found.
    throw new MutexError(`TODO: tryLock for owner ${owner} (free is ${FREE})`);
  }

  /** Waits until the lock is free, then takes it for `owner`. */
  lock(owner: number): void {
    // TODO: loop: try to take it; if another owner holds it, Atomics.wait while it still does.
    throw new MutexError(`TODO: lock for owner ${owner}`);
  }

  unlock(owner: number): void {
    // TODO: only the owner may set the cell back to FREE; then wake one waiter (Atomics.notify).
    throw new MutexError(
      `TODO: unlock for owner ${owner} (cell ${this.index} of ${this.cells.length})`,
    );
  }
}
