/**
 * Test-only: bounded waits. A test that waits must end, and its failure must say what it was
 * waiting for, so a hang in CI reads as a sentence rather than a bare timeout.
 */

/** Settles like `promise`, or rejects after `ms` with "timed out after … waiting for `what`". */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `check` every `pollMs` until it holds, or rejects after `ms`. The loop itself stops at
 * the deadline, so a wait that failed leaves no timer behind.
 */
export async function until(
  check: () => boolean,
  ms: number,
  what: string,
  pollMs = 5,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() >= deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
