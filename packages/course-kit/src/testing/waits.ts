/**
 * Test-only: bounded waits. A test that waits must end, and its failure must say what it was
 * waiting for, so a hang in CI reads as a sentence rather than a bare timeout. (Samples wait
 * for an event with `onceWithin`, in ../waits.ts.)
 */
import { timedOut } from '../waits.ts';

/** Settles like `promise`, or rejects after `ms` with "timed out after … waiting for `what`". */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut(ms, what)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every `pollMs` until it returns something other than false, null or
 * undefined, and resolves with that; rejects after `ms`. The loop itself stops at the
 * deadline, so a wait that failed leaves no timer behind.
 */
export async function until<T>(
  check: () => T | false | null | undefined,
  ms: number,
  what: string,
  pollMs = 5,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() >= deadline) throw timedOut(ms, what);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
