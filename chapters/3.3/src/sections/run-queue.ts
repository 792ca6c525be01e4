/** The producer/consumer loop of section 3.3, with a clean stop on Ctrl-C or a failure. */
import type { JoinableQueue } from '../sync/index.ts';

/**
 * Runs `consumers` loops that take items until `produce` is done and every item is marked done.
 * Ctrl-C (`signal`) or a failing consumer stops everything: no one is left waiting on the queue.
 * Returns false when interrupted.
 */
export async function runQueue<T>(
  queue: JoinableQueue<T>,
  produce: (put: (item: T) => Promise<void>) => Promise<unknown>,
  consume: (item: T) => Promise<void>,
  consumers: number,
  signal: AbortSignal,
): Promise<boolean> {
  const stop = new AbortController();
  const until = AbortSignal.any([signal, stop.signal]);
  const loop = async () => {
    for (;;) {
      let item: T;
      try {
        item = await queue.get({ signal: until });
      } catch {
        return; // told to stop
      }
      await consume(item).catch((error: unknown) => stop.abort(error));
      queue.taskDone();
    }
  };
  const loops = Array.from({ length: consumers }, loop);
  try {
    await produce((item) => queue.put(item, { signal: until }));
    await queue.join({ signal: until }); // every item put has been marked done
  } catch (error) {
    if (!signal.aborted) throw stop.signal.aborted ? stop.signal.reason : error;
  } finally {
    stop.abort(); // the consumers' get() is how they are told to stop
    await Promise.all(loops);
  }
  return !signal.aborted;
}
