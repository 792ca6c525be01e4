/**
 * 3.2.2 Locks — a tiny mutex: one Int32 cell of a SharedArrayBuffer, 0 = free, 1 = held.
 * Shows:  Atomics.compareExchange takes the lock in one indivisible step; Atomics.wait sleeps
 *         until the holder's Atomics.notify; Atomics.waitAsync waits without blocking the
 *         event loop (for the main thread).
 * Run:    used by counter.worker.ts: npx tsx chapters/3.2/src/plain/lost-updates.ts
 * The chapter's mutex.ts adds what this one leaves out: it records the holder (so only the
 * holder may unlock), takes timeouts, and names the other thread when a wait times out.
 */
const FREE = 0;
const HELD = 1;

/** Takes the lock if it is free, at once; never waits. */
export function tryLock(cells: Int32Array, index: number): boolean {
  // Writes HELD only if the cell still holds FREE, and returns what it held: one atomic step.
  return Atomics.compareExchange(cells, index, FREE, HELD) === FREE;
}

/** Waits until the lock is ours. Blocks the thread: use it in workers, not on the main thread. */
export function lock(cells: Int32Array, index: number): void {
  // wait() sleeps only while the cell still reads HELD, so an unlock that happens between our
  // failed try and our sleep is never missed.
  while (!tryLock(cells, index)) Atomics.wait(cells, index, HELD);
}

/** Like lock(), but the event loop keeps running while it waits. */
export async function lockAsync(cells: Int32Array, index: number): Promise<void> {
  while (!tryLock(cells, index)) {
    // waitAsync returns an object, not a promise: `value` is a promise only when `async` is
    // true; otherwise it is "not-equal" (the lock was already freed) and we try again.
    const { async, value } = Atomics.waitAsync(cells, index, HELD);
    if (async) await value;
  }
}

export function unlock(cells: Int32Array, index: number): void {
  if (Atomics.compareExchange(cells, index, HELD, FREE) !== HELD)
    throw new Error(`unlock of a mutex that is not locked (cell ${index})`);
  Atomics.notify(cells, index, 1); // wake one sleeping waiter, if there is one
}
