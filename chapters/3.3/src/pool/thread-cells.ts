/**
 * The few Int32 cells a pool thread shares with the pool, readable without a message:
 * which task is running (so a crash can be blamed after the thread is gone), and whether a
 * module import is in flight (terminating a thread while V8 evaluates a module can crash the
 * whole process: nodejs/node#53238), with the pool's "stopping" flag that makes imports wait.
 */
export const RUNNING_TASK = 0;
export const IMPORTS_IN_FLIGHT = 1;
export const STOPPING = 2;
const CELLS = 3;

export function createThreadCells(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * Worker side: announce an import, unless the pool is already stopping this thread.
 * Announce first, then read the flag; the pool sets the flag first, then reads the count.
 * With sequentially consistent Atomics one of the two sides always sees the other, so the
 * pool never terminates a thread that has started an import it did not see.
 */
export function beginImport(cells: Int32Array): boolean {
  Atomics.add(cells, IMPORTS_IN_FLIGHT, 1);
  if (Atomics.load(cells, STOPPING) === 0) return true;
  Atomics.sub(cells, IMPORTS_IN_FLIGHT, 1);
  return false;
}

export function endImport(cells: Int32Array): void {
  Atomics.sub(cells, IMPORTS_IN_FLIGHT, 1);
}

/** Pool side: no import may start from now on; true if none is in flight. */
export function stopImports(cells: Int32Array): boolean {
  Atomics.store(cells, STOPPING, 1);
  return Atomics.load(cells, IMPORTS_IN_FLIGHT) === 0;
}
