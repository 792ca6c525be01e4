/**
 * What the pool needs from a worker, whatever runs it. A runtime starts workers; the pool
 * never touches `Worker` or `ChildProcess` directly, so ThreadPool and ProcessPool share
 * every line of scheduling, retry and shutdown logic. Both runtimes start their workers with
 * course-kit's `startWorker`, as chapter 3.2's Peer does.
 */
import type { WorkerEvents as LinkEvents, WorkerKind } from '@course/course-kit/workers';
import type { FromWorker, ToWorker } from './messages.ts';

/** ready, message and exit (exactly once, with a thread's uncaught error): see startWorker. */
export type WorkerEvents = LinkEvents<FromWorker>;

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
  readonly kind: WorkerKind;
  start(events: WorkerEvents): WorkerHandle;
}
