/**
 * 3.3/05 — Producer/consumer with backpressure.
 *
 * `pump(source, consume, { capacity, consumers })` pulls items from an async source and
 * hands them to `consumers` concurrent consumers through a buffer of `capacity`. When the
 * buffer is full the producer stops pulling: a fast source cannot run ahead of slow
 * consumers by more than `capacity` items. It resolves with the number of items consumed
 * once the source is exhausted and every item is done. If a consumer fails, pump rejects
 * with that error, pulls nothing more and closes the source (its `finally` runs).
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/05)
 */

export interface PumpOptions {
  capacity: number;
  consumers: number;
}

export async function pump<T>(
  source: AsyncIterable<T>,
  consume: (item: T) => Promise<void>,
  { capacity, consumers }: PumpOptions,
): Promise<number> {
  // TODO: one producer loop that waits while the buffer holds `capacity` items, and
  // `consumers` loops that wait while it is empty. On a consumer error: remember it, wake
  // everyone, call the iterator's return() so the source closes, and reject with it.
  throw new Error(
    `TODO: pump ${typeof source[Symbol.asyncIterator] === 'function' ? 'an async' : 'a'} source into ${consumers} consumers (${consume.name || 'anonymous'}) with room for ${capacity} items`,
  );
}
