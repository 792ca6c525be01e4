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
  const buffer: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let consumed = 0;
  // One wake-up slot per side: the producer waits for room, consumers wait for items.
  let roomFreed: (() => void) | undefined;
  const freeRoom = () => {
    const wake = roomFreed;
    roomFreed = undefined;
    wake?.();
  };
  const itemWaiters: Array<() => void> = [];
  const wakeConsumers = () => {
    for (const wake of itemWaiters.splice(0)) wake();
  };

  async function produce(): Promise<void> {
    const iterator = source[Symbol.asyncIterator]();
    try {
      for (;;) {
        while (buffer.length >= capacity && !failure)
          await new Promise<void>((r) => (roomFreed = r));
        if (failure) return;
        const step = await iterator.next();
        if (step.done || failure) return;
        buffer.push(step.value);
        wakeConsumers();
      }
    } finally {
      done = true;
      wakeConsumers();
      // Close the source early (runs its finally) when we stopped before it was exhausted.
      if (failure) await iterator.return?.();
    }
  }

  async function consumer(): Promise<void> {
    for (;;) {
      while (buffer.length === 0 && !done && !failure)
        await new Promise<void>((r) => itemWaiters.push(r));
      if (failure || (buffer.length === 0 && done)) return;
      const item = buffer.shift() as T;
      freeRoom();
      try {
        await consume(item);
        consumed++;
      } catch (error) {
        failure ??= { error };
        freeRoom();
        wakeConsumers();
        return;
      }
    }
  }

  await Promise.all([produce(), ...Array.from({ length: consumers }, consumer)]);
  if (failure) throw failure.error;
  return consumed;
}
