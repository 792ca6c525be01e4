/** A pool of worker threads: shared process, cheap start, values copied by structured clone. */
import type { PoolOptions } from './pool.ts';
import { threadRuntime } from './thread-runtime.ts';
import { WorkerPool } from './worker-pool.ts';

export class ThreadPool extends WorkerPool {
  constructor(options: PoolOptions = {}) {
    super(threadRuntime, options);
  }
}
