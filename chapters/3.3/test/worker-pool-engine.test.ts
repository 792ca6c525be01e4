/**
 * The pool engine against a fake runtime: no threads, no processes, every event under the
 * test's control. This reaches cases real workers make hard to stage.
 */

import { within } from '@course/course-kit/testing/waits';
import { describe, expect, test, vi } from 'vitest';
import { PoolError, WorkerExitedError, WorkerPool } from '../src/pool/index.ts';
import type { FromWorker, TaskAnswer, TaskRequest, ToWorker } from '../src/pool/messages.ts';
import type { Runtime, WorkerEvents } from '../src/pool/runtime.ts';
import { Deque } from '../src/sync/deque.ts';
import { tasks } from '../src/tasks.ts';
import { fixtures } from './fixtures/tasks.ts';

interface FakeWorker {
  id: number;
  events: WorkerEvents;
  received: ToWorker[];
  killed: boolean;
}

function fakeRuntime(
  onStart: (worker: FakeWorker) => void = () => {},
  runningTaskId?: () => number,
) {
  const workers: FakeWorker[] = [];
  const runtime: Runtime = {
    kind: 'thread',
    start(events) {
      const worker: FakeWorker = { id: workers.length + 1, events, received: [], killed: false };
      workers.push(worker);
      queueMicrotask(() => onStart(worker));
      return {
        id: worker.id,
        send: (message) => worker.received.push(message),
        kill: () => {
          worker.killed = true;
          queueMicrotask(() => events.exit(null, 'SIGKILL'));
        },
        ...(runningTaskId ? { runningTaskId } : {}),
      };
    },
  };
  return { runtime, workers };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));
const say = (worker: FakeWorker, message: FromWorker) => worker.events.message(message);

/** Makes a starting worker ready, answers the first task it is sent, and says what was sent. */
async function readyAndAnswer(worker: FakeWorker, value: unknown): Promise<unknown[][]> {
  worker.events.ready();
  await flush();
  const sent = (worker.received[0] as Extract<ToWorker, { type: 'run' }>).tasks;
  say(worker, { type: 'done', id: sent[0]?.id as number, value });
  return sent.map((t) => t.args);
}

describe('the pool engine', () => {
  test('workers that die during start-up three times in a row fail the queue with a PoolError', async () => {
    const { runtime, workers } = fakeRuntime((w) => w.events.exit(1, null));
    const pool = new WorkerPool(runtime, { size: 1 });
    const error = await pool.apply(tasks.square, [2]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolError);
    expect((error as Error).message).toContain('3 thread workers in a row exited during start-up');
    expect(workers.length).toBe(3);
    // New work gives start-up a fresh try.
    const again = pool.apply(tasks.square, [3]).catch((e: unknown) => e);
    await flush();
    expect(workers.length).toBeGreaterThan(3);
    expect(await again).toBeInstanceOf(PoolError);
    await pool.terminate();
  });

  test('a duplicate or unknown answer is ignored: each task settles once with the first answer', async () => {
    const { runtime, workers } = fakeRuntime((w) => w.events.ready());
    const pool = new WorkerPool(runtime, { size: 1 });
    const result = pool.apply(tasks.square, [5]);
    await flush();
    const worker = workers[0] as FakeWorker;
    const run = worker.received[0] as Extract<ToWorker, { type: 'run' }>;
    const id = run.tasks[0]?.id as number;
    say(worker, { type: 'done', id, value: 25 });
    say(worker, { type: 'done', id, value: 999 });
    say(worker, { type: 'failed', id, error: { name: 'Error', message: 'late' } });
    say(worker, { type: 'done', id: 12345, value: 1 });
    expect(await result).toBe(25);
    await pool.terminate();
  });

  test('with shared progress, the task the worker was running is blamed, not the oldest unanswered', async () => {
    let running = 0;
    const { runtime, workers } = fakeRuntime(
      (w) => w.events.ready(),
      () => running,
    );
    const pool = new WorkerPool(runtime, { size: 1 });
    await flush();
    const results = [1, 2, 3].map((n) => pool.apply(tasks.square, [n]));
    const settled = Promise.allSettled(results);
    await flush();
    const first = workers[0] as FakeWorker;
    const batch = (first.received[0] as Extract<ToWorker, { type: 'run' }>).tasks;
    // Task 1 finished but its answer was still batched; task 2 was running when it died.
    running = batch[1]?.id as number;
    first.events.exit(1, null);
    await flush();
    const second = workers[1] as FakeWorker;
    const rerun = (second.received[0] as Extract<ToWorker, { type: 'run' }>).tasks;
    expect(rerun.map((t) => t.args[0])).toEqual([1, 3]);
    running = 0;
    say(second, {
      type: 'answers',
      answers: rerun.map((t) => ({
        type: 'done' as const,
        id: t.id,
        value: (t.args[0] as number) ** 2,
      })),
    });
    const outcomes = await settled;
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]?.status === 'rejected' && outcomes[1].reason).toBeInstanceOf(
      WorkerExitedError,
    );
    await pool.terminate();
  });

  test("the error a worker died of becomes the cause of its task's WorkerExitedError, named in the message", async () => {
    const { runtime, workers } = fakeRuntime((w) => w.events.ready());
    const pool = new WorkerPool(runtime, { size: 1 });
    await flush();
    const thrown = new TypeError('boom');
    const crashed = pool.apply(tasks.square, [2]).catch((e: unknown) => e);
    await flush();
    (workers[0] as FakeWorker).events.exit(1, null, thrown);
    const error = (await within(crashed, 5_000, 'the task to fail')) as WorkerExitedError;
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(error.cause).toBe(thrown);
    expect(error.message).toMatch(
      /^task \d+ \(square\): its worker exited with code 1: TypeError: boom \(before answering; the pool replaced the worker\)$/,
    );
    // An exit with no error (a process, or process.exit in a thread) has no cause.
    const exited = pool.apply(tasks.square, [3]).catch((e: unknown) => e);
    await flush();
    (workers[1] as FakeWorker).events.exit(7, null);
    const plain = (await within(exited, 5_000, 'the second task to fail')) as WorkerExitedError;
    expect('cause' in plain).toBe(false);
    expect(plain.message).toMatch(
      /^task \d+ \(square\): its worker exited with code 7 before answering \(the pool replaced the worker\)$/,
    );
    await pool.terminate();
  });

  test('retryOnExit counts only crashes a task caused, not re-runs it suffered innocently', async () => {
    let running = 0;
    const { runtime, workers } = fakeRuntime(
      (w) => w.events.ready(),
      () => running,
    );
    const pool = new WorkerPool(runtime, { size: 1, retryOnExit: true });
    await flush();
    const settled = Promise.allSettled([
      pool.apply(tasks.square, [2]),
      pool.apply(tasks.square, [3]),
    ]);
    const batchOf = (w: FakeWorker | undefined) =>
      ((w as FakeWorker).received.at(-1) as Extract<ToWorker, { type: 'run' }>).tasks;
    await flush();
    // Worker 1 dies running the first task; the second, never started, goes back too.
    running = batchOf(workers[0])[0]?.id as number;
    workers[0]?.events.exit(1, null);
    await flush();
    // Worker 2 dies running the second task: its first crash, so it is retried as well.
    running = batchOf(workers[1])[1]?.id as number;
    workers[1]?.events.exit(1, null);
    await flush();
    running = 0;
    const last = workers[2] as FakeWorker;
    for (const t of batchOf(last))
      say(last, { type: 'done', id: t.id, value: (t.args[0] as number) ** 2 });
    const outcomes = await settled;
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: 4 },
      { status: 'fulfilled', value: 9 },
    ]);
    await pool.terminate();
  });

  test('tasks queue while workers start and are sent in batches, split across workers', async () => {
    const { runtime, workers } = fakeRuntime();
    const pool = new WorkerPool(runtime, { size: 2, maxTasksInFlight: 4 });
    const results = Array.from({ length: 10 }, (_, i) => pool.apply(tasks.square, [i]));
    await flush();
    expect(workers.every((w) => w.received.length === 0)).toBe(true);
    for (const w of workers) w.events.ready();
    await flush();
    const batchSizes = workers.map(
      (w) => (w.received[0] as Extract<ToWorker, { type: 'run' }>).tasks.length,
    );
    expect(batchSizes).toEqual([4, 4]);
    // Answer everything the workers hold, as they ask for more.
    for (let round = 0; round < 5; round++) {
      for (const w of workers) {
        for (const m of w.received.splice(0)) {
          if (m.type !== 'run') continue;
          for (const t of m.tasks)
            say(w, { type: 'done', id: t.id, value: (t.args[0] as number) ** 2 });
        }
      }
      await flush();
    }
    expect(await Promise.all(results)).toEqual(Array.from({ length: 10 }, (_, i) => i * i));
    await pool.terminate();
  });

  test('close() asks each idle worker to stop; join() resolves when the last one exits', async () => {
    const { runtime, workers } = fakeRuntime((w) => w.events.ready());
    const pool = new WorkerPool(runtime, { size: 2 });
    await flush();
    pool.close();
    await flush();
    expect(workers.map((w) => w.received)).toEqual([[{ type: 'stop' }], [{ type: 'stop' }]]);
    let joined = false;
    const join = pool.join().then(() => (joined = true));
    workers[0]?.events.exit(0, null);
    await flush();
    expect(joined).toBe(false);
    workers[1]?.events.exit(0, null);
    await join;
    expect(pool.workerCount).toBe(0);
  });

  test('an aborted task still queued is dropped: it rejects with the reason and is never sent', async () => {
    const { runtime, workers } = fakeRuntime(); // workers stay "starting": tasks wait in the queue
    const pool = new WorkerPool(runtime, { size: 1 });
    const controller = new AbortController();
    const dropped = pool.apply(tasks.square, [2], { signal: controller.signal });
    const kept = pool.apply(tasks.square, [3]);
    const reason = new Error('player left');
    controller.abort(reason);
    await expect(within(dropped, 5_000, 'the queued task to reject on abort')).rejects.toBe(reason);
    const worker = workers[0] as FakeWorker;
    expect(await readyAndAnswer(worker, 9)).toEqual([[3]]);
    expect(await kept).toBe(9);
    expect(worker.killed).toBe(false);
    await expect(pool.apply(tasks.square, [4], { signal: AbortSignal.abort(reason) })).rejects.toBe(
      reason,
    );
    await pool.terminate();
  });

  test('aborting a map of 2,000 queued tasks walks the queue once, not once per task', async () => {
    const { runtime, workers } = fakeRuntime(); // workers stay "starting": tasks wait in the queue
    const pool = new WorkerPool(runtime, { size: 1 });
    const controller = new AbortController();
    const kept = pool.apply(tasks.square, [3]);
    const items = Array.from({ length: 2_000 }, (_, i) => i);
    const mapped = pool.map(tasks.square, items, { signal: controller.signal });
    const walks = vi.spyOn(Deque.prototype, 'drain');
    const reason = new Error('match cancelled');
    try {
      controller.abort(reason);
      // One pass for the whole batch: a pass per task would be quadratic in the map's size.
      expect(walks).toHaveBeenCalledTimes(1);
    } finally {
      walks.mockRestore();
    }
    await expect(within(mapped, 5_000, 'the aborted map to reject')).rejects.toBe(reason);
    expect(await readyAndAnswer(workers[0] as FakeWorker, 9)).toEqual([[3]]);
    expect(await kept).toBe(9);
    await pool.terminate();
  });

  test('an aborted task already sent ends its worker; the others it held run again, unblamed', async () => {
    const { runtime, workers } = fakeRuntime((w) => w.events.ready());
    const pool = new WorkerPool(runtime, { size: 1 });
    await flush();
    const controller = new AbortController();
    const first = pool.apply(tasks.square, [1]);
    const aborted = pool.apply(tasks.square, [2], { signal: controller.signal });
    const third = pool.apply(tasks.square, [3]);
    await flush();
    const worker = workers[0] as FakeWorker;
    expect((worker.received[0] as Extract<ToWorker, { type: 'run' }>).tasks).toHaveLength(3);
    controller.abort(new Error('too slow'));
    await expect(within(aborted, 5_000, 'the sent task to reject on abort')).rejects.toThrow(
      'too slow',
    );
    expect(worker.killed).toBe(true);
    await flush();
    // The process runtime has no progress cell: without the cancel flag, the oldest unanswered
    // task (square 1) would be blamed for this exit.
    const replacement = workers[1] as FakeWorker;
    const rerun = (replacement.received[0] as Extract<ToWorker, { type: 'run' }>).tasks;
    expect(rerun.map((t) => t.args[0])).toEqual([1, 3]);
    for (const t of rerun)
      say(replacement, { type: 'done', id: t.id, value: (t.args[0] as number) ** 2 });
    expect(await Promise.all([first, third])).toEqual([1, 9]);
    // An abort after the task settled changes nothing.
    const late = new AbortController();
    const done = pool.apply(tasks.square, [5], { signal: late.signal });
    await flush();
    const last = replacement.received.at(-1) as Extract<ToWorker, { type: 'run' }>;
    say(replacement, { type: 'done', id: last.tasks[0]?.id as number, value: 25 });
    expect(await done).toBe(25);
    late.abort();
    expect(replacement.killed).toBe(false);
    await pool.terminate();
  });

  test('after a death no running task explains, the tasks held are re-sent one at a time and the next such death names its task', async () => {
    // runningTaskId 0: each worker dies idle, holding what it was sent.
    const { runtime, workers } = fakeRuntime(
      (w) => w.events.ready(),
      () => 0,
    );
    const pool = new WorkerPool(runtime, { size: 1 });
    const doomed = pool.apply(tasks.square, [1]);
    const behind = pool.apply(tasks.square, [2]); // same tick, same batch
    doomed.catch(() => {});
    await flush();
    const sentTo = (worker: FakeWorker) =>
      worker.received.map((m) =>
        (m as Extract<ToWorker, { type: 'run' }>).tasks.map((t) => t.args),
      );
    expect(sentTo(workers[0] as FakeWorker)).toEqual([[[1], [2]]]);
    (workers[0] as FakeWorker).events.exit(1, null); // both are suspects now
    await flush();
    expect(sentTo(workers[1] as FakeWorker)).toEqual([[[1]]]); // alone, and nothing after it
    (workers[1] as FakeWorker).events.exit(1, null); // alone: this death is its own
    const error = await within(
      doomed.catch((e: unknown) => e),
      5_000,
      'the task that died alone to be blamed',
    );
    expect(error).toBeInstanceOf(WorkerExitedError);
    await flush();
    const last = workers[2] as FakeWorker;
    expect(sentTo(last)).toEqual([[[2]]]);
    const [only] = (last.received[0] as Extract<ToWorker, { type: 'run' }>).tasks;
    say(last, { type: 'done', id: only?.id as number, value: 4 });
    expect(await behind).toBe(4);
    expect(workers).toHaveLength(3);
    await pool.terminate();
  });

  test('a task whose delivery kills any worker is blamed even while another worker keeps answering', async () => {
    // Two workers; a worker dies as it receives a batch holding the poisoned task (666),
    // before running any of it, and answers every other batch at once.
    const POISON = 666;
    let deaths = 0;
    const workers: { events: WorkerEvents; dead: boolean }[] = [];
    const runtime: Runtime = {
      kind: 'thread',
      start(events) {
        const worker = { events, dead: false };
        workers.push(worker);
        queueMicrotask(() => events.ready());
        return {
          id: workers.length,
          send: (message) => {
            if (message.type !== 'run' || worker.dead) return;
            queueMicrotask(() => {
              if (worker.dead) return;
              if (message.tasks.some((t) => t.args[0] === POISON)) {
                worker.dead = true;
                deaths++;
                events.exit(1, null);
                return;
              }
              for (const t of message.tasks) {
                events.message({ type: 'done', id: t.id, value: (t.args[0] as number) ** 2 });
              }
            });
          },
          kill: () => {
            worker.dead = true;
            queueMicrotask(() => events.exit(null, 'SIGKILL'));
          },
          runningTaskId: () => 0,
        };
      },
    };
    const pool = new WorkerPool(runtime, { size: 2 });
    await flush();
    const poisoned = pool.apply(tasks.square, [POISON]).catch((e: unknown) => e);
    let settled = false;
    void poisoned.then(() => {
      settled = true;
    });
    const others: Promise<number>[] = [];
    for (let round = 0; round < 60 && !settled; round++) {
      others.push(pool.apply(tasks.square, [round]));
      await flush();
    }
    expect(await within(poisoned, 5_000, 'the poisoned task to be blamed')).toBeInstanceOf(
      WorkerExitedError,
    );
    expect(deaths).toBe(2); // once in a batch, once alone
    const values = await within(Promise.all(others), 5_000, 'every other task to be answered');
    expect(values).toEqual(values.map((_, i) => i ** 2));
    await pool.terminate();
  });

  test('size and maxTasksInFlight must be whole numbers of at least 1', () => {
    const { runtime } = fakeRuntime();
    expect(() => new WorkerPool(runtime, { size: 0 })).toThrow(
      'pool size must be a whole number of at least 1, got 0',
    );
    expect(() => new WorkerPool(runtime, { maxTasksInFlight: 0.5 })).toThrow(RangeError);
  });

  test('maxTasksInFlight above 1024 is refused before any worker starts', async () => {
    const { runtime, workers } = fakeRuntime();
    expect(() => new WorkerPool(runtime, { maxTasksInFlight: 300_000 })).toThrow(
      'maxTasksInFlight must be a whole number from 1 to 1024, got 300000',
    );
    expect(workers).toHaveLength(0); // refused before any worker started
    const pool = new WorkerPool(runtime, { size: 1, maxTasksInFlight: 1024 });
    expect(pool.workerCount).toBe(1);
    await pool.terminate();
  });
});

/** A fake runtime whose workers run tasks in a simulation: answers in batches, crashes lose them. */
function simulatedRuntime(size: number) {
  interface Sim {
    events: WorkerEvents;
    inbox: TaskRequest[];
    running: number;
    alive: boolean;
  }
  const sims: Sim[] = [];
  let alive = 0;
  let peakAlive = 0;
  const runtime: Runtime = {
    kind: 'process',
    start(events) {
      const sim: Sim = { events, inbox: [], running: 0, alive: true };
      sims.push(sim);
      alive++;
      peakAlive = Math.max(peakAlive, alive);
      const die = (code: number | null, signal: string | null) => {
        if (!sim.alive) return;
        sim.alive = false;
        alive--;
        events.exit(code, signal);
      };
      queueMicrotask(() => events.ready());
      return {
        id: sims.length,
        send: (message) => {
          if (!sim.alive) return;
          if (message.type === 'run') sim.inbox.push(...message.tasks);
          else queueMicrotask(() => die(0, null));
        },
        kill: () => queueMicrotask(() => die(null, 'SIGKILL')),
        runningTaskId: () => sim.running,
      };
    },
  };
  /** Every live worker runs up to `most` tasks; a crash loses the answers not yet sent. */
  const step = (most: number) => {
    for (const sim of sims.filter((s) => s.alive && s.inbox.length > 0)) {
      const answers: TaskAnswer[] = [];
      let crashed = false;
      for (const task of sim.inbox.splice(0, most)) {
        sim.running = task.id;
        const item = task.args[0] as { n: number; crash: boolean };
        if (item.crash) {
          crashed = true;
          break;
        }
        answers.push({ type: 'done', id: task.id, value: item.n * 2 });
      }
      if (crashed) {
        sim.alive = false;
        alive--;
        sim.events.exit(5, null);
      } else {
        sim.running = 0;
        sim.events.message({ type: 'answers', answers });
      }
    }
  };
  return { runtime, step, started: () => sims.length, peakAlive: () => peakAlive, size };
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the pool engine under many submissions', () => {
  test.each([
    { retryOnExit: false, total: 100_000 },
    { retryOnExit: true, total: 20_000 },
  ])(
    'random crashes and lost answer batches lose none of $total tasks and answer each once (retryOnExit $retryOnExit)',
    async ({ retryOnExit, total }) => {
      const random = seeded(retryOnExit ? 2 : 1);
      const sim = simulatedRuntime(2);
      const pool = new WorkerPool(sim.runtime, { size: 2, retryOnExit });
      const items = Array.from({ length: total }, (_, n) => ({ n, crash: random() < 50 / total }));
      const crashers = items.filter((item) => item.crash).length;
      const settledTimes = new Array<number>(total).fill(0);
      const outcomes = new Array<unknown>(total);
      const all = items.map((item) =>
        pool
          .applyAsync(fixtures.maybeCrash, [item], {
            callback: (value) => {
              settledTimes[item.n] = (settledTimes[item.n] ?? 0) + 1;
              outcomes[item.n] = value;
            },
            errorCallback: (error) => {
              settledTimes[item.n] = (settledTimes[item.n] ?? 0) + 1;
              outcomes[item.n] = error;
            },
          })
          .wait(),
      );
      let done = false;
      const finished = Promise.all(all).then(() => (done = true));
      for (let round = 0; !done && round < 1_000_000; round++) {
        sim.step(1 + Math.floor(random() * 16));
        // A few microtask turns let the pool refill and restart workers; a full turn of the
        // event loop now and then lets the result callbacks run.
        for (let turn = 0; turn < 4; turn++) await Promise.resolve();
        if (round % 256 === 0) await flush();
      }
      await finished;
      await flush();
      expect(settledTimes.every((times) => times === 1)).toBe(true);
      for (const item of items) {
        if (item.crash) expect(outcomes[item.n]).toBeInstanceOf(WorkerExitedError);
        else expect(outcomes[item.n]).toBe(item.n * 2);
      }
      expect(crashers).toBeGreaterThan(20);
      // Each crasher takes one worker down, two with retryOnExit; two workers started first.
      expect(sim.started()).toBe(2 + crashers * (retryOnExit ? 2 : 1));
      expect(sim.peakAlive()).toBe(2);
      await pool.terminate();
    },
  );
});
