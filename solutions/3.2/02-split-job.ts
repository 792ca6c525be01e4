/**
 * 3.2/02 — Split a CPU job across worker threads.
 *
 * One JavaScript thread runs one thing at a time, so a CPU-bound job only gets faster when
 * it is cut into pieces that run on several threads at once. `splitRange` cuts [start, end)
 * into contiguous pieces whose sizes differ by at most one; `countPrimesParallel` starts
 * every piece at once through `runChunk` (the tests make it a worker thread) and adds up
 * the answers. A piece that fails makes the whole job fail.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/02)
 */

export type RunChunk = (start: number, end: number) => Promise<number>;

/** At most `parts` non-empty ranges covering [start, end) exactly, in order. */
export function splitRange(start: number, end: number, parts: number): Array<[number, number]> {
  const length = Math.max(0, end - start);
  const count = Math.min(parts, length);
  const ranges: Array<[number, number]> = [];
  let from = start;
  for (let i = 0; i < count; i++) {
    // The first (length % count) pieces take one extra element.
    const size = Math.floor(length / count) + (i < length % count ? 1 : 0);
    ranges.push([from, from + size]);
    from += size;
  }
  return ranges;
}

/** Primes below `limit`, counted by `threads` pieces running at the same time. */
export async function countPrimesParallel(
  limit: number,
  threads: number,
  runChunk: RunChunk,
): Promise<number> {
  const counts = await Promise.all(
    splitRange(2, limit, threads).map(([from, to]) => runChunk(from, to)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}
