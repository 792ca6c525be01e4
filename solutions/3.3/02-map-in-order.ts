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
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a whole number ≥ 1, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;

  // Each runner takes the next index until none is left; `limit` runners share the work.
  async function runner(): Promise<void> {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }

  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}
