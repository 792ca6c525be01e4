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

interface Sleeper {
  name: string;
  task: Task;
  wakeAt: number;
}

export function runRoundRobin(tasks: Record<string, () => Task>): RunResult {
  const ready: Array<{ name: string; task: Task }> = [];
  const sleeping: Sleeper[] = [];
  const turns: string[] = [];
  const results = new Map<string, unknown>();
  let clock = 0;
  for (const [name, start] of Object.entries(tasks)) ready.push({ name, task: start() });

  while (ready.length > 0 || sleeping.length > 0) {
    // Nobody can run: jump the clock to the earliest wake-up instead of idling tick by tick.
    if (ready.length === 0) clock = Math.max(clock, Math.min(...sleeping.map((s) => s.wakeAt)));
    for (const due of sleeping
      .filter((s) => s.wakeAt <= clock)
      .sort((a, b) => a.wakeAt - b.wakeAt)) {
      sleeping.splice(sleeping.indexOf(due), 1);
      ready.push(due);
    }
    const turn = ready.shift() as { name: string; task: Task };
    turns.push(turn.name);
    let step: IteratorResult<SleepTrap | undefined, unknown>;
    try {
      step = turn.task.next(clock);
    } catch (error) {
      for (const other of [...ready, ...sleeping]) other.task.return(undefined);
      throw new TaskFailedError(turn.name, error);
    }
    if (step.done) results.set(turn.name, step.value);
    else if (step.value && step.value.sleep > 0)
      sleeping.push({ ...turn, wakeAt: clock + step.value.sleep });
    else ready.push(turn);
    clock++;
  }
  return { turns, results, clock };
}
