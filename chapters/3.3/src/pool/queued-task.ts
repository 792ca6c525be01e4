/**
 * A task as the pool holds it, and the rule that decides which task a dead worker was
 * running: the one it is blamed on.
 */
import type { TaskRequest } from './messages.ts';

export interface QueuedTask {
  readonly request: TaskRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  /** Workers that died while running this task; innocent re-runs do not count. */
  crashes: number;
  /**
   * Workers that died holding this task while running none of their tasks (a death no
   * running task explains). A suspect travels alone, to a worker holding nothing else, so
   * the next such death can only be its own.
   */
  suspicion: number;
}

/** How errors name a task; built only when needed, not for every submission. */
export function labelOf(request: { id: number; exportName: string }): string {
  return `task ${request.id} (${request.exportName})`;
}

/** A suspect is sent alone, to a worker holding nothing else (see `suspicion`). */
export function isSuspect(task: QueuedTask | undefined): boolean {
  return task !== undefined && task.suspicion > 0;
}

/**
 * Which of the tasks a dead worker held (oldest first) it was running, or -1 for none.
 * With shared progress the worker told us (`runningId`); otherwise answers come one by one in
 * run order, so it is the oldest unanswered one. A worker the pool ended to cancel a task
 * blames none: that task is settled already and the rest are innocent.
 *
 * A thread that died running none of the tasks it held (it died receiving them, say) would
 * die the same way on the next worker, and the next. Its tasks become suspects, each sent
 * alone from now on; a suspect that was alone when a worker died again is the culprit. (A
 * count for the whole pool, reset by any answer, never reached its limit while another
 * worker kept answering: the batch went round forever.)
 */
export function crashedTaskIndex(
  inFlight: readonly QueuedTask[],
  runningId: number | undefined,
  killedToCancel: boolean,
): number {
  if (killedToCancel) return -1;
  if (runningId === undefined) return 0;
  const at = inFlight.findIndex((task) => task.request.id === runningId);
  if (at >= 0 || inFlight.length === 0) return at;
  for (const task of inFlight) task.suspicion++;
  const [only] = inFlight;
  return inFlight.length === 1 && only && only.suspicion >= 2 ? 0 : -1;
}
