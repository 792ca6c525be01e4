/**
 * Bounded waits for samples. A wait that can hang must end, and its failure must say what it
 * was waiting for. The test-only waits (`within`, `until`) are in testing/waits.ts and fail
 * with the same words.
 */
import { once } from 'node:events';

/** "timed out after 500 ms waiting for the queue child to exit" */
export function timedOut(ms: number, what: string): Error {
  return new Error(`timed out after ${ms} ms waiting for ${what}`);
}

/**
 * Waits for one `event`, for at most `ms`. Unlike racing `once()` against a timer, the
 * listener is removed when time runs out, so a wait that failed leaves nothing behind.
 */
export async function onceWithin<T extends unknown[]>(
  emitter: NodeJS.EventEmitter,
  event: string,
  ms: number,
  what: string,
): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return (await once(emitter, event, { signal })) as T;
  } catch (error) {
    if (signal.aborted) throw timedOut(ms, what);
    throw error;
  }
}
