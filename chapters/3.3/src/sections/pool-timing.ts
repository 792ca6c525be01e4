/** Section 3.3.1's step 3: the --kind flag, and one CPU job timed on one thread and on a pool. */
import { UsageError } from '@course/course-kit';
import { createPool, POOL_KINDS, type PoolKind } from '../pool/index.ts';
import { fib, tasks } from '../tasks.ts';
import { stopOnAbort } from './stop-on-abort.ts';

export const FIB_N = 27;

export function kindsFrom(value: unknown): readonly PoolKind[] {
  if (value === undefined) return POOL_KINDS;
  if (value === 'thread' || value === 'process') return [value];
  throw new UsageError(`--kind expects thread or process, got "${String(value)}"`);
}

/** The same job on one thread, then on a 2-worker pool of `kind`. */
export async function timeOneKind(kind: PoolKind, jobs: number, signal: AbortSignal) {
  const pool = createPool(kind, { size: 2 });
  stopOnAbort(signal, pool);
  await pool.apply(tasks.fib, [10]); // wait for the workers to start: not part of the job
  // One thread's time measured right before, so both see the same background load.
  const t0 = performance.now();
  for (let i = 0; i < jobs; i++) fib(FIB_N);
  const serialMs = performance.now() - t0;
  const t1 = performance.now();
  await pool.map(
    tasks.fib,
    Array.from({ length: jobs }, () => FIB_N),
  );
  const ms = performance.now() - t1;
  await pool.terminate();
  return { name: `${kind} pool`, ms, serialMs, speedup: serialMs / ms };
}
