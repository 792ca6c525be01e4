/**
 * The wire protocol between a pool and its workers, the same for threads and processes.
 * Every request and answer carries the task id, so answers may arrive in any order and
 * a late or duplicate answer can be recognised and ignored.
 *
 *   pool → worker   { type: 'run', tasks: TaskRequest[] }   a batch: one message, many tasks
 *                   { type: 'stop' }                         finish and exit (after close())
 *   worker → pool   TaskAnswer                               one task's answer
 *                   { type: 'answers', answers: TaskAnswer[] }  several, in the order run
 *
 * Before any of these the worker says { type: 'ready' } (module loaded, send work now):
 * that one is course-kit's READY, which every worker started with `startWorker` sends.
 *
 * A worker may batch answers only when the pool can learn, after a crash, which task was
 * running (threads share a progress cell for that; processes answer one by one).
 */
import type { RemoteError } from '@course/course-kit/workers';

export interface TaskRequest {
  id: number;
  /** A module URL (`file:///…/tasks.ts`): functions can't cross threads, names can. */
  module: string;
  exportName: string;
  args: unknown[];
}

export type ToWorker = { type: 'run'; tasks: TaskRequest[] } | { type: 'stop' };

export type TaskAnswer =
  | { type: 'done'; id: number; value: unknown }
  | { type: 'failed'; id: number; error: RemoteError };

export type FromWorker = TaskAnswer | { type: 'answers'; answers: TaskAnswer[] };
