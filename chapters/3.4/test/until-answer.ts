/** Test-only: course-kit's `until`, for a check that asks Redis and so must be awaited. */
import { timedOut } from '@course/course-kit';

/**
 * Polls `check` until it resolves true, for at most `ms`; a check that rejects (Redis away for a
 * moment) counts as false. Fails with "timed out after … waiting for `what`".
 */
export async function untilAnswer(
  check: () => Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() >= deadline) throw timedOut(ms, what);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
