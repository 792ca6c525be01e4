/**
 * Work that exercise tests run inside worker threads (through `callInWorker`). Each drill
 * imports the student's module by URL, so the same drill checks a stub or a solution.
 */
import { LockTable } from '../lock-table.ts';

/**
 * Cells for `startTogether`: threads take hundreds of milliseconds to start, so without a
 * common start line each one could finish its loop before the next begins — and a race
 * that never overlaps is never caught. Each round starts on the same line again.
 */
export function startLine(parties: number): Int32Array {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  cells[1] = parties;
  return cells;
}

/** Blocks until every party has arrived for `round` (1, 2, …); gives up waiting after 10 s. */
function startTogether(line: Int32Array, round = 1): void {
  const target = Atomics.load(line, 1) * round;
  let seen = Atomics.add(line, 0, 1) + 1;
  if (seen >= target) {
    Atomics.notify(line, 0);
    return;
  }
  const deadline = Date.now() + 10_000;
  while (seen < target && Date.now() < deadline) {
    Atomics.wait(line, 0, seen, 100);
    seen = Atomics.load(line, 0);
  }
}

type AddMany = (shared: Int32Array, index: number, times: number) => void;

/**
 * Round r: every thread adds `times` to slot r - 1 once all threads are ready, so they
 * really overlap — the same contended case, repeated `shared.length` times.
 */
export async function addManyTogether(
  moduleHref: string,
  line: Int32Array,
  shared: Int32Array,
  times: number,
): Promise<void> {
  const { addMany } = (await import(moduleHref)) as { addMany: AddMany };
  for (let round = 1; round <= shared.length; round++) {
    startTogether(line, round);
    addMany(shared, round - 1, times);
  }
}

interface MutexLike {
  lock(owner: number): void;
  unlock(owner: number): void;
}
type MutexClass = new (cells: Int32Array, index?: number) => MutexLike;

/**
 * A read-modify-write that loses updates unless the student's Mutex really excludes;
 * repeated once per slot of `counter`, every round starting on the same line.
 */
export async function hammerMutex(
  moduleHref: string,
  line: Int32Array,
  lockCells: Int32Array,
  counter: Int32Array,
  owner: number,
  times: number,
): Promise<void> {
  const { Mutex } = (await import(moduleHref)) as { Mutex: MutexClass };
  const mutex = new Mutex(lockCells, 0);
  for (let round = 1; round <= counter.length; round++) {
    startTogether(line, round);
    for (let i = 0; i < times; i++) {
      mutex.lock(owner);
      const seen = Atomics.load(counter, round - 1);
      // Widen the window between read and write, so a broken lock shows up quickly.
      for (let spin = 0; spin < 20; spin++) Atomics.load(line, 1);
      Atomics.store(counter, round - 1, seen + 1);
      mutex.unlock(owner);
    }
  }
}

export type Transfer = (
  balances: Int32Array,
  locks: LockTable,
  from: number,
  to: number,
  amount: number,
  owner: number,
) => boolean;

/** Moves 1 unit `times` times between two accounts, in the given direction, in `rounds` rounds. */
export async function transferMany(
  moduleHref: string,
  line: Int32Array,
  balances: Int32Array,
  lockCells: Int32Array,
  from: number,
  to: number,
  owner: number,
  times: number,
  rounds = 1,
): Promise<number> {
  const { transfer } = (await import(moduleHref)) as { transfer: Transfer };
  const locks = new LockTable(lockCells, balances.length);
  let moved = 0;
  for (let round = 1; round <= rounds; round++) {
    startTogether(line, round);
    for (let i = 0; i < times; i++) if (transfer(balances, locks, from, to, 1, owner)) moved++;
  }
  return moved;
}

/** The CPU job of the split exercise: primes in [start, end), by trial division. */
export function countPrimes(start: number, end: number): number {
  let count = 0;
  for (let n = Math.max(2, start); n < end; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}
