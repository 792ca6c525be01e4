import { callInWorkers, THREAD_DRILLS } from '@course/classroom/concurrency';
import { startLine } from '@course/classroom/drills/threads';
import { studentModule } from '@course/classroom/target';
import { describe, expect, it } from 'vitest';
import { Mutex, MutexError } from './03-mutex.ts';

const MODULE = studentModule('./03-mutex.ts', import.meta.url);
const DRILL = THREAD_DRILLS;
const cells = () => new Int32Array(new SharedArrayBuffer(8));

function thrown(action: () => void): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('3.2/03 Mutex', () => {
  it('lets tryLock take a free lock once, and again after unlock', () => {
    const mutex = new Mutex(cells());
    expect(mutex.tryLock(1), 'first tryLock').toBe(true);
    expect(mutex.tryLock(2), 'tryLock while owner 1 holds it').toBe(false);
    mutex.unlock(1);
    expect(mutex.tryLock(2), 'tryLock after unlock').toBe(true);
  });

  it('keeps the owner id in the cell while locked and 0 when free', () => {
    const shared = cells();
    const mutex = new Mutex(shared, 1);
    mutex.lock(7);
    expect(Array.from(shared), 'cells while owner 7 holds the lock at index 1').toEqual([0, 7]);
    mutex.unlock(7);
    expect(Array.from(shared), 'cells after unlock').toEqual([0, 0]);
  });

  it('refuses an unlock by a thread that does not hold the lock, and stays locked', () => {
    const mutex = new Mutex(cells());
    mutex.lock(1);
    expect(
      thrown(() => mutex.unlock(2)),
      'unlock by owner 2',
    ).toBeInstanceOf(MutexError);
    expect(mutex.tryLock(3), 'the lock is still held').toBe(false);
    mutex.unlock(1);
    expect(
      thrown(() => mutex.unlock(1)),
      'unlock of a free lock',
    ).toBeInstanceOf(MutexError);
  });

  it('excludes three threads from a read-modify-write, exactly, in every one of four rounds', async () => {
    const times = 4_000;
    // Fails fast, before starting any thread, if the mutex does not even work on one thread.
    const single = new Mutex(cells());
    single.lock(1);
    single.unlock(1);
    const rounds = 4;
    const lock = cells();
    const counter = new Int32Array(new SharedArrayBuffer(4 * rounds));
    const line = startLine(3);
    const args = [1, 2, 3].map((owner) => [MODULE.href, line, lock, counter, owner, times]);
    // A lost wake-up or a lock never given back shows up as a hang: name the holder.
    await callInWorkers(DRILL, 'hammerMutex', args, {
      deadlineMs: 15_000,
      startLine: line,
      describe: () => `owner ${Atomics.load(lock, 0)} holds the mutex and no thread gets it back`,
    });
    expect(Array.from(counter), 'counter per round').toEqual(
      Array.from({ length: rounds }, () => 3 * times),
    );
    expect(lock[0], 'the lock is free at the end').toBe(0);
  });
});
