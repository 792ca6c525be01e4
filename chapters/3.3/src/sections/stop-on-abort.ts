/** Ctrl-C during a section: terminate its pool so no thread or child process outlives it. */
import type { Pool } from '../pool/index.ts';

export function stopOnAbort(signal: AbortSignal, pool: Pool): void {
  if (signal.aborted) void pool.terminate();
  else signal.addEventListener('abort', () => void pool.terminate(), { once: true });
}

/**
 * Runs a section's body. Work cut off by Ctrl-C rejects (a terminated pool answers with
 * PoolTerminatedError or PoolClosedError): that is the interruption, not a failure to report.
 */
export async function endQuietlyOnAbort<T>(
  signal: AbortSignal,
  say: (text: string) => void,
  body: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (!signal.aborted) throw error;
    say('interrupted: pools terminated, no worker left running');
    return undefined;
  }
}
