/**
 * One pool interface for threads and processes, after Python's `multiprocessing.Pool`.
 *
 *   open ──close()──▶ closed ──(queue drained, workers exit)──▶ join() resolves
 *     └───────────terminate()──────────▶ terminated ──────────▶ join() resolves
 *
 * Python names | here
 *   apply(f, args)                 apply(task, args, {signal})  → Promise<R>
 *   apply_async(f, args, cb, ecb)  applyAsync(task, args, {callback, errorCallback, signal})
 *                                                                → ApplyResult
 *   map(f, iterable)               map(task, items, {signal})   → Promise<R[]>, submission order
 *   imap / imap_unordered          imap / imapUnordered(task, items, {signal})
 *                                                                → AsyncIterable<R>
 *   close / terminate / join       close / terminate / join
 */
import type { ApplyResult } from './apply-result.ts';
import type { TaskRef } from './task-ref.ts';

export type PoolState = 'open' | 'closed' | 'terminated';

export interface TaskOptions {
  /**
   * Cancels the task: its promise rejects with `signal.reason`. A task still queued is simply
   * dropped; one already sent to a worker cannot be interrupted from outside (JavaScript has no
   * way to stop a running function), so that worker is ended and replaced and the other tasks
   * it held run again elsewhere. `AbortSignal.timeout(ms)` makes this a per-task time limit.
   * A signal aborted before submitting is refused like a closed pool: `apply` rejects,
   * `applyAsync` throws.
   */
  signal?: AbortSignal;
}

export interface ApplyOptions<R> extends TaskOptions {
  /** Called with the value once the task succeeds. Keep it quick, as in Python. */
  callback?: (value: R) => void;
  /** Called with the error once the task fails. */
  errorCallback?: (error: unknown) => void;
}

export interface PoolOptions {
  /** Number of workers; defaults to `os.availableParallelism()`. */
  size?: number;
  /** Run a task a second time when its worker dies under it (default false). */
  retryOnExit?: boolean;
  /** Most tasks sent ahead to one worker, so it never waits for the next message (default 16, at most 1024). */
  maxTasksInFlight?: number;
}

export interface Pool {
  readonly kind: 'thread' | 'process';
  readonly size: number;
  readonly state: PoolState;
  apply<A extends unknown[], R>(task: TaskRef<A, R>, args: A, options?: TaskOptions): Promise<R>;
  applyAsync<A extends unknown[], R>(
    task: TaskRef<A, R>,
    args: A,
    options?: ApplyOptions<R>,
  ): ApplyResult<R>;
  /** One signal for the whole batch: aborting it cancels every task not yet answered. */
  map<T, R>(task: TaskRef<[T], R>, items: Iterable<T>, options?: TaskOptions): Promise<R[]>;
  /** Aborting the signal cancels the tasks in flight and ends the iteration with its reason. */
  imap<T, R>(
    task: TaskRef<[T], R>,
    items: Iterable<T> | AsyncIterable<T>,
    options?: TaskOptions,
  ): AsyncIterable<R>;
  imapUnordered<T, R>(
    task: TaskRef<[T], R>,
    items: Iterable<T> | AsyncIterable<T>,
    options?: TaskOptions,
  ): AsyncIterable<R>;
  /** Accept no more tasks; workers exit once the queue is done. */
  close(): void;
  /** Cancel queued and running tasks (PoolTerminatedError) and kill every worker. */
  terminate(): Promise<void>;
  /** Wait for every worker to exit; only after close() or terminate(). */
  join(): Promise<void>;
}
