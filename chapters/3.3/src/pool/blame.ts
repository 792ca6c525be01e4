/**
 * Who is to blame when a worker dies, and what becomes of the tasks it held. A dead worker
 * takes with it every task it was sent and has not answered; these rules decide which one
 * fails and which run again.
 *
 *  1. A worker the pool ended to cancel a task blames nobody: the cancelled task is settled
 *     already, and the others it held are innocent.
 *  2. A worker that says which task it was running blames that task. (A thread writes the id
 *     to shared memory before each task, so the pool can read it after the thread died.)
 *  3. A worker that cannot say blames the oldest task it held: it runs tasks in the order
 *     sent and answers each as it ends (a process does), so that is the one it was running.
 *  4. A worker that died running none of the tasks it held (a thread that died receiving a
 *     batch, say) blames none of them yet: each becomes a suspect. Whatever killed it would
 *     kill the next worker too, and the next; a pool-wide count of such deaths would not
 *     end that, since every answer from a healthy worker would reset it.
 *  5. A suspect travels alone: it is sent only to a worker holding nothing, and that worker
 *     is sent nothing more until the suspect is answered. So a later death with a suspect
 *     on board can have no other cause.
 *  6. Hence a worker that died running nothing and holding a single suspect blames it.
 *  7. The blamed task fails with WorkerExitedError, unless the pool has retryOnExit and the
 *     task was never blamed before: then it runs once more, first in the queue. A task that
 *     takes down a second worker is the problem, not the worker.
 *  8. Every other task the worker held goes back to the front of the queue, in the order it
 *     was sent. Some never started; some finished but their answer died with the worker.
 *     Those run again (at least once), yet each is answered only once.
 *
 * `blameForExit` applies rules 1-4 and 6-8 and changes nothing: the pool applies its verdict.
 * The pool's flush applies rule 5 through `travelsAlone`.
 */
import type { QueuedTask } from './queued-task.ts';

export interface WorkerDeath {
  /** The tasks the worker held and had not answered, oldest (first sent) first. */
  readonly inFlight: readonly QueuedTask[];
  /** The task it was running, 0 if none (rule 2); undefined if it cannot say (rule 3). */
  readonly runningTaskId: number | undefined;
  /** The pool ended this worker to stop a cancelled task (rule 1). */
  readonly killedToCancel: boolean;
  /** The pool's retryOnExit option (rule 7). */
  readonly retryOnExit: boolean;
}

export interface ExitVerdict {
  /** Fails now with WorkerExitedError (rule 7). */
  culprit?: QueuedTask;
  /** Blamed, but given its one retry (rule 7): first in `requeue`; mark it `retried`. */
  retry?: QueuedTask;
  /** Back to the front of the queue, in this order (rules 1, 7, 8). */
  requeue: QueuedTask[];
  /** To mark as suspects (rule 4); they are in `requeue` too. */
  suspects: QueuedTask[];
}

export function blameForExit(death: WorkerDeath): ExitVerdict {
  const { inFlight, killedToCancel, retryOnExit } = death;
  if (killedToCancel) return { requeue: [...inFlight], suspects: [] };
  const blamed = findBlamed(death);
  if (!blamed) return { requeue: [...inFlight], suspects: [...inFlight] };
  const others = inFlight.filter((task) => task !== blamed);
  if (retryOnExit && !blamed.retried) {
    return { retry: blamed, requeue: [blamed, ...others], suspects: [] };
  }
  return { culprit: blamed, requeue: others, suspects: [] };
}

/** Rules 2, 3 and 6: the task the worker died of, if one can be named. */
function findBlamed({ inFlight, runningTaskId }: WorkerDeath): QueuedTask | undefined {
  if (runningTaskId === undefined) return inFlight[0];
  const running = inFlight.find((task) => task.request.id === runningTaskId);
  if (running) return running;
  const [only] = inFlight;
  return inFlight.length === 1 && only?.suspect ? only : undefined;
}

/** Rule 5: whether `task` must be sent alone, to a worker holding nothing else. */
export function travelsAlone(task: QueuedTask | undefined): boolean {
  return task?.suspect === true;
}
