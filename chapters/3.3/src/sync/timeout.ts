/**
 * Callers' time limits, checked before a timer is armed. setTimeout takes at most 2^31−1 ms:
 * a longer delay (Infinity included) fires after 1 ms with only a warning, and a negative or
 * NaN one fires at once, so a wait meant to be long would time out straight away.
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The delay to arm, or undefined for no limit (undefined or Infinity); RangeError otherwise. */
export function checkTimeout(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY) return undefined;
  if (typeof timeoutMs === 'number' && timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS) {
    return timeoutMs;
  }
  throw new RangeError(
    `timeoutMs must be from 0 to ${MAX_TIMEOUT_MS}, or Infinity for no limit; got ${String(timeoutMs)}`,
  );
}
