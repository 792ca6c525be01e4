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
    return Atomics.compareExchange(this.cells, this.index, FREE, owner) === FREE;
  }

  /** Waits until the lock is free, then takes it for `owner`. */
  lock(owner: number): void {
    for (;;) {
      const holder = Atomics.compareExchange(this.cells, this.index, FREE, owner);
      if (holder === FREE) return;
      if (holder === owner) throw new MutexError(`owner ${owner} already holds this mutex`);
      // Sleeps only while the cell still holds `holder`: an unlock in between is not missed.
      Atomics.wait(this.cells, this.index, holder);
    }
  }

  unlock(owner: number): void {
    const holder = Atomics.compareExchange(this.cells, this.index, owner, FREE);
    if (holder !== owner) {
      const state = holder === FREE ? 'it is not locked' : `owner ${holder} holds it`;
      throw new MutexError(`owner ${owner} cannot unlock: ${state}`);
    }
    Atomics.notify(this.cells, this.index, 1);
  }
}
