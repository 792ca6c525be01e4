/**
 * A one-shot barrier in shared memory: each thread calls arriveAndWait(); nobody passes until
 * `parties` threads have arrived. The samples use it so workers really start together —
 * otherwise the first worker may finish before the last one has even loaded.
 */
export function arriveAndWait(
  cells: Int32Array,
  index: number,
  parties: number,
  timeoutMs = 10_000,
): void {
  const deadline = performance.now() + timeoutMs;
  let arrived = Atomics.add(cells, index, 1) + 1;
  if (arrived >= parties) {
    Atomics.notify(cells, index);
    return;
  }
  while (arrived < parties) {
    const remaining = deadline - performance.now();
    if (remaining <= 0)
      throw new Error(
        `barrier timed out after ${timeoutMs} ms with ${arrived} of ${parties} threads arrived`,
      );
    Atomics.wait(cells, index, arrived, remaining);
    arrived = Atomics.load(cells, index);
  }
}
