// Worker thread for 3.2.2: takes its first lock, waits until the other worker holds its own,
// then asks for the other's lock — a certain deadlock, which the timeout turns into a report.
import { arriveAndWait } from './barrier.ts';
import { LockTimeoutError } from './errors.ts';
import { Mutex } from './mutex.ts';
import { serve } from './serve.ts';

export interface DeadlockJob {
  locks: SharedArrayBuffer;
  names: readonly string[];
  first: number;
  second: number;
  barrier: SharedArrayBuffer;
  timeoutMs: number;
}

export type DeadlockOutcome =
  | { gotBoth: true }
  | { gotBoth: false; message: string; deadlock?: string };

serve((job: DeadlockJob): DeadlockOutcome => {
  const first = new Mutex(job.locks, job.first, { names: job.names });
  const second = new Mutex(job.locks, job.second, { names: job.names });
  first.lock(job.timeoutMs);
  try {
    arriveAndWait(new Int32Array(job.barrier), 0, 2);
    second.withLock(() => {}, job.timeoutMs);
    return { gotBoth: true };
  } catch (error) {
    if (!(error instanceof LockTimeoutError)) throw error;
    return {
      gotBoth: false,
      message: error.message,
      ...(error.deadlock ? { deadlock: error.deadlock } : {}),
    };
  } finally {
    first.unlock();
  }
});
