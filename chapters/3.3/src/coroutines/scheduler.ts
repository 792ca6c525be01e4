/**
 * A cooperative scheduler for generator tasks — what gevent's hub and asyncio's event loop
 * do underneath. A task runs until it yields a *trap* (a request to the scheduler); the
 * scheduler parks it, runs the next ready task, and resumes it when the trap is satisfied.
 *
 *   function* player(name: string): Task<string> {
 *     yield* sleep(10);                     // gevent.sleep(0.01)
 *     const data = yield* io(fetchScore()); // wait for I/O without blocking other tasks
 *     return `${name}: ${data}`;
 *   }
 *
 * Nothing is preemptive: a task that never yields starves the others, exactly like a
 * greenlet that never hits a gevent-patched call.
 */
import { Deque } from '../sync/deque.ts';

export type Trap =
  | { kind: 'pause' }
  | { kind: 'sleep'; ms: number }
  | { kind: 'io'; promise: Promise<unknown> };

export type Task<R = unknown> = Generator<Trap, R, unknown>;

/** Give other ready tasks a turn (gevent.sleep(0), asyncio.sleep(0)). */
export function* pause(): Task<void> {
  yield { kind: 'pause' };
}

/** Park this task for `ms` milliseconds of scheduler time. */
export function* sleep(ms: number): Task<void> {
  yield { kind: 'sleep', ms };
}

/** Wait for `promise`; its value comes back from `yield*`, its rejection is thrown there. */
export function* io<T>(promise: Promise<T>): Task<T> {
  return (yield { kind: 'io', promise }) as T;
}

/** Where time comes from. The virtual clock jumps straight to the next timer: tests run instantly. */
export interface Clock {
  now(): number;
  /** Wait until `deadline` (if any) or until `wake` settles, whichever is first. */
  wait(deadline: number | undefined, wake: Promise<void>, ioPending: boolean): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  async wait(deadline, wake) {
    if (deadline === undefined) return wake;
    let timer: NodeJS.Timeout | undefined;
    const due = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - performance.now()));
    });
    await Promise.race([due, wake]);
    clearTimeout(timer);
  },
};

export class VirtualClock implements Clock {
  private time = 0;
  now(): number {
    return this.time;
  }
  async wait(deadline: number | undefined, wake: Promise<void>, ioPending: boolean) {
    // I/O completes in real time; only when nothing else can happen does time jump.
    if (ioPending || deadline === undefined) return wake;
    this.time = Math.max(this.time, deadline);
  }
}

export interface SwitchEvent {
  at: number;
  task: string;
  event: 'start' | 'resume' | 'pause' | 'sleep' | 'io' | 'done' | 'failed';
}

interface Entry {
  name: string;
  gen: Task;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Resumption = { entry: Entry; value?: unknown; error?: unknown; failed?: boolean };

export class Scheduler {
  private readonly ready = new Deque<Resumption>();
  private readonly sleepers: { at: number; seq: number; entry: Entry }[] = [];
  private alive = 0;
  private ioPending = 0;
  private seq = 0;
  private wakeUp: () => void = () => {};
  private readonly started = new Set<Entry>();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly onSwitch?: (event: SwitchEvent) => void,
  ) {}

  /** Adds a task; the promise settles with its return value or its error. */
  spawn<R>(name: string, gen: Task<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.alive++;
      this.ready.push({
        entry: { name, gen, resolve: resolve as (value: unknown) => void, reject },
      });
    });
  }

  /** Runs until every task has finished. */
  async run(): Promise<void> {
    while (this.alive > 0) {
      // One step per ready task, in turn: round-robin.
      for (let n = this.ready.length; n > 0; n--) this.step(this.ready.shift() as Resumption);
      this.wakeDueSleepers();
      if (this.ready.length > 0 || this.alive === 0) continue;
      const wake = new Promise<void>((resolve) => (this.wakeUp = resolve));
      await this.clock.wait(this.sleepers[0]?.at, wake, this.ioPending > 0);
      this.wakeDueSleepers();
    }
  }

  // #region step
  private step({ entry, value, error, failed }: Resumption): void {
    const first = !this.started.has(entry);
    this.started.add(entry);
    this.log(entry, first ? 'start' : 'resume');
    let result: IteratorResult<Trap, unknown>;
    try {
      result = failed ? entry.gen.throw(error) : entry.gen.next(value);
    } catch (thrown) {
      this.finish(entry, 'failed');
      entry.reject(thrown);
      return;
    }
    if (result.done) {
      this.finish(entry, 'done');
      entry.resolve(result.value);
      return;
    }
    this.park(entry, result.value);
  }
  // #endregion step

  private park(entry: Entry, trap: Trap): void {
    this.log(entry, trap.kind);
    if (trap.kind === 'pause') {
      this.ready.push({ entry });
    } else if (trap.kind === 'sleep') {
      this.sleepers.push({ at: this.clock.now() + trap.ms, seq: this.seq++, entry });
      // Earliest first; equal deadlines keep their order (seq).
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    } else {
      this.ioPending++;
      trap.promise.then(
        (value) => this.resumeFromIo({ entry, value }),
        (error: unknown) => this.resumeFromIo({ entry, error, failed: true }),
      );
    }
  }

  private resumeFromIo(resumption: Resumption): void {
    this.ioPending--;
    this.ready.push(resumption);
    this.wakeUp();
  }

  private wakeDueSleepers(): void {
    const now = this.clock.now();
    while (this.sleepers.length > 0 && (this.sleepers[0]?.at ?? 0) <= now) {
      this.ready.push({ entry: (this.sleepers.shift() as { entry: Entry }).entry });
    }
  }

  private finish(entry: Entry, event: 'done' | 'failed'): void {
    this.alive--;
    this.started.delete(entry);
    this.log(entry, event);
  }

  private log(entry: Entry, event: SwitchEvent['event']): void {
    this.onSwitch?.({ at: this.clock.now(), task: entry.name, event });
  }
}
