/** Section 3.3.1's step 3: the --kind flag, and one CPU job timed on one thread and on a pool. */
import { UsageError } from '@course/course-kit';
import { createPool, POOL_KINDS, type Pool, type PoolKind } from '../pool/index.ts';
import { fib, tasks } from '../tasks.ts';
import { stopOnAbort } from './stop-on-abort.ts';

export const FIB_N = 27;

export function kindsFrom(value: unknown): readonly PoolKind[] {
  if (value === undefined) return POOL_KINDS;
  if (value === 'thread' || value === 'process') return [value];
  throw new UsageError(`--kind expects thread or process, got "${String(value)}"`);
}

/**
 * Resolves once every worker of `pool` has answered a call. A pool sends work only to workers
 * that are ready, so timing a job while one is still starting would time a smaller pool.
 */
async function waitForEveryWorker(pool: Pool, signal: AbortSignal, limitMs = 30_000) {
  const seen = new Set<string>();
  const deadline = Date.now() + limitMs;
  while (seen.size < pool.size && !signal.aborted) {
    if (Date.now() > deadline) {
      throw new Error(`only ${seen.size} of ${pool.size} workers started within ${limitMs} ms`);
    }
    // Calls submitted together are shared out among the workers that are ready.
    const calls = Array.from({ length: pool.size }, () => pool.apply(tasks.workerId, []));
    for (const id of await Promise.all(calls)) seen.add(id);
    if (seen.size < pool.size) await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const ROUNDS = 3;

/**
 * The same job on one thread, then on a 2-worker pool of `kind`, in ROUNDS alternating rounds
 * (so background load hits both alike); the best time of each side is kept.
 */
export async function timeOneKind(kind: PoolKind, jobs: number, signal: AbortSignal) {
  const pool = createPool(kind, { size: 2 });
  stopOnAbort(signal, pool);
  await waitForEveryWorker(pool, signal); // start-up is not part of the job
  const inputs = Array.from({ length: jobs }, () => FIB_N);
  let serialMs = Number.POSITIVE_INFINITY;
  let ms = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS && !signal.aborted; round++) {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i++) fib(FIB_N);
    serialMs = Math.min(serialMs, performance.now() - t0);
    const t1 = performance.now();
    await pool.map(tasks.fib, inputs);
    ms = Math.min(ms, performance.now() - t1);
  }
  await pool.terminate();
  return { name: `${kind} pool`, ms, serialMs, speedup: serialMs / ms };
}
