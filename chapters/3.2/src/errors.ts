/**
 * The chapter's error tree. Every message is lowercase and says what to do or what was held.
 *
 *   ConcurrencyError
 *   ├── LockError
 *   │   ├── LockTimeoutError      (names the lock, who holds it, and what the waiter holds)
 *   │   ├── NotLockOwnerError     (unlock by a thread that does not hold the lock)
 *   │   └── MainThreadBlockError  (a blocking lock() on the event-loop thread)
 *   ├── WorkerFailedError         (a worker or child threw: carries its error as `cause`)
 *   │   └── WorkerCrashedError    (…outside any request, e.g. while loading: so it stopped)
 *   └── QueueClosedError          (get() on an IPC queue whose peer went away)
 *
 * A worker or child that exited before it answered is course-kit's WorkerExitedError
 * (`@course/course-kit/workers`), the same error chapter 3.3's pool gives a task.
 */
export class ConcurrencyError extends Error {
  override name = 'ConcurrencyError';
}

export class LockError extends ConcurrencyError {
  override name = 'LockError';
}

export class LockTimeoutError extends LockError {
  override name = 'LockTimeoutError';
  constructor(
    message: string,
    /** The lock waited for, its holder's id (0 = free by now), and the locks the waiter held. */
    readonly lock: string,
    readonly holder: number,
    readonly waiter: number,
    readonly waiterHolds: readonly string[],
    /** The wait-for cycle, when the timeout was a deadlock rather than a slow holder. */
    readonly deadlock: string | undefined,
  ) {
    super(message);
  }
}

export class NotLockOwnerError extends LockError {
  override name = 'NotLockOwnerError';
}

export class MainThreadBlockError extends LockError {
  override name = 'MainThreadBlockError';
}

export class WorkerFailedError extends ConcurrencyError {
  override name = 'WorkerFailedError';
}

/** The worker threw outside any request (an uncaught exception, or while loading): it is gone. */
export class WorkerCrashedError extends WorkerFailedError {
  override name = 'WorkerCrashedError';
}

export class QueueClosedError extends ConcurrencyError {
  override name = 'QueueClosedError';
}
