/**
 * 3.2.2 Locks — a mutex from SharedArrayBuffer + Atomics.
 * Shows:  why `counter[0]++` loses updates across threads, how a lock fixes it, why
 *         Atomics.add is faster still; tryLock, a non-owner unlock, the main thread waiting
 *         with lockAsync instead of blocking, and a deadlock caught by a timeout that names
 *         which worker holds which lock.
 * Run:    npm run chapter:3.2 -- 3.2.2 [--workers 2] [--times 500000] [--json]
 * Expect: "mutex" and "Atomics.add" exact on every run; "no lock" usually short.
 */
import { availableParallelism } from 'node:os';
import { formatTable, type Section, wholeNumberArg } from '@course/course-kit';
import { MAX_WORKERS } from '../limits.ts';
import { runCounterDemo, runDeadlockDemo, runMainThreadWaitDemo } from '../lock-demo.ts';
import { withSpeedup } from '../measure.ts';
import { createLockBuffer, Mutex } from '../mutex.ts';

export const locks: Section = {
  id: '3.2.2',
  title: 'Locks',
  summary: 'lost updates, a SharedArrayBuffer mutex, Atomics.add, tryLock, a deadlock report',
  options: { workers: { type: 'string' }, times: { type: 'string' } },
  async run(ctx) {
    const workers = wholeNumberArg(ctx.args, 'workers', Math.max(2, availableParallelism()), {
      max: MAX_WORKERS,
    });
    const times = wholeNumberArg(ctx.args, 'times', 500_000, { max: 100_000_000 });
    ctx.step(`step 1: ${workers} workers add 1 to a shared counter ${times} times each`);
    const counted = await runCounterDemo({ workers, times, signal: ctx.signal });
    // speedup: each variant's rate against the mutex, the correct baseline.
    const rows = withSpeedup(counted, 'mutex', (r) => r.increments_per_ms, 'higher');
    ctx.say(
      formatTable(
        ['variant', 'expected', 'got', 'lost', 'lost %', 'ms', 'increments/ms', '× mutex'],
        rows.map((r) => [
          r.name,
          r.expected,
          r.total,
          r.lost,
          r.lost_pct,
          r.wall_ms,
          r.increments_per_ms,
          r.speedup,
        ]),
      ),
    );

    ctx.step('step 2: tryLock and unlock by a non-owner (two owners played by one thread)');
    const buffer = createLockBuffer(1);
    const mine = new Mutex(buffer, 0, { names: ['scoreboard'], ownerId: 2 });
    const theirs = new Mutex(buffer, 0, { names: ['scoreboard'], ownerId: 3 });
    ctx.say(`worker 1 tryLock: ${mine.tryLock()}; worker 2 tryLock: ${theirs.tryLock()}`);
    try {
      theirs.unlock();
    } catch (error) {
      ctx.say(`worker 2 unlock: ${(error as Error).name}: ${(error as Error).message}`);
    }
    mine.unlock();

    ctx.step('step 3: the main thread waits for a lock a worker holds — without blocking');
    const wait = await runMainThreadWaitDemo({ holdMs: 200, signal: ctx.signal });
    ctx.say(`blocking lock(): ${wait.refused}`);
    ctx.say(
      `lockAsync(): got "map" after ${Math.round(wait.waitedMs)} ms; meanwhile the event loop ran ${wait.timerTicks} timer callbacks`,
    );

    ctx.step('step 4: two workers take two locks in opposite orders; a timeout reports the cycle');
    const outcomes = await runDeadlockDemo({ timeoutMs: 500, signal: ctx.signal });
    for (const outcome of outcomes)
      ctx.say(
        outcome.gotBoth ? 'the other worker then got both locks' : `timeout: ${outcome.message}`,
      );
    return { results: rows };
  },
};
