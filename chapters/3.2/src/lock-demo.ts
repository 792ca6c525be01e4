/**
 * 3.2.2's measurements: N workers increment one shared counter with no lock, with the mutex,
 * and with Atomics.add; and two workers that deadlock on purpose.
 */
import { COUNTER, COUNTER_MODES, type CounterMode, createCounterCells } from './counter.ts';
import type { CounterJob } from './counter.worker.ts';
import type { DeadlockJob, DeadlockOutcome } from './deadlock.worker.ts';
import type { HoldJob } from './hold-lock.worker.ts';
import { measure, round } from './measure.ts';
import { createLockBuffer, Mutex, waitAsync } from './mutex.ts';
import { closeAll, Peer } from './peer.ts';

const COUNTER_WORKER = new URL('./counter.worker.ts', import.meta.url);
const DEADLOCK_WORKER = new URL('./deadlock.worker.ts', import.meta.url);
const HOLD_LOCK_WORKER = new URL('./hold-lock.worker.ts', import.meta.url);

export type CounterRow = {
  name: CounterMode;
  expected: number;
  total: number;
  lost: number;
  lost_pct: number;
  wall_ms: number;
  increments_per_ms: number;
};

/** Runs every mode on the same `workers` threads, `times` increments each. */
export async function runCounterDemo(options: {
  workers: number;
  times: number;
  modes?: readonly CounterMode[];
  signal?: AbortSignal;
}): Promise<CounterRow[]> {
  const peers = Peer.many('thread', options.workers, COUNTER_WORKER, undefined, {
    label: 'counter worker',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    await Promise.all(peers.map((p) => p.ready));
    const rows: CounterRow[] = [];
    for (const mode of options.modes ?? COUNTER_MODES) {
      const cells = createCounterCells();
      const job: CounterJob = {
        cells: cells.buffer as SharedArrayBuffer,
        locks: createLockBuffer(1),
        mode,
        times: options.times,
        parties: options.workers,
      };
      const timing = await measure(() => Promise.all(peers.map((p) => p.call(job))));
      const expected = options.workers * options.times;
      const total = Atomics.load(cells, COUNTER);
      rows.push({
        name: mode,
        expected,
        total,
        lost: expected - total,
        lost_pct: round((100 * (expected - total)) / expected, 1),
        wall_ms: round(timing.wallMs, 1),
        increments_per_ms: Math.round(expected / timing.wallMs),
      });
    }
    return rows;
  } finally {
    await closeAll(peers);
  }
}

/**
 * Two workers take "left fork" and "right fork" in opposite orders; returns what each reported.
 * The second worker is given a longer timeout, so the first always times out while the second
 * still waits; the first asks only once the second is asleep on its lock, so its report shows
 * the whole cycle however busy the machine is. Once it lets go, the second gets both.
 */
export async function runDeadlockDemo(options: {
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<DeadlockOutcome[]> {
  const names = ['left fork', 'right fork'];
  const locks = createLockBuffer(names.length);
  const barrier = new SharedArrayBuffer(4);
  const peers = Peer.many('thread', 2, DEADLOCK_WORKER, undefined, {
    label: 'philosopher',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const jobs: DeadlockJob[] = [0, 1].map((first) => ({
      locks,
      names,
      first,
      second: 1 - first,
      barrier,
      // The second's timeout costs nothing (the first always lets go); it only has to be long.
      timeoutMs: first === 0 ? options.timeoutMs : options.timeoutMs + 10_000,
      awaitCycle: first === 0,
    }));
    return await Promise.all(peers.map((p, i) => p.call<DeadlockOutcome>(jobs[i])));
  } finally {
    await closeAll(peers);
  }
}

export interface MainThreadWait {
  /** What a blocking lock() on the main thread said. */
  refused: string;
  waitedMs: number;
  /** Timer callbacks the event loop ran while lockAsync waited (a blocked loop runs none). */
  timerTicks: number;
}

/** A worker holds "map" for `holdMs`; the main thread waits for it with lockAsync. */
export async function runMainThreadWaitDemo(options: {
  holdMs: number;
  signal?: AbortSignal;
}): Promise<MainThreadWait> {
  const names = ['map'];
  const locks = createLockBuffer(1);
  const taken = new SharedArrayBuffer(4);
  const holder = Peer.thread(HOLD_LOCK_WORKER, undefined, {
    label: 'lock holder',
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const job: HoldJob = { locks, names, holdMs: options.holdMs, taken };
    const released = holder.call<string>(job);
    released.catch(() => {}); // awaited below; a failure also ends the wait for the flag
    await Promise.race([waitForFlag(new Int32Array(taken), 10_000), released]);
    const main = new Mutex(locks, 0, { names });
    let refused = 'lock() did not refuse';
    try {
      main.lock(10);
    } catch (error) {
      refused = `${(error as Error).name}: ${(error as Error).message}`;
    }
    let timerTicks = 0;
    const timer = setInterval(() => timerTicks++, 10);
    const start = performance.now();
    try {
      await main.lockAsync(10_000);
    } finally {
      clearInterval(timer);
    }
    const waitedMs = performance.now() - start;
    main.unlock();
    await released;
    return { refused, waitedMs, timerTicks };
  } finally {
    await holder.close();
  }
}

/** Resolves when slot 0 becomes non-zero, without blocking the event loop. */
async function waitForFlag(flag: Int32Array, timeoutMs: number): Promise<void> {
  const result = waitAsync(flag, 0, 0, timeoutMs);
  if (result.async) await result.value;
  if (Atomics.load(flag, 0) === 0)
    throw new Error(`the lock holder did not take the lock within ${timeoutMs} ms`);
}
