import { callInWorkers, THREAD_DRILLS } from '@course/classroom/concurrency';
import { startLine } from '@course/classroom/drills/threads';
import { studentModule } from '@course/classroom/target';
import { describe, expect, it } from 'vitest';
import { addMany } from './01-atomic-counter.ts';

const MODULE = studentModule('./01-atomic-counter.ts', import.meta.url);
const WORKERS = 4;
const TIMES = 500_000;

describe('3.2/01 addMany', () => {
  it('adds exactly `times` on one thread', () => {
    const shared = new Int32Array(new SharedArrayBuffer(12));
    addMany(shared, 1, 1000);
    expect(Array.from(shared)).toEqual([0, 1000, 0]);
  });

  it('loses no update with four threads adding at once, in every one of five rounds', async () => {
    const rounds = 5;
    // Fails fast, before starting any thread, if addMany does not even work on one thread.
    addMany(new Int32Array(new SharedArrayBuffer(4)), 0, 1);
    // Round r uses slot r - 1, so each round also checks that the other slots stay untouched.
    const shared = new Int32Array(new SharedArrayBuffer(4 * rounds));
    const line = startLine(WORKERS);
    const args = Array.from({ length: WORKERS }, () => [MODULE.href, line, shared, TIMES]);
    await callInWorkers(THREAD_DRILLS, 'addManyTogether', args, {
      deadlineMs: 20_000,
      startLine: line,
    });
    const expected = Array.from({ length: rounds }, () => WORKERS * TIMES);
    expect(Array.from(shared), `slot per round (${WORKERS} threads × ${TIMES} each)`).toEqual(
      expected,
    );
  });
});
