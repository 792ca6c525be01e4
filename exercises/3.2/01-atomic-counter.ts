/**
 * 3.2/01 — Count from many threads without losing updates.
 *
 * `shared[index]++` is three steps — read, add, write — and two threads can interleave
 * them, so one increment overwrites another. Atomics.add does all three as one step that no
 * other thread can split. The tests run your function in four worker threads at once over
 * one SharedArrayBuffer and expect the exact total, round after round.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/01)
 */

/** Adds 1 to `shared[index]`, `times` times, safely while other threads do the same. */
export function addMany(shared: Int32Array, index: number, times: number): void {
  // TODO: add 1 to shared[index], `times` times, in a way no other thread can interrupt.
  throw new Error(`TODO: add ${times} to slot ${index} of ${shared.length}`);
}
