/**
 * Crashes, kills and shutdowns. Workers die here on purpose; every test still ends with
 * no thread or process left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning } from '@course/course-kit/testing/processes';
import { until, within } from '@course/course-kit/testing/waits';
import { afterAll, describe, expect, test } from 'vitest';
import {
  createPool,
  createProcessRuntime,
  POOL_KINDS,
  PoolTerminatedError,
  ProcessPool,
  WorkerExitedError,
  WorkerPool,
} from '../src/pool/index.ts';
import { tasks } from '../src/tasks.ts';
import { fixtures } from './fixtures/tasks.ts';
import { throwsLater } from './fixtures/throws-later.ts';
import { outcome } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'pool-robustness-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** `count` distinct positions below `below`, the same every run (a linear congruential generator). */
function seededPositions(count: number, below: number, seed: number): Set<number> {
  const positions = new Set<number>();
  let state = seed;
  while (positions.size < count) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    positions.add(state % below);
  }
  return positions;
}

describe.each(POOL_KINDS)('a %s pool under failure', (kind) => {
  test('a worker that exits mid-task is replaced; only that task fails, with WorkerExitedError', async () => {
    const pool = createPool(kind, { size: 1 });
    try {
      const before = await pool.apply(fixtures.whoAmI, []);
      // One batch to one worker: a task before the crash (its answer may die with the
      // worker, then it runs again), the crash, and a task behind it.
      const ahead = pool.apply(tasks.square, [11]);
      const dying = pool.apply(fixtures.exitNow, [7]);
      const behind = pool.apply(tasks.square, [12]);
      const error = await dying.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerExitedError);
      expect((error as WorkerExitedError).exitCode).toBe(7);
      expect((error as Error).message).toMatch(
        /^task \d+ \(exitNow\): its worker exited with code 7/,
      );
      expect(await ahead).toBe(121);
      expect(await behind).toBe(144);
      const after = await pool.apply(fixtures.whoAmI, []);
      expect(kind === 'thread' ? after.threadId : after.pid).not.toBe(
        kind === 'thread' ? before.threadId : before.pid,
      );
      expect(pool.workerCount).toBe(1);
    } finally {
      await pool.terminate();
    }
  });

  test('an uncaught exception outside the task promise crashes the worker; the task gets WorkerExitedError', async () => {
    // A crashing child prints its stack trace on stderr; catch it here instead of in the log.
    let childStderr = '';
    const pool =
      kind === 'thread'
        ? createPool(kind, { size: 1 })
        : new WorkerPool(createProcessRuntime({ onStderr: (text) => (childStderr += text) }), {
            size: 1,
          });
    try {
      const error = (await pool
        .apply(fixtures.crashLater, [])
        .catch((e: unknown) => e)) as WorkerExitedError;
      expect(error).toBeInstanceOf(WorkerExitedError);
      expect(error.exitCode).toBe(1);
      expect(await pool.apply(tasks.square, [4])).toBe(16);
      if (kind === 'process') {
        await until(
          () => childStderr.includes('Error: uncaught in a timer'),
          5_000,
          "the crashed child's stack trace on its stderr",
        );
      }
    } finally {
      await pool.terminate();
    }
  });

  if (kind === 'thread') {
    test("an uncaught exception in a thread is the cause of the WorkerExitedError, with the thread's stack", async () => {
      const pool = createPool(kind, { size: 1 });
      try {
        const error = (await pool
          .apply(throwsLater.boomLater, [])
          .catch((e: unknown) => e)) as WorkerExitedError;
        expect(error).toBeInstanceOf(WorkerExitedError);
        expect(error.exitCode).toBe(1);
        expect(error.message).toContain('its worker exited with code 1: Error: boom');
        expect(error.cause).toBeInstanceOf(Error);
        const cause = error.cause as Error;
        expect(cause.message).toBe('boom');
        expect(cause.stack).toContain('fixtures/throws-later.ts');
      } finally {
        await pool.terminate();
      }
    });
  }

  test('with retryOnExit a task whose worker died runs once more and succeeds', async () => {
    const pool = createPool(kind, { size: 1, retryOnExit: true });
    try {
      const marker = join(scratch, `crash-once-${kind}`);
      expect(await pool.apply(fixtures.crashOnce, [marker])).toBe('second attempt');
      // A task that kills every worker it runs on still fails after its one retry.
      await expect(pool.apply(fixtures.exitNow, [3])).rejects.toBeInstanceOf(WorkerExitedError);
    } finally {
      await pool.terminate();
    }
  });

  // Real workers, not the simulated runtime: many submissions, some of which crash their worker
  // at random (seeded) places. 100,000 on threads; 10,000 on processes, where every answer is
  // its own IPC message and each crash costs a process start-up: ten times as many would add
  // run time, not coverage (the simulated engine test in worker-pool-engine.test.ts covers
  // 100,000 for the engine both kinds share).
  const total = kind === 'thread' ? 100_000 : 10_000;
  const crashes = kind === 'thread' ? 20 : 10;
  // A longer budget than the file's 30 s: a loaded CI machine may take several times longer.
  test(`${total.toLocaleString('en-US')} tasks with ${crashes} random crashes: none lost, each answered exactly once`, {
    timeout: 120_000,
  }, async () => {
    const pool = createPool(kind, { size: 2 });
    const crashAt = seededPositions(crashes, total, 2026);
    const items = Array.from({ length: total }, (_, n) => ({ n, crash: crashAt.has(n) }));
    let answers = 0;
    const results = items.map((item) =>
      outcome(
        pool
          .applyAsync(fixtures.maybeCrash, [item], {
            callback: () => answers++,
            errorCallback: () => answers++,
          })
          .get(),
      ),
    );
    let peakWorkers = 0;
    const sampler = setInterval(() => (peakWorkers = Math.max(peakWorkers, pool.workerCount)), 1);
    try {
      const settled = await within(Promise.all(results), 90_000, `${total} tasks with crashes`);
      for (const [n, result] of settled.entries()) {
        if (crashAt.has(n)) {
          expect(result.ok ? 'answered' : (result.error as Error).name).toBe('WorkerExitedError');
        } else {
          expect(result).toEqual({ ok: true, value: n * 2 });
        }
      }
      await tick();
      expect(answers).toBe(total);
      expect(peakWorkers).toBeLessThanOrEqual(2);
    } finally {
      clearInterval(sampler);
      await pool.terminate();
    }
  });

  test('terminate() rejects queued and running tasks with PoolTerminatedError and ends every worker', async () => {
    const pool = createPool(kind, { size: 2 });
    const ids = pool.workerIds();
    await pool.map(tasks.square, [1, 2, 3, 4]);
    const stuck = [pool.apply(fixtures.hang, []), pool.apply(fixtures.hang, [])];
    const queued = Array.from({ length: 5 }, (_, i) => pool.apply(tasks.square, [i]));
    const settled = Promise.allSettled([...stuck, ...queued]);
    await tick();
    await within(pool.terminate(), 20_000, `terminate() of a ${kind} pool with hung workers`);
    for (const result of await settled) {
      expect(result.status === 'rejected' && result.reason).toBeInstanceOf(PoolTerminatedError);
    }
    expect(pool.workerCount).toBe(0);
    expect(pool.state).toBe('terminated');
    await within(pool.join(), 1_000, 'join() after terminate()');
    if (kind === 'process') for (const pid of ids) expect(isRunning(pid)).toBe(false);
  });
});

describe('a process pool', () => {
  test('a child killed with SIGKILL mid-task fails that task and is replaced', async () => {
    const pool = new ProcessPool({ size: 1 });
    try {
      const { pid } = await pool.apply(fixtures.whoAmI, []);
      const running = pool.apply(fixtures.hang, []);
      const behind = pool.apply(tasks.square, [5]);
      await tick();
      process.kill(pid, 'SIGKILL');
      const error = (await running.catch((e: unknown) => e)) as WorkerExitedError;
      expect(error).toBeInstanceOf(WorkerExitedError);
      expect(error.signal).toBe('SIGKILL');
      expect(await behind).toBe(25);
      await until(() => !isRunning(pid), 5_000, `killed child ${pid} to be reaped`);
      expect(pool.workerIds()).not.toContain(pid);
    } finally {
      await pool.terminate();
    }
  });

  test('close() then join() leaves no child process alive', async () => {
    const pool = new ProcessPool({ size: 2 });
    const pids = pool.workerIds();
    expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    pool.close();
    await within(pool.join(), 20_000, 'join() of a closed process pool');
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });
});
