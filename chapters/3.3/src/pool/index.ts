/**
 * The pool library. Switching between threads and processes is one option, the way Python
 * swaps `multiprocessing.Pool` for `multiprocessing.dummy.Pool`:
 *
 *   const pool = createPool(kind, { size: 2 });   // kind: 'thread' | 'process'
 */
import type { PoolOptions } from './pool.ts';
import { ProcessPool } from './process-pool.ts';
import { ThreadPool } from './thread-pool.ts';
import type { WorkerPool } from './worker-pool.ts';

export { ApplyResult, CALLBACK_WARNING } from './apply-result.ts';
export * from './errors.ts';
export type { ApplyOptions, Pool, PoolOptions, PoolState, TaskOptions } from './pool.ts';
export { ProcessPool } from './process-pool.ts';
export { createProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.ts';
export { type TaskRef, taskRef } from './task-ref.ts';
export { ThreadPool } from './thread-pool.ts';
export { WorkerPool } from './worker-pool.ts';

export type PoolKind = 'thread' | 'process';
export const POOL_KINDS = ['thread', 'process'] as const satisfies readonly PoolKind[];

export function createPool(kind: PoolKind, options: PoolOptions = {}): WorkerPool {
  return kind === 'thread' ? new ThreadPool(options) : new ProcessPool(options);
}
