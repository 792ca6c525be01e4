/**
 * The Pool contract, run against both runtimes: whatever a ThreadPool does, a ProcessPool
 * must do the same, because switching kinds is supposed to be one option.
 */

import { within } from '@course/course-kit/testing/waits';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ApplyResult,
  CALLBACK_WARNING,
  createPool,
  POOL_KINDS,
  PoolClosedError,
  PoolStateError,
  TaskFailedError,
  TimeoutError,
  type WorkerPool,
} from '../src/pool/index.ts';
import { tasks } from '../src/tasks.ts';
import { fixtures } from './fixtures/tasks.ts';

describe.each(POOL_KINDS)('a %s pool', (kind) => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createPool(kind, { size: 2 });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  test('apply runs the named export in a worker and returns its value', async () => {
    expect(await pool.apply(tasks.fib, [20])).toBe(6765);
    expect(await pool.apply(tasks.describePair, [1, 51])).toBe('1->51');
  });

  test('values that structured clone supports survive the round trip', async () => {
    const value = {
      big: 2n ** 70n,
      when: new Date(0),
      tags: new Set(['a']),
      m: new Map([[1, 'x']]),
    };
    expect(await pool.apply(fixtures.echo, [value])).toEqual(value);
  });

  test('map returns results in submission order, not completion order', async () => {
    // The first items take longest, so they finish last; map must still list them first.
    const items = [40, 30, 20, 10, 0, 0, 5, 0].map((ms, value) => ({ ms, value }));
    expect(await pool.map(fixtures.delayedValue, items)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await pool.map(tasks.square, [5, 1, 4, 2, 3])).toEqual([25, 1, 16, 4, 9]);
  });

  test('a task that throws rejects only its own result, with the remote message and stack', async () => {
    const failing = pool.apply(fixtures.fail, ['bad move 42']);
    const fine = pool.apply(tasks.square, [9]);
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed.remoteName).toBe('RangeError');
    expect(failed.remoteMessage).toBe('bad move 42');
    expect(failed.remoteStack).toContain('fixtures/tasks.ts');
    expect(failed.message).toMatch(
      /^task \d+ \(fail\) failed in the worker: RangeError: bad move 42$/,
    );
    expect(await fine).toBe(81);
    expect(await pool.apply(tasks.square, [3])).toBe(9);
  });

  test('a thrown non-Error arrives as a TaskFailedError named NonError', async () => {
    const error = (await pool
      .apply(fixtures.failWithString, ['plain'])
      .catch((e) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.remoteName).toBe('NonError');
    expect(error.remoteMessage).toBe('plain');
  });

  test('a task naming a missing export fails with a message that names it', async () => {
    const error = (await pool.apply(fixtures.missing, []).catch((e) => e)) as TaskFailedError;
    expect(error).toBeInstanceOf(TaskFailedError);
    expect(error.remoteMessage).toContain('has no exported function "noSuchExport"');
  });

  test('applyAsync calls callback with the value and errorCallback with the error', async () => {
    const seen: unknown[] = [];
    const ok = pool.applyAsync(tasks.square, [6], { callback: (v) => seen.push(['ok', v]) });
    const bad = pool.applyAsync(fixtures.fail, ['nope'], {
      errorCallback: (e) => seen.push(['error', (e as TaskFailedError).remoteMessage]),
    });
    expect(ok).toBeInstanceOf(ApplyResult);
    await ok.wait();
    await bad.wait();
    expect(ok.ready() && ok.successful()).toBe(true);
    expect(bad.ready() && !bad.successful()).toBe(true);
    expect(await ok.get()).toBe(36);
    await expect(bad.get()).rejects.toBeInstanceOf(TaskFailedError);
    expect(seen).toContainEqual(['ok', 36]);
    expect(seen).toContainEqual(['error', 'nope']);
  });

  test('a callback or errorCallback that throws is reported as a warning naming its task; nothing crashes', async () => {
    const warnings: string[] = [];
    let bothSeen: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      bothSeen = resolve;
    });
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code !== CALLBACK_WARNING) return;
      warnings.push(warning.message);
      if (warnings.length === 2) bothSeen();
    };
    process.on('warning', onWarning);
    try {
      const ok = pool.applyAsync(tasks.square, [3], {
        callback: () => {
          throw new Error('bug in my callback');
        },
      });
      const bad = pool.applyAsync(fixtures.fail, ['nope'], {
        errorCallback: async () => {
          throw new Error('bug in my errorCallback');
        },
      });
      expect(await ok.get()).toBe(9);
      await expect(bad.get()).rejects.toBeInstanceOf(TaskFailedError);
      await within(seen, 10_000, 'a warning for each throwing callback');
      expect(warnings).toHaveLength(2);
      expect(warnings).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            /^task \d+ \(fail\): its errorCallback threw bug in my errorCallback/,
          ),
          expect.stringMatching(/^task \d+ \(square\): its callback threw bug in my callback/),
        ]),
      );
      expect(await pool.apply(tasks.square, [4])).toBe(16); // the pool goes on
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('successful() before the result is ready throws, as in Python', async () => {
    const slow = pool.applyAsync(fixtures.sleepThenEcho, [100, 1]);
    expect(slow.ready()).toBe(false);
    expect(() => slow.successful()).toThrow(PoolStateError);
    await slow.wait();
  });

  test('get(timeout) rejects with TimeoutError and the task still finishes', async () => {
    const slow = pool.applyAsync(fixtures.sleepThenEcho, [200, 7]);
    const error = await slow.get(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toContain('still running');
    expect(await slow.get()).toBe(7);
  });

  test('imap yields in submission order and imapUnordered yields every result', async () => {
    const ordered: number[] = [];
    for await (const value of pool.imap(tasks.square, [3, 1, 2])) ordered.push(value);
    expect(ordered).toEqual([9, 1, 4]);

    async function* numbers() {
      for (let i = 0; i < 50; i++) yield i;
    }
    const unordered: number[] = [];
    for await (const value of pool.imapUnordered(tasks.square, numbers())) unordered.push(value);
    expect(unordered.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i * i));
  });

  test('imap and imapUnordered read an endless input only a window ahead of the consumer', async () => {
    for (const ordered of [true, false]) {
      const iterate = ordered ? pool.imap.bind(pool) : pool.imapUnordered.bind(pool);
      let pulled = 0;
      function* naturals() {
        for (let n = 0; ; n++) {
          pulled++;
          yield n;
        }
      }
      const seen: number[] = [];
      for await (const value of iterate(tasks.square, naturals())) {
        seen.push(value);
        if (seen.length === 100) break;
      }
      if (ordered) expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i * i));
      // Unordered: 100 different results, each the square of an item that was read.
      expect(new Set(seen).size).toBe(100);
      for (const value of seen) expect(Math.sqrt(value)).toBeLessThan(pulled);
      // The window is size × maxTasksInFlight = 2 × 16 tasks.
      expect(pulled).toBeLessThanOrEqual(100 + 32);
    }
  });

  test('leaving imap early is safe and the pool keeps working', async () => {
    let count = 0;
    const iterator = pool.imap(
      tasks.square,
      Array.from({ length: 100 }, (_, i) => i),
    );
    for await (const value of iterator) {
      if (value >= 16) break;
      count++;
    }
    expect(count).toBe(4);
    // Every item fails: the loop throws at the first, the rest must not go unhandled.
    const failing = pool.imap(fixtures.fail, ['first', 'second', 'third']);
    await expect(failing.next()).rejects.toThrow('first');
    expect(await pool.apply(tasks.square, [2])).toBe(4);
  });

  test('a signal ends a hung task: it rejects with the reason and the pool carries on', async () => {
    // AbortSignal.timeout() makes this a per-task time limit; the worker running it is ended.
    const reason = new Error('no answer in time');
    const controller = new AbortController();
    const hung = pool.apply(fixtures.hang, [], { signal: controller.signal });
    const others = pool.map(tasks.square, [1, 2, 3, 4]);
    await new Promise((resolve) => setImmediate(resolve)); // sent to a worker by now
    controller.abort(reason);
    await expect(within(hung, 20_000, `an aborted hung task on a ${kind} pool`)).rejects.toBe(
      reason,
    );
    expect(await others).toEqual([1, 4, 9, 16]);
    expect(await pool.apply(tasks.square, [5])).toBe(25);
    expect(pool.workerCount).toBe(2);
    // Aborted before submitting: refused at once, like a closed pool.
    const early = AbortSignal.abort(reason);
    await expect(pool.apply(tasks.square, [1], { signal: early })).rejects.toBe(reason);
    expect(() => pool.applyAsync(tasks.square, [1], { signal: early })).toThrow(reason);
  });

  test('one signal cancels a whole map, imap or imapUnordered; the pool carries on', async () => {
    const reason = new Error('the match was cancelled');
    // Slow items, so that most of the batch is still queued or running when the signal fires.
    const items = Array.from({ length: 40 }, (_, value) => ({ ms: 50, value }));

    const forMap = new AbortController();
    const mapped = pool.map(fixtures.delayedValue, items, { signal: forMap.signal });
    await new Promise((resolve) => setImmediate(resolve));
    forMap.abort(reason);
    await expect(within(mapped, 20_000, `an aborted map on a ${kind} pool`)).rejects.toBe(reason);

    for (const iterate of [pool.imap.bind(pool), pool.imapUnordered.bind(pool)]) {
      const controller = new AbortController();
      const seen: number[] = [];
      const consume = async () => {
        for await (const value of iterate(fixtures.delayedValue, items, {
          signal: controller.signal,
        })) {
          seen.push(value);
          if (seen.length === 2) controller.abort(reason);
        }
      };
      await expect(within(consume(), 20_000, `an aborted ${iterate.name}`)).rejects.toBe(reason);
      expect(seen.length).toBeLessThan(items.length);
    }

    // Aborted before it starts: nothing is submitted.
    await expect(
      pool.map(tasks.square, [1, 2], { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(await pool.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    expect(pool.workerCount).toBe(2);
  });

  test('join() before close() rejects with PoolStateError', async () => {
    await expect(pool.join()).rejects.toBeInstanceOf(PoolStateError);
  });
});

describe.each(POOL_KINDS)('closing a %s pool', (kind) => {
  test('close() then join() waits for every queued task, then every worker exits', async () => {
    const pool = createPool(kind, { size: 2 });
    const results = Array.from({ length: 40 }, (_, i) => pool.apply(tasks.square, [i]));
    pool.close();
    expect(pool.state).toBe('closed');
    let done = 0;
    for (const r of results) void r.then(() => done++);
    await within(pool.join(), 20_000, `join() of a closed ${kind} pool`);
    await Promise.resolve();
    expect(done).toBe(40);
    expect(await Promise.all(results)).toEqual(Array.from({ length: 40 }, (_, i) => i * i));
    expect(pool.workerCount).toBe(0);
  });

  test('submitting after close() throws PoolClosedError (apply rejects with it)', async () => {
    const pool = createPool(kind, { size: 1 });
    pool.close();
    expect(() => pool.applyAsync(tasks.square, [1])).toThrow(PoolClosedError);
    await expect(pool.apply(tasks.square, [1])).rejects.toBeInstanceOf(PoolClosedError);
    await expect(pool.map(tasks.square, [1])).rejects.toBeInstanceOf(PoolClosedError);
    await within(pool.join(), 20_000, `join() of an idle closed ${kind} pool`);
  });
});
