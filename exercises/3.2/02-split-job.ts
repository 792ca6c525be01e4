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
  // TODO: floor(length / parts) each, and one more for the first (length % parts) pieces.
  throw new Error(`TODO: split [${start}, ${end}) into ${parts} pieces`);
}

/** Primes below `limit`, counted by `threads` pieces running at the same time. */
export async function countPrimesParallel(
  limit: number,
  threads: number,
  runChunk: RunChunk,
): Promise<number> {
  // TODO: split [2, limit), start runChunk for every piece at once, add up the answers.
  throw new Error(`TODO: count primes below ${limit} on ${threads} threads with ${runChunk.name}`);
}
