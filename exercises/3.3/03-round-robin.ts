/**
 * 3.3/03 — A cooperative round-robin scheduler for generator tasks.
 *
 * This is how gevent and asyncio work underneath: a task runs until it yields, then the
 * next ready task gets a turn. The clock is virtual: every turn takes one tick, and when
 * every task sleeps the clock jumps to the earliest wake-up. `yield` alone gives up the
 * turn; `yield sleep(n)` during the turn at tick t makes the task ready again at tick t + n,
 * behind the tasks already waiting. Each resumed task receives the current tick as the
 * value of its yield. When a task throws, the run stops with a TaskFailedError naming it,
 * after closing the other tasks so their `finally` blocks run.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/03)
 */

export interface SleepTrap {
  sleep: number;
}

export type Task = Generator<SleepTrap | undefined, unknown, number>;

export function sleep(ticks: number): SleepTrap {
  return { sleep: ticks };
}

export class TaskFailedError extends Error {
  override name = 'TaskFailedError';
  constructor(
    readonly task: string,
    override readonly cause: unknown,
  ) {
    super(`task ${task} failed: ${(cause as Error)?.message ?? String(cause)}`);
  }
}

export interface RunResult {
  /** The name of the task that ran, one entry per turn. */
  turns: string[];
  /** What each task returned. */
  results: Map<string, unknown>;
  /** The virtual clock when the last task finished. */
  clock: number;
}

export function runRoundRobin(tasks: Record<string, () => Task>): RunResult {
  // TODO: a ready queue and a list of sleepers. Each turn: if nobody is ready, jump the
  // clock to the earliest wake-up; move due sleepers to the ready queue; run the first
  // ready task with next(clock); record its result, put it to sleep, or requeue it; clock++.
  // If next() throws, return() every other task and throw a TaskFailedError.
  throw new TaskFailedError('scheduler', new Error(`TODO: run ${Object.keys(tasks).join(', ')}`));
}
