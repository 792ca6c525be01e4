import { isMainThread } from 'node:worker_threads';
import { until, within } from '@course/course-kit/testing/waits';
import { describe, expect, it } from 'vitest';
import { LockTimeoutError, MainThreadBlockError, NotLockOwnerError } from '../src/errors.ts';
import { runCounterDemo, runDeadlockDemo } from '../src/lock-demo.ts';
import { createLockBuffer, FREE, Mutex, MY_OWNER_ID } from '../src/mutex.ts';
import { Peer } from '../src/peer.ts';

/** Resolves once slot 0 of `buffer` is non-zero (polled, so the event loop keeps running). */
async function waitForFlag(buffer: SharedArrayBuffer, what: string): Promise<void> {
  const flag = new Int32Array(buffer);
  await until(() => Atomics.load(flag, 0) !== 0, 10_000, what);
}

/** Two owners of one lock, played by this thread with explicit owner ids. */
function twoOwners(names = ['scoreboard']) {
  const buffer = createLockBuffer(names.length);
  return {
    alice: new Mutex(buffer, 0, { names, ownerId: 2 }),
    bob: new Mutex(buffer, 0, { names, ownerId: 3 }),
  };
}

describe('Mutex on one thread', () => {
  it('tryLock takes a free lock and refuses a held one', () => {
    const { alice, bob } = twoOwners();
    expect(alice.tryLock()).toBe(true);
    expect(bob.tryLock()).toBe(false);
    expect(alice.holder()).toBe(2);
    alice.unlock();
    expect(alice.holder()).toBe(FREE);
    expect(bob.tryLock()).toBe(true);
  });

  it('refuses an unlock by a thread that does not hold the lock, naming the holder', () => {
    const { alice, bob } = twoOwners();
    alice.tryLock();
    expect(() => bob.unlock()).toThrow(NotLockOwnerError);
    expect(() => bob.unlock()).toThrow(
      'worker 2 cannot unlock "scoreboard": it is held by worker 1',
    );
    expect(alice.holder()).toBe(2);
  });

  it('refuses to unlock a lock that is not locked', () => {
    const { alice } = twoOwners();
    expect(() => alice.unlock()).toThrow('worker 1 cannot unlock "scoreboard": it is not locked');
  });

  it('reports taking a held lock again as not re-entrant instead of deadlocking on itself', () => {
    const { alice } = twoOwners();
    alice.tryLock();
    expect(() => alice.tryLock()).toThrow(
      'worker 1 already holds "scoreboard"; this mutex is not re-entrant',
    );
  });

  it('rejects a lock index outside the buffer', () => {
    expect(() => new Mutex(createLockBuffer(2), 2)).toThrow(
      'lock index 2 is outside a buffer of 2 locks',
    );
  });

  it.runIf(isMainThread)(
    'refuses a blocking lock() on the main thread and points to lockAsync',
    () => {
      const { alice } = twoOwners();
      expect(() => alice.lock(10)).toThrow(MainThreadBlockError);
      expect(() => alice.lock(10)).toThrow('use lockAsync()');
    },
  );

  it('lockAsync waits for the holder to unlock while the event loop keeps running', async () => {
    const { alice, bob } = twoOwners();
    alice.tryLock();
    let timerRan = false;
    setTimeout(() => {
      timerRan = true;
      alice.unlock();
    }, 20);
    await within(bob.lockAsync(5_000), 5_000, 'bob to get "scoreboard" after alice unlocks it');
    expect(timerRan).toBe(true);
    expect(bob.holder()).toBe(3);
  });

  it('publishes which lock a waiter sleeps on, and clears it once the waiter has the lock', async () => {
    const { alice, bob } = twoOwners();
    alice.tryLock();
    expect(alice.waitingOn(3)).toBeUndefined();
    const waiting = bob.lockAsync(5_000);
    expect(alice.waitingOn(3)).toBe('scoreboard');
    alice.unlock();
    await within(waiting, 5_000, 'bob to get "scoreboard" after alice unlocks it');
    expect(alice.waitingOn(3)).toBeUndefined();
    expect(alice.waitingOn(FREE)).toBeUndefined();
  });

  it('lockAsync gives up after its timeout with a message naming the holder', async () => {
    const { alice, bob } = twoOwners();
    alice.tryLock();
    const failure = await within(
      bob.lockAsync(30).catch((error: unknown) => error),
      5_000,
      'bob to give up on "scoreboard", which alice holds',
    );
    expect(failure).toBeInstanceOf(LockTimeoutError);
    expect((failure as LockTimeoutError).message).toBe(
      'worker 2 gave up on "scoreboard" after 30 ms: held by worker 1, while worker 2 holds no lock',
    );
    expect((failure as LockTimeoutError).deadlock).toBeUndefined();
  });

  it('withLock releases the lock even when the critical section throws', () => {
    const buffer = createLockBuffer(1);
    const mutex = new Mutex(buffer, 0, { allowBlockingMainThread: true });
    expect(() =>
      mutex.withLock(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(mutex.holder()).toBe(FREE);
  });
});

describe('Mutex across worker threads', () => {
  it('lets the main thread wait with lockAsync until a worker releases the lock', async () => {
    const locks = createLockBuffer(1);
    const taken = new SharedArrayBuffer(4);
    const holder = Peer.thread(new URL('../src/hold-lock.worker.ts', import.meta.url));
    try {
      // Held until we say so (flag 2), so a descheduled test thread cannot find it free.
      const released = holder.call({ locks, names: ['map'], holdMs: 20_000, taken });
      await waitForFlag(taken, 'the worker to take "map"');
      const main = new Mutex(locks, 0, { names: ['map'] });
      expect(main.tryLock()).toBe(false);
      const waiting = main.lockAsync(10_000);
      const flag = new Int32Array(taken);
      Atomics.store(flag, 0, 2);
      Atomics.notify(flag, 0);
      await within(waiting, 10_000, 'the main thread to get "map" after the worker let go');
      expect(main.holder()).toBe(MY_OWNER_ID);
      expect(await released).toBe('released');
      main.unlock();
    } finally {
      await holder.close();
    }
  });

  it('keeps a heavily contended counter exact on every one of ten rounds', async () => {
    const rounds = Array.from({ length: 10 }, () => 'mutex' as const);
    const rows = await within(
      runCounterDemo({ workers: 4, times: 5_000, modes: rounds }),
      60_000,
      '4 workers taking the "counter" lock 10 × 5000 times each',
    );
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.total).toBe(20_000);
  });

  it('loses no update with Atomics.add and never gains one without a lock', async () => {
    const rows = await within(
      runCounterDemo({ workers: 2, times: 50_000, modes: ['Atomics.add', 'no lock'] }),
      30_000,
      'the Atomics.add and no-lock counter rounds',
    );
    const [atomic, unsafe] = rows;
    expect(atomic?.total).toBe(100_000);
    expect(unsafe?.total).toBeLessThanOrEqual(100_000);
    expect(unsafe?.lost_pct).toBe(Math.round((1000 * (unsafe?.lost ?? 0)) / 100_000) / 10);
  });

  it('turns a deliberate deadlock into a timeout that names which worker holds which lock', async () => {
    const outcomes = await within(
      // The cycle is reported because the first worker waits for the second to sleep on its
      // lock before asking, not because 100 ms is long enough for a descheduled thread.
      runDeadlockDemo({ timeoutMs: 100 }),
      20_000,
      'two workers holding "left fork" and "right fork" to report the deadlock',
    );
    const [first, second] = outcomes;
    expect(first?.gotBoth).toBe(false);
    const message = first && !first.gotBoth ? first.message : '';
    expect(message).toMatch(
      /^worker (\d+) gave up on "right fork" after 100 ms: held by worker (\d+), while worker \1 holds "left fork" — deadlock: worker \1 holds "left fork" and waits for "right fork"; worker \2 holds "right fork" and waits for "left fork"$/,
    );
    expect(second?.gotBoth).toBe(true);
  });
});
