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
  /**
   * Ask for the second lock only once the other worker sleeps on ours. Without this, on a busy
   * machine the other worker may not have asked yet when our timeout fires, and the report
   * would show a slow holder instead of the deadlock cycle.
   */
  awaitCycle: boolean;
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
    if (job.awaitCycle) awaitOtherWaiting(first, second.holder());
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

/** Sleeps in 1 ms steps (up to 10 s) until `other` is asleep on the lock `mine` names. */
function awaitOtherWaiting(mine: Mutex, other: number): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + 10_000;
  while (mine.waitingOn(other) !== mine.name && performance.now() < deadline)
    Atomics.wait(nap, 0, 0, 1);
}
