/**
 * The pool's error tree. Callers can catch `PoolError` for "anything the pool said",
 * or one subclass to react to a single cause.
 *
 *   PoolError
 *   ├── PoolClosedError      submit after close() / terminate()
 *   ├── PoolStateError       join() while the pool is still open (Python: ValueError)
 *   ├── PoolTerminatedError  work that terminate() cancelled
 *   ├── CloneError           a task's arguments that structured clone refuses (a function, a symbol)
 *   ├── TaskFailedError      the task threw in the worker; carries the remote message and stack
 *   ├── WorkerExitedError    the worker died while running the task
 *   └── TimeoutError         ApplyResult.get(timeout) ran out (the task keeps running)
 */

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

/** What a worker reports when a task throws: plain data, so it survives structured clone. */
export interface RemoteError {
  name: string;
  message: string;
  stack?: string | undefined;
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

/**
 * `cause` is what the worker threw when an uncaught exception ended it, with the worker's
 * own stack: a thread reports it to the pool. A child process cannot hand its exception
 * over once it is dying; it prints it on its stderr, which is ours unless the runtime pipes it.
 */
export class WorkerExitedError extends PoolError {
  override name = 'WorkerExitedError';
  readonly exitCode: number | null;
  readonly signal: string | null;
  constructor(taskLabel: string, exitCode: number | null, signal: string | null, cause?: unknown) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(
      cause === undefined
        ? `${taskLabel}: its worker ${how} before answering (the pool replaced the worker)`
        : `${taskLabel}: its worker ${how}: ${summarize(cause)} (before answering; the pool replaced the worker)`,
      cause === undefined ? undefined : { cause },
    );
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

export class TimeoutError extends PoolError {
  override name = 'TimeoutError';
  constructor(taskLabel: string, ms: number) {
    super(`${taskLabel} had no result after ${ms} ms (the task is still running)`);
  }
}

/**
 * Turns anything a task threw into plain strings for the trip back to the pool. It must not
 * throw itself: it runs in the worker's last line of defence, where a throw kills the worker.
 * Even reading an Error's fields can throw (a `message` getter that throws), so each read is
 * guarded and a value that cannot be read at all is reported as a NonError.
 */
export function toRemoteError(thrown: unknown): RemoteError {
  try {
    if (thrown instanceof Error) {
      const { name, message, stack } = thrown;
      return {
        name: describeThrown(name),
        message: describeThrown(message),
        stack: typeof stack === 'string' ? stack : undefined,
      };
    }
  } catch {
    return { name: 'NonError', message: 'an Error whose fields cannot be read' };
  }
  return { name: 'NonError', message: describeThrown(thrown) };
}

/** "Error: boom": name and message, as a stack trace's first line shows them. */
function summarize(thrown: unknown): string {
  const { name, message } = toRemoteError(thrown);
  return `${name}: ${message}`;
}

/** String(value), or its `[object Type]` tag for a value with no usable toString. */
export function describeThrown(value: unknown): string {
  try {
    return value instanceof Error ? String(value.message) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
