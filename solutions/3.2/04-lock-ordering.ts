/**
 * 3.2/04 — Transfer between accounts without deadlock: take locks in one global order.
 *
 * A transfer must hold the locks of both accounts. If one thread locks A then B while
 * another locks B then A, each can end up holding one lock and waiting forever for the
 * other. The cure is a single order that everyone follows — always the lower account number
 * first. The locks come from a LockTable (lock(i, owner) / unlock(i, owner)); release both
 * whatever happens. A transfer without enough money moves nothing and returns false.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/04)
 */
import type { LockTable } from '@course/classroom/lock-table';

export function transfer(
  balances: Int32Array,
  locks: LockTable,
  from: number,
  to: number,
  amount: number,
  owner: number,
): boolean {
  if (from === to) return true;
  const [first, second] = from < to ? [from, to] : [to, from];
  locks.lock(first, owner);
  try {
    locks.lock(second, owner);
    try {
      const available = balances[from] ?? 0;
      if (available < amount) return false;
      balances[from] = available - amount;
      balances[to] = (balances[to] ?? 0) + amount;
      return true;
    } finally {
      locks.unlock(second, owner);
    }
  } finally {
    locks.unlock(first, owner);
  }
}
