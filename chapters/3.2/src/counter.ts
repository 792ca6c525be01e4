/**
 * The three ways 3.2.2 increments one shared counter, as plain functions so tests can run
 * them on any thread. `cells` holds the counter (slot 0) and the start line (slot 1);
 * the mutex lives in its own lock buffer.
 */
import { Mutex } from './mutex.ts';

export const COUNTER = 0;
export const START_LINE = 1;

export const COUNTER_MODES = ['no lock', 'mutex', 'Atomics.add'] as const;
export type CounterMode = (typeof COUNTER_MODES)[number];

export function createCounterCells(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
}

export function increment(
  cells: Int32Array,
  locks: SharedArrayBuffer,
  mode: CounterMode,
  times: number,
): void {
  if (mode === 'no lock') {
    // Read, add, write: three steps another thread can interleave with, losing its update.
    for (let i = 0; i < times; i++) cells[COUNTER] = (cells[COUNTER] ?? 0) + 1;
  } else if (mode === 'mutex') {
    const mutex = new Mutex(locks, 0, { names: ['counter'] });
    for (let i = 0; i < times; i++) {
      mutex.lock(10_000);
      cells[COUNTER] = (cells[COUNTER] ?? 0) + 1;
      mutex.unlock();
    }
  } else {
    // One indivisible read-modify-write: no lock needed for a single number.
    for (let i = 0; i < times; i++) Atomics.add(cells, COUNTER, 1);
  }
}
