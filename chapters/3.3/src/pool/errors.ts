/**
 * The pool's error tree. Callers can catch `PoolError` for anything the pool refused or a
 * task threw, or one subclass to react to a single cause.
 *
 *   PoolError
 *   ├── PoolClosedError      submit after close() / terminate()
 *   ├── PoolStateError       join() while the pool is still open (Python: ValueError)
 *   ├── PoolTerminatedError  work that terminate() cancelled
 *   ├── CloneError           a task's arguments that structured clone refuses (a function, a symbol)
 *   ├── TaskFailedError      the task threw in the worker; carries the remote message and stack
 *   └── TimeoutError         ApplyResult.get(timeout) ran out (the task keeps running)
 *
 *   WorkerExitedError        the worker died while running the task: not a PoolError but
 *                            course-kit's, the one chapter 3.2's Peer uses too; exported here
 */
import { describeThrown, type RemoteError } from '@course/course-kit/workers';

export { WorkerExitedError } from '@course/course-kit/workers';

export class PoolError extends Error {
  override name = 'PoolError';
}

export class PoolClosedError extends PoolError {
  override name = 'PoolClosedError';
  constructor(state: string) {
    super(`pool is ${state}: no new tasks are accepted (create a new pool to submit more work)`);
  }
}

export class PoolStateError extends PoolError {
  override name = 'PoolStateError';
}

export class PoolTerminatedError extends PoolError {
  override name = 'PoolTerminatedError';
  constructor(taskId: number) {
    super(`task ${taskId} was cancelled because the pool was terminated`);
  }
}

export class CloneError extends PoolError {
  override name = 'CloneError';
  constructor(taskLabel: string, cause: unknown) {
    super(
      `${taskLabel}: its arguments cannot be sent to a worker: ${describeThrown(cause)} (send plain data: no functions, symbols or class instances)`,
      { cause },
    );
  }
}

export class TaskFailedError extends PoolError {
  override name = 'TaskFailedError';
  readonly remoteName: string;
  readonly remoteMessage: string;
  readonly remoteStack: string | undefined;
  constructor(taskLabel: string, remote: RemoteError) {
    super(`${taskLabel} failed in the worker: ${remote.name}: ${remote.message}`);
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
    this.remoteStack = remote.stack;
  }
}

export class TimeoutError extends PoolError {
  override name = 'TimeoutError';
  constructor(taskLabel: string, ms: number) {
    super(`${taskLabel} had no result after ${ms} ms (the task is still running)`);
  }
}
