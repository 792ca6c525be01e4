/** A pool of child processes: separate memory and crash isolation, slower start and IPC. */
import type { PoolOptions } from './pool.ts';
import { processRuntime } from './process-runtime.ts';
import { WorkerPool } from './worker-pool.ts';

export class ProcessPool extends WorkerPool {
  constructor(options: PoolOptions = {}) {
    super(processRuntime, options);
  }
}
