import { callInWorkers, THREAD_DRILLS } from '@course/classroom/concurrency';
import { startLine } from '@course/classroom/drills/threads';
import { LockTable } from '@course/classroom/lock-table';
import { studentModule } from '@course/classroom/target';
import { describe, expect, it } from 'vitest';
import { transfer } from './04-lock-ordering.ts';

const MODULE = studentModule('./04-lock-ordering.ts', import.meta.url);
const DRILL = THREAD_DRILLS;

function bank(balances: number[]) {
  const accounts = Int32Array.from(balances);
  const shared = new Int32Array(new SharedArrayBuffer(accounts.byteLength));
  shared.set(accounts);
  const lockCells = LockTable.allocate(balances.length, 3);
  return { balances: shared, lockCells, locks: new LockTable(lockCells, balances.length) };
}

describe('3.2/04 transfer', () => {
  it('moves the amount and returns true', () => {
    const { balances, locks } = bank([10, 0]);
    expect(transfer(balances, locks, 0, 1, 4, 1)).toBe(true);
    expect(Array.from(balances)).toEqual([6, 4]);
  });

  it('moves nothing and returns false without enough money', () => {
    const { balances, locks } = bank([3, 0]);
    expect(transfer(balances, locks, 0, 1, 4, 1)).toBe(false);
    expect(Array.from(balances)).toEqual([3, 0]);
  });

  it('releases every lock afterwards, even when the transfer is refused', () => {
    const { balances, locks } = bank([3, 0, 5]);
    transfer(balances, locks, 2, 0, 1, 1);
    transfer(balances, locks, 0, 1, 99, 1);
    expect([locks.holder(0), locks.holder(1), locks.holder(2)], 'lock holders (0 = free)').toEqual([
      0, 0, 0,
    ]);
  });

  it('never deadlocks when two threads transfer in opposite directions, and loses no money', async () => {
    const { balances, lockCells, locks } = bank([1_000_000, 1_000_000]);
    // Fails fast, before starting any thread, if one transfer does not work on one thread.
    expect(transfer(balances, locks, 0, 1, 1, 1) && transfer(balances, locks, 1, 0, 1, 1)).toBe(
      true,
    );
    const line = startLine(2);
    const rounds = 4;
    const args = [
      [MODULE.href, line, balances, lockCells, 0, 1, 1, 10_000, rounds],
      [MODULE.href, line, balances, lockCells, 1, 0, 2, 10_000, rounds],
    ];
    await callInWorkers(DRILL, 'transferMany', args, {
      deadlineMs: 6_000,
      startLine: line,
      describe: () => `deadlock: ${locks.describe('account lock')}`,
    });
    expect((balances[0] ?? 0) + (balances[1] ?? 0), 'money in the bank').toBe(2_000_000);
  });

  it('handles a transfer from an account to itself without locking it twice', () => {
    const { balances, locks } = bank([5]);
    // The LockTable refuses a second lock by the same owner (it would wait for itself forever).
    expect(transfer(balances, locks, 0, 0, 3, 1), 'a self-transfer succeeds').toBe(true);
    expect(Array.from(balances), 'and moves nothing').toEqual([5]);
    expect(locks.holder(0), 'the lock is free afterwards').toBe(0);
  });
});
