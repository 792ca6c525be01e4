/** Ctrl-C during a section: terminate its pool so no thread or child process outlives it. */
import type { Pool } from '../pool/index.ts';

export function stopOnAbort(signal: AbortSignal, pool: Pool): void {
  if (signal.aborted) void pool.terminate();
  else signal.addEventListener('abort', () => void pool.terminate(), { once: true });
}
