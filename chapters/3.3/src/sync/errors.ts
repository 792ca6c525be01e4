/**
 * Errors of the gevent-style structures.
 *
 *   SyncError
 *   ├── WaitTimeoutError   a wait ran past its `timeoutMs` (the structure is unchanged)
 *   ├── QueueEmptyError    getNowait() on an empty queue (gevent: queue.Empty)
 *   ├── QueueFullError     putNowait() on a full queue (gevent: queue.Full)
 *   └── ReleaseError       release() without a matching acquire() (Python: ValueError)
 *
 * Aborts reject with `signal.reason`, as every AbortSignal-aware Node API does.
 */

export class SyncError extends Error {
  override name = 'SyncError';
}

export class WaitTimeoutError extends SyncError {
  override name = 'WaitTimeoutError';
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`${what} timed out after ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

export class QueueEmptyError extends SyncError {
  override name = 'QueueEmptyError';
}

export class QueueFullError extends SyncError {
  override name = 'QueueFullError';
}

export class ReleaseError extends SyncError {
  override name = 'ReleaseError';
}
