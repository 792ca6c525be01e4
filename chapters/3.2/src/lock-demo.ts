/**
 * 3.2.2's measurements: N workers increment one shared counter with no lock, with the mutex,
 * and with Atomics.add; and two workers that deadlock on purpose.
 */
import { COUNTER, COUNTER_MODES, type CounterMode, createCounterCells } from './counter.ts';
import type { CounterJob } from './counter.worker.ts';
import type { DeadlockJob, DeadlockOutcome } from './deadlock.worker.ts';
import { measure, round } from './measure.ts';
import { createLockBuffer } from './mutex.ts';
import { closeAll, Peer } from './peer.ts';

const COUNTER_WORKER = new URL('./counter.worker.ts', import.meta.url);
const DEADLOCK_WORKER = new URL('./deadlock.worker.ts', import.meta.url);

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
 * still waits: its report then shows the whole cycle, and once it lets go the second gets both.
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
      timeoutMs: first === 0 ? options.timeoutMs : options.timeoutMs * 10,
    }));
    return await Promise.all(peers.map((p, i) => p.call<DeadlockOutcome>(jobs[i])));
  } finally {
    await closeAll(peers);
  }
}
