// Worker for lost-updates.ts: adds 1 to the shared counter `times` times, the way `mode` says.
import { workerData } from 'node:worker_threads';
import { lock, unlock } from './tiny-mutex.ts';

export type Mode = 'no lock' | 'Atomics.add' | 'mutex';
const COUNTER = 0; // cell 0: the counter
const MUTEX = 1; // cell 1: the lock guarding it
const READY = 2; // cell 2: how many workers have reached the start line

const { shared, times, mode, workers } = workerData as {
  shared: SharedArrayBuffer;
  times: number;
  mode: Mode;
  workers: number;
};
const cells = new Int32Array(shared);

// Start together, so the loops really overlap (starting a worker takes far longer than a loop).
Atomics.add(cells, READY, 1);
while (Atomics.load(cells, READY) < workers) {} // spin: every worker arrives within milliseconds

for (let i = 0; i < times; i++) {
  if (mode === 'no lock') {
    // This is what `counter[0]++` does: load, add, store. Another thread can store in between,
    // and its increment is then overwritten: a lost update.
    const seen = cells[COUNTER] ?? 0;
    cells[COUNTER] = seen + 1;
  } else if (mode === 'Atomics.add') {
    Atomics.add(cells, COUNTER, 1); // one indivisible read-modify-write
  } else {
    lock(cells, MUTEX);
    cells[COUNTER] = (cells[COUNTER] ?? 0) + 1; // safe: only the lock holder gets here
    unlock(cells, MUTEX);
  }
}
