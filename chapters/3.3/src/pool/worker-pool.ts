/**
 * The pool engine both ThreadPool and ProcessPool run on: a FIFO of tasks, a set of worker
 * slots, batching, crash recovery and the close/terminate/join life cycle. It only talks to
 * workers through a `Runtime`, so the same code is tested with threads and with processes.
 */
import { availableParallelism } from 'node:os';
import { AbortWatches } from '../sync/abort-watches.ts';
import { Deque } from '../sync/deque.ts';
import { ApplyResult, runCallbacks } from './apply-result.ts';
import { blameForExit, travelsAlone } from './blame.ts';
import {
  CloneError,
  PoolClosedError,
  PoolError,
  PoolStateError,
  PoolTerminatedError,
  TaskFailedError,
  WorkerExitedError,
} from './errors.ts';
import { asCompleted, inOrder } from './iterate.ts';
import type { FromWorker, TaskAnswer, TaskRequest } from './messages.ts';
import type { ApplyOptions, Pool, PoolOptions, PoolState, TaskOptions } from './pool.ts';
import { labelOf, type QueuedTask } from './queued-task.ts';
import type { Runtime, WorkerHandle } from './runtime.ts';
import type { TaskRef } from './task-ref.ts';

/** The pool's side of one worker: what it was sent and where it is in its life. */
class Slot {
  readonly handle: WorkerHandle;
  ready = false;
  stopping = false;
  /** Ended by the pool to stop a cancelled task: its exit blames no task (see blame.ts). */
  killedToCancel = false;
  /**
   * Sent and not yet answered, by task id. A Map keeps insertion order, so the first entry
   * is the oldest: the one a worker running tasks in the order sent is running.
   */
  readonly inFlight = new Map<number, QueuedTask>();

  /** Starts the worker; `events` hear from it with this slot attached. */
  constructor(runtime: Runtime, events: SlotEvents) {
    this.handle = runtime.start({
      ready: () => events.ready(this),
      message: (message) => events.message(this, message),
      exit: (code, signal, error) => events.exit(this, code, signal, error),
    });
  }

  /** The first task sent and not answered; a suspect, if it holds one (they travel alone). */
  oldest(): QueuedTask | undefined {
    for (const task of this.inFlight.values()) return task;
    return undefined;
  }
}

/** WorkerEvents, told which slot's worker they come from. */
interface SlotEvents {
  ready(slot: Slot): void;
  message(slot: Slot, message: FromWorker): void;
  exit(slot: Slot, code: number | null, signal: string | null, error?: unknown): void;
}

/**
 * The most tasks one worker may hold (the `maxTasksInFlight` option's ceiling). When a
 * worker dies, every task it held goes back to the queue and runs again, even one that had
 * finished but whose answer had not left yet: the cap bounds the work one crash repeats.
 * It also bounds one 'run' message, which structured clone copies in one piece while the
 * pool's thread does nothing else.
 */
export const MAX_TASKS_IN_FLIGHT = 1024;

/** Workers that die before saying 'ready' this many times in a row mean a broken set-up. */
const MAX_START_FAILURES = 3;

export class WorkerPool implements Pool {
  readonly kind: 'thread' | 'process';
  readonly size: number;
  private current: PoolState = 'open';
  private readonly queue = new Deque<QueuedTask>();
  private readonly slots = new Set<Slot>();
  private readonly retryOnExit: boolean;
  private readonly maxInFlight: number;
  private nextId = 1;
  private flushScheduled = false;
  private startFailures = 0;
  /** The tasks under one signal, however many calls passed it, share one listener. */
  private readonly watches = new AbortWatches<QueuedTask>((tasks, reason) =>
    this.cancel(tasks, reason),
  );
  private readonly allExited: Promise<void>;
  private resolveAllExited!: () => void;

  constructor(
    private readonly runtime: Runtime,
    options: PoolOptions = {},
  ) {
    this.kind = runtime.kind;
    this.size = options.size ?? availableParallelism();
    this.retryOnExit = options.retryOnExit ?? false;
    this.maxInFlight = options.maxTasksInFlight ?? 16;
    if (!Number.isInteger(this.size) || this.size < 1) {
      throw new RangeError(`pool size must be a whole number of at least 1, got ${this.size}`);
    }
    if (
      !Number.isInteger(this.maxInFlight) ||
      this.maxInFlight < 1 ||
      this.maxInFlight > MAX_TASKS_IN_FLIGHT
    ) {
      throw new RangeError(
        `maxTasksInFlight must be a whole number from 1 to ${MAX_TASKS_IN_FLIGHT}, got ${this.maxInFlight}`,
      );
    }
    this.allExited = new Promise((resolve) => {
      this.resolveAllExited = resolve;
    });
    // Like Python, the workers start with the pool, so the first task doesn't wait for them.
    this.startMissingWorkers();
  }

  get state(): PoolState {
    return this.current;
  }

  /** Workers alive or starting; never more than `size`. */
  get workerCount(): number {
    return this.slots.size;
  }

  /** Ids (pid or thread id) of the workers alive or starting, for tests and demos. */
  workerIds(): number[] {
    return [...this.slots].map((slot) => slot.handle.id);
  }

  apply<A extends unknown[], R>(
    task: TaskRef<A, R>,
    args: A,
    options: TaskOptions = {},
  ): Promise<R> {
    try {
      return this.submit(task, args, options.signal).promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Throws PoolClosedError at once after close(), as Python raises "Pool not running". */
  applyAsync<A extends unknown[], R>(
    task: TaskRef<A, R>,
    args: A,
    options: ApplyOptions<R> = {},
  ): ApplyResult<R> {
    const { promise, queued } = this.submit(task, args, options.signal);
    const result = new ApplyResult(labelOf(queued.request), promise);
    runCallbacks(result, options.callback, options.errorCallback);
    return result;
  }

  async map<T, R>(
    task: TaskRef<[T], R>,
    items: Iterable<T>,
    options: TaskOptions = {},
  ): Promise<R[]> {
    const submitted: { promise: Promise<R>; queued: QueuedTask }[] = [];
    try {
      for (const item of items) submitted.push(this.submit(task, [item], options.signal));
    } catch (error) {
      // The input (or a submit) threw part-way. Nothing has left yet (sending waits for a
      // microtask), so the partial batch is dropped: none of it runs, none rejects unseen.
      for (const { promise } of submitted) promise.catch(() => {});
      this.cancel(new Set(submitted.map((each) => each.queued)), error);
      throw error;
    }
    // Promise.all keeps the submission order.
    return Promise.all(submitted.map((each) => each.promise));
  }

  imap<T, R>(
    task: TaskRef<[T], R>,
    items: Iterable<T> | AsyncIterable<T>,
    options: TaskOptions = {},
  ): AsyncGenerator<R> {
    const submitOne = (item: T) => this.submit(task, [item], options.signal).promise;
    return inOrder(submitOne, items, this.windowSize());
  }

  imapUnordered<T, R>(
    task: TaskRef<[T], R>,
    items: Iterable<T> | AsyncIterable<T>,
    options: TaskOptions = {},
  ): AsyncGenerator<R> {
    const submitOne = (item: T) => this.submit(task, [item], options.signal).promise;
    return asCompleted(submitOne, items, this.windowSize());
  }

  close(): void {
    if (this.current !== 'open') return;
    this.current = 'closed';
    this.finishIfIdle();
  }

  terminate(): Promise<void> {
    if (this.current === 'terminated') return this.allExited;
    this.current = 'terminated';
    for (const task of this.queue.drain()) task.reject(new PoolTerminatedError(task.request.id));
    for (const slot of this.slots) {
      for (const task of slot.inFlight.values()) {
        task.reject(new PoolTerminatedError(task.request.id));
      }
      slot.inFlight.clear();
      slot.handle.kill();
    }
    this.resolveIfAllExited();
    return this.allExited;
  }

  join(): Promise<void> {
    if (this.current === 'open') {
      return Promise.reject(
        new PoolStateError('join() needs close() or terminate() first: the pool is still open'),
      );
    }
    return this.allExited;
  }

  // ---- internals -------------------------------------------------------------------------

  private submit<A extends unknown[], R>(
    task: TaskRef<A, R>,
    args: A,
    signal?: AbortSignal,
  ): { promise: Promise<R>; queued: QueuedTask } {
    if (this.current !== 'open') throw new PoolClosedError(this.current);
    signal?.throwIfAborted();
    const id = this.nextId++;
    const request: TaskRequest = { id, module: task.module, exportName: task.exportName, args };
    let queued!: QueuedTask;
    const promise = new Promise<R>((resolve, reject) => {
      queued = {
        request,
        resolve: resolve as (v: unknown) => void,
        reject,
        retried: false,
        suspect: false,
      };
    });
    this.queue.push(queued);
    if (signal) this.watch(signal, queued, promise);
    // A pool whose workers all failed to start gets a fresh try with new work.
    if (this.slots.size < this.size) {
      this.startFailures = 0;
      this.startMissingWorkers();
    }
    this.scheduleFlush();
    return { promise, queued };
  }

  /** Cancels `task` when `signal` aborts, sharing one listener with its other tasks. */
  private watch(signal: AbortSignal, task: QueuedTask, settled: Promise<unknown>): void {
    this.watches.add(signal, task);
    const forget = () => this.watches.delete(signal, task);
    settled.then(forget, forget);
  }

  private windowSize(): number {
    return this.size * this.maxInFlight;
  }

  /**
   * Cancels `tasks` (a signal fired, or a map's input broke): drop the queued ones, and end
   * any worker that holds one. One pass over the queue for all of them: a pass per task would
   * make cancelling a large map quadratic in its size (worker-pool-engine.test.ts: "aborting a
   * map of 2,000 queued tasks walks the queue once, not once per task").
   */
  private cancel(tasks: ReadonlySet<QueuedTask>, reason: unknown): void {
    if (tasks.size === 0) return;
    const dropped: QueuedTask[] = [];
    for (const queued of this.queue.drain()) {
      if (tasks.has(queued)) dropped.push(queued);
      else this.queue.push(queued);
    }
    for (const slot of this.slots) {
      let holdsOne = false;
      for (const [id, task] of slot.inFlight) {
        if (!tasks.has(task)) continue;
        slot.inFlight.delete(id);
        dropped.push(task);
        holdsOne = true;
      }
      if (!holdsOne) continue;
      // Sent means it may be running, and a running function cannot be stopped from outside.
      // onExit puts the worker's other tasks back in the queue and starts a replacement.
      slot.killedToCancel = true;
      slot.handle.kill();
    }
    // Tasks in neither place have settled already: the abort came too late for them.
    for (const task of dropped) task.reject(reason);
    this.finishIfIdle();
  }

  private startMissingWorkers(): void {
    while (this.slots.size < this.size) {
      const slot = new Slot(this.runtime, {
        ready: (from) => this.onReady(from),
        message: (from, message) => this.onMessage(from, message),
        exit: (from, code, signal, error) => this.onExit(from, code, signal, error),
      });
      this.slots.add(slot);
    }
  }

  private hasWork(): boolean {
    if (this.queue.length > 0) return true;
    for (const slot of this.slots) if (slot.inFlight.size > 0) return true;
    return false;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // One flush per tick: every task submitted in the same tick travels in one message. A
    // message per batch, not per task, is ThreadPool's lead in pools.bench.ts's tiny-task
    // column (tasks/s, × piscina).
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.current === 'terminated' || this.queue.length === 0) return;
    const open = [...this.slots].filter((slot) => slot.ready && !slot.stopping);
    if (open.length === 0) return;
    // Split the queue evenly, so a short queue still reaches every worker.
    const share = Math.ceil(this.queue.length / open.length);
    // Refill at half empty: the worker still has work while the next batch travels.
    const lowWater = Math.floor(this.maxInFlight / 2);
    for (const slot of open) {
      if (slot.inFlight.size > lowWater || travelsAlone(slot.oldest())) continue;
      if (travelsAlone(this.queue.peekFront())) {
        if (slot.inFlight.size === 0) this.send(slot, [this.queue.shift() as QueuedTask]);
        continue;
      }
      const count = Math.min(this.maxInFlight - slot.inFlight.size, share, this.queue.length);
      const batch: QueuedTask[] = [];
      while (batch.length < count && !travelsAlone(this.queue.peekFront())) {
        batch.push(this.queue.shift() as QueuedTask);
      }
      if (batch.length > 0) this.send(slot, batch);
    }
    // A batch refused whole (see send) may have been the last work of a closed pool.
    this.finishIfIdle();
  }

  /**
   * Sends a batch to a worker. Structured clone refuses some arguments (a function, a
   * symbol), and then the whole message fails, synchronously. Sending the tasks one by one
   * then finds the culprits, which are rejected here: no worker ever sees them.
   */
  private send(slot: Slot, batch: QueuedTask[]): void {
    try {
      slot.handle.send({ type: 'run', tasks: batch.map((task) => task.request) });
    } catch (error) {
      if (batch.length > 1) {
        for (const task of batch) this.send(slot, [task]);
      } else {
        const [refused] = batch as [QueuedTask];
        refused.reject(new CloneError(labelOf(refused.request), error));
      }
      return;
    }
    // In the order sent, which is the order the worker runs them.
    for (const task of batch) slot.inFlight.set(task.request.id, task);
  }

  private onReady(slot: Slot): void {
    slot.ready = true;
    this.startFailures = 0;
    if (this.current === 'closed' && !this.hasWork()) this.stop(slot);
    else this.scheduleFlush();
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'answers') for (const each of message.answers) this.settle(slot, each);
    else this.settle(slot, message);
    this.scheduleFlush();
    this.finishIfIdle();
  }

  private settle(slot: Slot, answer: TaskAnswer): void {
    const task = slot.inFlight.get(answer.id);
    // Not ours any more (terminated, or already failed over): an answer is delivered once.
    if (!task) return;
    slot.inFlight.delete(answer.id);
    if (answer.type === 'done') task.resolve(answer.value);
    else task.reject(new TaskFailedError(labelOf(task.request), answer.error));
  }

  private onExit(slot: Slot, code: number | null, signal: string | null, error: unknown): void {
    this.slots.delete(slot);
    if (!slot.ready) this.startFailures++;
    // Who is blamed and what runs again is decided in blame.ts; here it is carried out.
    const verdict = blameForExit({
      inFlight: [...slot.inFlight.values()],
      runningTaskId: slot.handle.runningTaskId?.(),
      killedToCancel: slot.killedToCancel,
      retryOnExit: this.retryOnExit,
    });
    slot.inFlight.clear();
    for (const task of verdict.suspects) task.suspect = true;
    if (verdict.retry) verdict.retry.retried = true;
    const { requeue, culprit } = verdict;
    for (let i = requeue.length - 1; i >= 0; i--) this.queue.unshift(requeue[i] as QueuedTask);
    culprit?.reject(
      new WorkerExitedError(`${labelOf(culprit.request)}: its worker`, code, signal, {
        cause: error,
        after: 'the pool replaced the worker',
      }),
    );
    if (this.startFailures >= MAX_START_FAILURES) this.failQueue();
    const needed = this.current === 'open' || (this.current === 'closed' && this.hasWork());
    if (needed && this.startFailures < MAX_START_FAILURES) this.startMissingWorkers();
    this.scheduleFlush();
    this.finishIfIdle();
    this.resolveIfAllExited();
  }

  private failQueue(): void {
    for (const task of this.queue.drain()) {
      task.reject(
        new PoolError(
          `${labelOf(task.request)} cannot run: ${MAX_START_FAILURES} ${this.kind} workers in a row exited during start-up (check that the worker module loads)`,
        ),
      );
    }
  }

  private stop(slot: Slot): void {
    slot.stopping = true;
    slot.handle.send({ type: 'stop' });
  }

  /** After close(): once the last task is answered, tell every worker to finish. */
  private finishIfIdle(): void {
    if (this.current !== 'closed' || this.hasWork()) return;
    for (const slot of this.slots) if (slot.ready && !slot.stopping) this.stop(slot);
    this.resolveIfAllExited();
  }

  private resolveIfAllExited(): void {
    if (this.slots.size === 0 && this.current !== 'open' && !this.hasWork()) {
      this.resolveAllExited();
    }
  }
}
