/** Bounded waits for the load generator, each ending early when the run is interrupted. */
import { timedOut } from '@course/course-kit';
import { LoadError } from './errors.ts';

const POLL_MS = 5;

function interrupted(): LoadError {
  return new LoadError('the load run was interrupted');
}

/** Waits `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interrupted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Checks `check` every few ms until it returns true; rejects after `ms` with "timed out after
 * … waiting for `what`", or at once when `signal` aborts. An error thrown by `check` ends the wait.
 */
export async function pollUntil(
  check: () => boolean,
  ms: number,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() >= deadline) throw timedOut(ms, what);
    await sleep(POLL_MS, signal);
  }
}
