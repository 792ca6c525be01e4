import { BroadcastChannel } from 'node:worker_threads';
import { within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import '../src/matchers.ts';
import { describeByteMismatch, fromHex, toHex } from '../src/bytes.ts';
import {
  callInWorker,
  callInWorkers,
  DeadlineError,
  THREAD_DRILLS,
  withDeadline,
} from '../src/concurrency.ts';
import { startLine } from '../src/drills/threads.ts';
import { formatGradeTable } from '../src/grade.ts';
import { LockTable } from '../src/lock-table.ts';
import { fileErrorMessage, messageDetail, plainMessage } from '../src/runner.ts';
import { distributePoints, scoreRun, toClassroomResult } from '../src/scoring.ts';

const failureOf = (action: () => void): string => {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no failure';
};

describe('points', () => {
  it.each([
    [10, 4, [3, 3, 2, 2]],
    [5, 5, [1, 1, 1, 1, 1]],
    [20, 6, [4, 4, 3, 3, 3, 3]],
    [7, 1, [7]],
  ])('shares %i points over %i tests as whole numbers that add up', (points, tests, expected) => {
    expect(distributePoints(points, tests)).toEqual(expected);
  });

  const exercise = {
    id: '3.1/02',
    title: 't',
    file: '02-x.ts',
    tests: '02-x.test.ts',
    points: 10,
    hints: ['h'],
  };

  it('gives a partial score for the passing tests and names the first failure', () => {
    const scored = scoreRun({
      exercise,
      status: 'ran',
      tests: [
        { name: 'a > works', passed: true },
        { name: 'a > breaks', passed: false, message: 'expected 1, received 2' },
        { name: 'a > works too', passed: true },
      ],
    });
    // 10 points over 3 tests are worth 4, 3 and 3: the first and the last pass.
    expect(scored).toMatchObject({ status: 'fail', points: 7, max: 10 });
    expect(scored.message).toBe('breaks: expected 1, received 2 (1 of 3 tests failed)');
  });

  it('gives nothing to a test file that could not run', () => {
    expect(scoreRun({ exercise, status: 'error', tests: [], error: 'syntax error' })).toMatchObject(
      {
        status: 'error',
        points: 0,
        message: 'syntax error',
      },
    );
  });

  it('prints a row per exercise, where to look next, and the total as the last line', () => {
    const other = { ...exercise, id: '3.1/03', title: 'u', points: 5 };
    const table = formatGradeTable([
      scoreRun({ exercise: other, status: 'ran', tests: [{ name: 'x > ok', passed: true }] }),
      scoreRun({ exercise, status: 'error', tests: [], error: 'syntax error' }),
    ]);
    const lines = table.split('\n');
    expect(lines[2]).toMatch(/^3\.1\/03 +u +5\/5 +pass *$/);
    expect(lines[3]).toMatch(/^3\.1\/02 +t +0\/10 +error +syntax error$/);
    expect(table).toContain(
      'every failure of 3.1/02: npm run grade -- 3.1/02 · a hint: npm run exercise -- hint 3.1/02',
    );
    expect(lines.at(-1)).toBe('Points 5/15');
  });

  it('hands Classroom an error as one zero-score test with the reason, cut to a safe length', () => {
    const huge = `syntax error ${'x'.repeat(5000)}`;
    const result = toClassroomResult(
      scoreRun({ exercise, status: 'error', tests: [], error: huge }),
    );
    expect(result).toMatchObject({ version: 1, status: 'error', max_score: 10 });
    expect(result.tests).toHaveLength(1);
    expect(result.tests[0]).toMatchObject({ name: 't', status: 'error', score: 0 });
    expect(result.tests[0]?.message.length).toBe(1000);
    expect(result.tests[0]?.message.startsWith('syntax error xxx')).toBe(true);
  });

  it("hands Classroom each test's own score, so partial credit adds up", () => {
    const result = toClassroomResult(
      scoreRun({
        exercise,
        status: 'ran',
        tests: [
          { name: 'a > one', passed: true, duration: 3 },
          { name: 'a > two', passed: false, message: 'expected 1' },
          { name: 'a > three', passed: true },
        ],
      }),
    );
    expect(result.tests.map((t) => [t.status, t.score, t.duration])).toEqual([
      ['pass', 4, 3],
      ['fail', 0, 0],
      ['pass', 3, 0],
    ]);
    expect(result.tests[0]).toMatchObject({
      test_code: 'npm run grade -- 3.1/02',
      filename: 'exercises/3.1/02-x.test.ts',
      line_no: 0,
    });
  });

  it("keeps a failure's hex dumps for the details but leaves its stack out", () => {
    const raw =
      'bytes differ at offset 1\n  expected: 81 [05]\n  received: 81 [06]\n    at check (x.ts:3:1)';
    expect(messageDetail(raw)).toBe(
      'bytes differ at offset 1\n  expected: 81 [05]\n  received: 81 [06]',
    );
  });

  it('says where a syntax error is, relative to the root, in one line', () => {
    const raw =
      'Transform failed with 1 error:\n/course/exercises/3.1/02-unmask.ts:18:22: ERROR: Unexpected ";"\n    at failureErrorWithLog (esbuild.js:1:1)';
    expect(fileErrorMessage(raw, '/course/')).toBe(
      'Transform failed with 1 error: exercises/3.1/02-unmask.ts:18:22: ERROR: Unexpected ";"',
    );
  });

  it("adds the place from vite's code frame to a parse error", () => {
    const raw =
      'Transform failed with 1 error:\n\n\u001b[31m[PARSE_ERROR] \u001b[0mUnexpected token\n    \u001b[38;5;246m╭─[\u001b[0m exercises/3.1/02-unmask.ts:18:23 \u001b[38;5;246m]\u001b[0m\n 18 │ export const broken = ;';
    expect(fileErrorMessage(raw, '/course/')).toBe(
      'Transform failed with 1 error: [PARSE_ERROR] Unexpected token at exercises/3.1/02-unmask.ts:18:23',
    );
  });

  it('reduces a coloured, stack-laden failure to its first line', () => {
    expect(plainMessage('\u001b[31mexpected 101\u001b[39m\n    at foo (x.ts:1:1)')).toBe(
      'expected 101',
    );
  });
});

describe('byte messages', () => {
  it('round-trips hex', () => {
    expect(toHex(fromHex('81 05 48 65'))).toBe('81 05 48 65');
    expect(() => fromHex('8')).toThrow('not a hex byte string');
  });

  it('names the first differing offset and marks it in both dumps', () => {
    const message = describeByteMismatch(fromHex('81 7f 00 01'), fromHex('81 7f 00 00'), 'header');
    expect(message).toBe(
      'header differ at offset 3: expected 0x00, received 0x01\n  expected: 81 7f 00 [00]\n  received: 81 7f 00 [01]',
    );
  });

  it('explains a length difference as the end of the shorter array', () => {
    const message = describeByteMismatch(fromHex('81'), fromHex('81 05'));
    expect(message?.split('\n')[0]).toBe(
      'bytes differ at offset 1: expected 0x05, received nothing (too short) (expected 2 bytes, received 1)',
    );
    expect(message).toContain('received: 81 [end]');
  });

  it('toEqualBytes passes on equal bytes and fails with the hex message', () => {
    expect(Uint8Array.of(1, 2)).toEqualBytes('01 02');
    expect(failureOf(() => expect(Uint8Array.of(1, 3)).toEqualBytes('01 02', 'frame'))).toContain(
      'frame differ at offset 1: expected 0x02, received 0x03',
    );
  });

  it('toThrowInstanceOf says what was thrown instead, or that nothing was', () => {
    expect(() => {
      throw new RangeError('too long');
    }).toThrowInstanceOf(RangeError);
    const todo = () => {
      throw new Error('TODO: encode opcode 9');
    };
    expect(failureOf(() => expect(todo).toThrowInstanceOf(RangeError))).toBe(
      'expected a RangeError, but it threw Error: TODO: encode opcode 9',
    );
    expect(failureOf(() => expect(() => 7).toThrowInstanceOf(RangeError))).toContain(
      'expected a RangeError, but the call returned',
    );
  });

  it('toBeHandshake names the status first, then the wrong header', () => {
    expect(failureOf(() => expect({ status: 400, headers: {} }).toBeHandshake(426))).toBe(
      'expected status 426 Upgrade Required, received 400 Bad Request',
    );
    const wrongHeader = () =>
      expect({ status: 426, headers: { 'sec-websocket-version': '8' } }).toBeHandshake(426, {
        'Sec-WebSocket-Version': '13',
      });
    expect(failureOf(wrongHeader)).toBe(
      'status 426 Upgrade Required is right, but header Sec-WebSocket-Version is wrong: expected "13", received "8"',
    );
  });
});

describe('concurrency helpers', () => {
  it('describes who holds which lock and waits for which', () => {
    const locks = new LockTable(LockTable.allocate(2, 2), 2);
    locks.lock(0, 1);
    locks.lock(1, 2);
    Atomics.store(locks.cells, 2 + 1, 2); // owner 1 waits for lock 1
    expect(locks.describe('account lock')).toBe(
      'owner 1 holds account lock 0 and waits for account lock 1; owner 2 holds account lock 1',
    );
    expect(failureOf(() => locks.unlock(0, 2))).toBe(
      'owner 2 cannot unlock lock 0: owner 1 holds it',
    );
    expect(failureOf(() => locks.lock(0, 1))).toContain('already holds lock 0');
  });

  it('fails two threads that lock in opposite orders with the wait-for picture, and stops them', async () => {
    const balances = new Int32Array(new SharedArrayBuffer(8));
    const lockCells = LockTable.allocate(2, 2);
    const locks = new LockTable(lockCells, 2);
    const line = startLine(2);
    const module = new URL('./fixtures/crossing-transfer.ts', import.meta.url).href;
    const run = callInWorkers(
      THREAD_DRILLS,
      'transferMany',
      [
        [module, line, balances, lockCells, 0, 1, 1, 1],
        [module, line, balances, lockCells, 1, 0, 2, 1],
      ],
      { deadlineMs: 1_000, startLine: line, describe: () => locks.describe('account lock') },
    );
    await expect(run).rejects.toThrow(
      'no progress after 1000 ms: owner 1 holds account lock 0 and waits for account lock 1; owner 2 holds account lock 1 and waits for account lock 0',
    );
  }, 30_000);

  it('callInWorker rejects an answer that cannot be sent back with what went wrong', async () => {
    const call = callInWorker(
      new URL('./fixtures/uncloneable.ts', import.meta.url),
      'makeCounter',
      [],
    );
    try {
      await expect(within(call.result, 20_000, 'the call to answer')).rejects.toThrow(
        /^makeCounter threw in a worker: .*could not be cloned/,
      );
    } finally {
      await call.stop();
    }
  }, 60_000);

  it("callInWorker's stop() lets a worker still loading the module finish and answer before ending it", async () => {
    // HELD_LOAD_CHANNEL of the fixture, which is not imported here: importing it would run it.
    const channel = new BroadcastChannel('classroom-held-load');
    const loading = new Promise((resolve) => {
      channel.onmessage = resolve;
    });
    const module = new URL('./fixtures/held-load.ts', import.meta.url);
    const call = callInWorker<number>(module, 'answer', []);
    try {
      await within(loading, 20_000, 'the worker to start loading the module');
      const stopping = call.stop();
      channel.postMessage('go');
      await within(stopping, 20_000, 'stop() to end the worker');
      // Terminated at stop(), the worker would never have answered: the call would reject.
      expect(await call.result).toBe(42);
    } finally {
      channel.postMessage('go');
      channel.close();
      await call.worker.terminate();
    }
  }, 60_000);

  it('turns a hang into an error that says what was held, and cleans up', async () => {
    let cleaned = false;
    const hang = new Promise<never>(() => {});
    const failure = withDeadline(
      hang,
      20,
      () => 'owner 1 holds lock 0',
      () => {
        cleaned = true;
      },
    );
    await expect(failure).rejects.toThrow(
      new DeadlineError('no progress after 20 ms: owner 1 holds lock 0'),
    );
    expect(cleaned).toBe(true);
  });
});
