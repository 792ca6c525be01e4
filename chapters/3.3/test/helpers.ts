/** Test helpers of this chapter; bounded waits and process checks come from course-kit/testing. */

/** Settles a promise into data, so a test can assert on successes and failures alike. */
export async function outcome<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
