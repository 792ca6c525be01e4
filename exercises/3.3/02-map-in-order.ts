/**
 * 3.3/02 — Pool.map's core: bounded concurrency, results in submission order.
 *
 * `mapInOrder(items, limit, fn)` calls fn on every item with at most `limit` calls running
 * at once, starting a new one as soon as one finishes. Results come back in the order of
 * `items`, whichever call finished first — as multiprocessing.Pool.map promises. The first
 * failure rejects the whole map, and no new call starts after it.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/02)
 */

export async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  // TODO: check limit; start `limit` runners that each take the next index until none is
  // left, storing results[index]; stop taking new items once one call has failed.
  throw new Error(`TODO: map ${items.length} items, ${limit} at a time, with ${fn.name}`);
}
