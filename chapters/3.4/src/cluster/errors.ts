/** The cluster's own failures, each saying what went wrong and where to look. */

export class ClusterError extends Error {
  override name = 'ClusterError';
}

/** A worker could not start, or did not say it listens in time. */
export class WorkerStartError extends ClusterError {
  override name = 'WorkerStartError';
  constructor(
    message: string,
    /** Node's code for the worker's own error (EADDRINUSE…), so callers can explain it. */
    readonly code?: string,
  ) {
    super(message);
  }
}
