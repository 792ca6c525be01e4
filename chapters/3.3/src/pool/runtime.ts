/**
 * What the pool needs from a worker, whatever runs it. A runtime starts workers; the pool
 * never touches `Worker` or `ChildProcess` directly, so ThreadPool and ProcessPool share
 * every line of scheduling, retry and shutdown logic.
 */
import type { FromWorker, ToWorker } from './messages.ts';

export interface WorkerEvents {
  message(message: FromWorker): void;
  /**
   * Called exactly once, whatever ended the worker. `error` is what the worker threw when an
   * uncaught exception ended it, with the worker's stack, if the runtime can tell.
   */
  exit(code: number | null, signal: string | null, error?: unknown): void;
}

export interface WorkerHandle {
  /** Process id for a child process, thread id for a worker thread. */
  readonly id: number;
  send(message: ToWorker): void;
  /** Ends the worker now; `exit` follows. */
  kill(): void;
  /**
   * For runtimes whose workers batch answers: the id of the task the worker was running
   * (0 when idle), read from shared memory even after the worker died. Without it, the pool
   * takes the oldest unanswered task as the one that was running.
   */
  runningTaskId?(): number;
}

export interface Runtime {
  readonly kind: 'thread' | 'process';
  start(events: WorkerEvents): WorkerHandle;
}
