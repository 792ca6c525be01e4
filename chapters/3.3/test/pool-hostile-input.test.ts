/**
 * What a caller or a task can hand the pool that structured clone, String() or an iterator
 * refuses. Each gets a typed error on its own task; no worker dies, nothing runs unseen, and
 * the pool keeps working.
 */

import { getEventListeners } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { within } from '@course/course-kit/testing/waits';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ApplyResult,
  CloneError,
  createPool,
  POOL_KINDS,
  TaskFailedError,
  taskRef,
  type WorkerPool,
} from '../src/pool/index.ts';
import { fixtures } from './fixtures/tasks.ts';
import { outcome } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'pool-hostile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The worker behind a size-1 pool: the same id before and after means none died. */
const workerId = (who: { pid: number; threadId: number }, kind: string) =>
  kind === 'thread' ? who.threadId : who.pid;

describe.each(POOL_KINDS)('a %s pool given what cannot cross', (kind) => {
  // One worker shared by the tests that must not kill it (the map test below has its own).
  let pool: WorkerPool;
  beforeAll(() => {
    pool = createPool(kind, { size: 1 });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  test('arguments structured clone refuses reject their own task with CloneError; batch-mates run', async () => {
    const before = await pool.apply(fixtures.whoAmI, []);
    // Same tick, so all four travel in one batch message.
    const results = await within(
      Promise.all(
        [1, () => 2, Symbol('three'), 4].map((value) =>
          outcome(pool.apply(fixtures.echo, [value])),
        ),
      ),
      20_000,
      `a batch with uncloneable arguments on a ${kind} pool`,
    );
    expect(results[0]).toEqual({ ok: true, value: 1 });
    expect(results[3]).toEqual({ ok: true, value: 4 });
    for (const failed of [results[1], results[2]]) {
      expect(failed?.ok).toBe(false);
      const error = (failed as { error: unknown }).error;
      expect(error).toBeInstanceOf(CloneError);
      expect((error as Error).message).toMatch(
        /^task \d+ \(echo\): its arguments cannot be sent to a worker: .*could not be cloned/,
      );
    }
    expect(workerId(await pool.apply(fixtures.whoAmI, []), kind)).toBe(workerId(before, kind));
  });

  test('a result structured clone refuses fails only its own task; no worker dies', async () => {
    const before = await pool.apply(fixtures.whoAmI, []);
    const [ok, fn, symbol, after] = await within(
      Promise.all([
        outcome(pool.apply(fixtures.echo, ['first'])),
        outcome(pool.apply(fixtures.returnUncloneable, ['function'])),
        outcome(pool.apply(fixtures.returnUncloneable, ['symbol'])),
        outcome(pool.apply(fixtures.echo, ['last'])),
      ]),
      20_000,
      `a batch with uncloneable results on a ${kind} pool`,
    );
    expect(ok).toEqual({ ok: true, value: 'first' });
    expect(after).toEqual({ ok: true, value: 'last' });
    for (const failed of [fn, symbol]) {
      const error = (failed as { error: unknown }).error;
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).remoteName).toBe('DataCloneError');
      expect((error as Error).message).toMatch(
        /^task \d+ \(returnUncloneable\) failed in the worker: DataCloneError: its result cannot be sent back to the pool: /,
      );
    }
    expect(workerId(await pool.apply(fixtures.whoAmI, []), kind)).toBe(workerId(before, kind));
  });

  test('a thrown value String() cannot convert arrives as a NonError; no worker dies', async () => {
    const before = await pool.apply(fixtures.whoAmI, []);
    const error = await pool.apply(fixtures.throwUnprintable, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).remoteName).toBe('NonError');
    expect((error as TaskFailedError).remoteMessage).toBe('[object Object]');
    expect(workerId(await pool.apply(fixtures.whoAmI, []), kind)).toBe(workerId(before, kind));
  });

  test('an Error whose message getter throws arrives as a NonError; no worker dies', async () => {
    const before = await pool.apply(fixtures.whoAmI, []);
    const error = await pool.apply(fixtures.throwErrorWithThrowingMessage, []).catch((e) => e);
    expect(error).toBeInstanceOf(TaskFailedError);
    expect((error as TaskFailedError).remoteName).toBe('NonError');
    expect((error as TaskFailedError).remoteMessage).toBe('an Error whose fields cannot be read');
    expect(workerId(await pool.apply(fixtures.whoAmI, []), kind)).toBe(workerId(before, kind));
  });

  test('a task module that is missing or throws at import fails each task naming it; the worker stays', async () => {
    const before = await pool.apply(fixtures.whoAmI, []);
    const broken = taskRef<() => string>(
      new URL('./fixtures/broken-at-import.ts', import.meta.url),
      'neverReached',
    );
    const missing = taskRef<() => string>(
      new URL('./fixtures/no-such-module.ts', import.meta.url),
      'x',
    );
    for (const attempt of [1, 2]) {
      const error = await pool.apply(broken, []).catch((e: unknown) => e);
      expect(error, `attempt ${attempt}`).toBeInstanceOf(TaskFailedError);
      expect((error as Error).message).toContain('Error: this module is broken at import');
    }
    const gone = await pool.apply(missing, []).catch((e: unknown) => e);
    expect((gone as Error).message).toMatch(
      /failed in the worker: Error: Cannot find module .*no-such-module\.ts/,
    );
    expect(workerId(await pool.apply(fixtures.whoAmI, []), kind)).toBe(workerId(before, kind));
  });

  test('map over an input that throws part-way rejects with that error and runs none of its tasks', async () => {
    const pool = createPool(kind, { size: 1 });
    const marks = join(scratch, `map-${kind}`);
    function* brokenInput() {
      yield marks;
      yield marks;
      throw new Error('the input broke after two items');
    }
    try {
      await expect(pool.map(fixtures.markRun, brokenInput())).rejects.toThrow(
        'the input broke after two items',
      );
      // close() then join() waits for every queued task: had either item been kept, it ran.
      pool.close();
      await within(pool.join(), 20_000, `the ${kind} pool to finish after a broken map`);
      expect(existsSync(marks)).toBe(false);
    } finally {
      await pool.terminate();
    }
  });

  test('tasks sharing one signal add one abort listener, not one per task: apply, map and imap', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const items = Array.from({ length: 100 }, (_, i) => i);
    const applied = items.map((i) => pool.apply(fixtures.echo, [i], { signal }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    expect(await within(Promise.all(applied), 20_000, '100 applies')).toEqual(items);
    const mapped = pool.map(fixtures.echo, items, { signal });
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    expect(await within(mapped, 20_000, `a map of 100 on a ${kind} pool`)).toEqual(items);
    const seen: unknown[] = [];
    for await (const value of pool.imap(fixtures.echo, items, { signal })) {
      if (seen.length === 50) expect(getEventListeners(signal, 'abort')).toHaveLength(1);
      seen.push(value);
    }
    expect(seen).toEqual(items);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('ApplyResult time limits', () => {
  test('get(Infinity) waits without a limit; a negative or NaN limit is a RangeError, also for wait()', async () => {
    let finish!: (value: string) => void;
    const result = new ApplyResult(
      'task 1 (slow)',
      new Promise<string>((resolve) => {
        finish = resolve;
      }),
    );
    const patient = result.get(Number.POSITIVE_INFINITY);
    // setTimeout(Infinity) fires after 1 ms: a buggy limit would have run out by now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    finish('done');
    expect(await within(patient, 1_000, 'get() with no time limit')).toBe('done');
    for (const bad of [-1, Number.NaN]) {
      await expect(result.get(bad)).rejects.toBeInstanceOf(RangeError);
      await expect(result.wait(bad)).rejects.toBeInstanceOf(RangeError);
    }
  });
});
