/** The gevent-style structures, one behaviour per test. */

import { getEventListeners } from 'node:events';
import { within } from '@course/course-kit/testing/waits';
import { describe, expect, test } from 'vitest';
import {
  AsyncResult,
  BoundedSemaphore,
  Deque,
  Event,
  Group,
  JoinableQueue,
  Lock,
  Queue,
  QueueEmptyError,
  QueueFullError,
  ReleaseError,
  Semaphore,
  SyncError,
  WaitTimeoutError,
} from '../src/sync/index.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('Deque', () => {
  test('keeps FIFO order across growth and wrap-around, with unshift at the front', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 10; i++) d.push(i);
    for (let i = 0; i < 8; i++) d.shift(); // the head moves, so later pushes wrap around
    for (let i = 10; i < 40; i++) d.push(i);
    d.unshift(-1);
    expect(d.shift()).toBe(-1);
    expect([...d]).toEqual(Array.from({ length: 32 }, (_, i) => i + 8));
    expect(d.drain()).toHaveLength(32);
    expect(d.length).toBe(0);
    expect(d.shift()).toBeUndefined();
  });
});

describe('Queue', () => {
  test('get() waits for put() and receives items in FIFO order', async () => {
    const q = new Queue<string>();
    const first = q.get();
    const second = q.get();
    await q.put('a');
    await q.put('b');
    expect([await first, await second]).toEqual(['a', 'b']);
  });

  test('a bounded queue makes put() wait until a get() frees a slot (backpressure)', async () => {
    const q = new Queue<number>(2);
    await q.put(1);
    await q.put(2);
    let thirdIn = false;
    const third = q.put(3).then(() => (thirdIn = true));
    await turn();
    expect(thirdIn).toBe(false);
    expect(q.waiting()).toEqual({ getters: 0, putters: 1 });
    expect(await q.get()).toBe(1);
    await third;
    expect(q.qsize()).toBe(2);
    expect([q.getNowait(), q.getNowait()]).toEqual([2, 3]);
  });

  test('putNowait and getNowait throw QueueFullError and QueueEmptyError instead of waiting', () => {
    const q = new Queue<number>(1);
    expect(() => q.getNowait()).toThrow(QueueEmptyError);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(QueueFullError);
    expect(q.full()).toBe(true);
  });

  test('a get() that times out rejects with WaitTimeoutError and does not swallow a later item', async () => {
    const q = new Queue<number>();
    const error = await q.get({ timeoutMs: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe('queue.get() on an empty queue timed out after 5 ms');
    await q.put(7);
    expect(q.qsize()).toBe(1);
    expect(await q.get()).toBe(7);
  });

  test('an aborted put() leaves its item out and lets the next putter in', async () => {
    const q = new Queue<string>(1);
    await q.put('kept');
    const controller = new AbortController();
    const aborted = q.put('dropped', { signal: controller.signal });
    const next = q.put('next');
    controller.abort(new Error('player left'));
    await expect(aborted).rejects.toThrow('player left');
    expect(await q.get()).toBe('kept');
    await next;
    expect(await q.get()).toBe('next');
    expect(q.empty()).toBe(true);
  });

  test('an already aborted signal rejects at once without queueing', async () => {
    const q = new Queue<number>();
    await expect(q.get({ signal: AbortSignal.abort() })).rejects.toThrow();
    expect(q.waiting().getters).toBe(0);
  });

  test('a thousand timed-out getters do not pile up in memory', async () => {
    const q = new Queue<number>();
    const gets = Array.from({ length: 1000 }, () => q.get({ timeoutMs: 1 }).catch(() => 'timeout'));
    expect(new Set(await Promise.all(gets))).toEqual(new Set(['timeout']));
    expect(q.waiting().getters).toBe(0);
    await q.put(1);
    expect(await q.get()).toBe(1);
  });

  test('a wait with timeoutMs Infinity has no limit; a negative, NaN or over-long one is a RangeError', async () => {
    const q = new Queue<number>();
    const patient = q.get({ timeoutMs: Number.POSITIVE_INFINITY });
    // setTimeout(Infinity) fires after 1 ms: a buggy limit would have run out by now.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await q.put(7);
    expect(await within(patient, 1_000, 'the get() with no time limit')).toBe(7);
    for (const bad of [-1, Number.NaN, 2 ** 31]) {
      await expect(q.get({ timeoutMs: bad })).rejects.toThrow(
        `timeoutMs must be from 0 to 2147483647, or Infinity for no limit; got ${bad}`,
      );
    }
    expect(q.waiting().getters).toBe(0);
  });

  test('maxsize must be a whole number ≥ 1 or Infinity', () => {
    expect(() => new Queue(0)).toThrow(RangeError);
    expect(() => new Queue(1.5)).toThrow('got 1.5');
  });
});

describe('JoinableQueue', () => {
  test('join() waits until taskDone() was called for every item put', async () => {
    const q = new JoinableQueue<number>(3);
    let joined = false;
    await within(q.join(), 1_000, 'join() of an empty JoinableQueue');
    for (const n of [1, 2, 3]) await q.put(n);
    const join = q.join().then(() => (joined = true));
    await q.get();
    q.taskDone();
    await q.get();
    q.taskDone();
    await turn();
    expect(joined).toBe(false);
    expect(q.unfinishedTasks()).toBe(1);
    await q.get();
    q.taskDone();
    await within(join, 1_000, 'join() after every taskDone()');
    expect(() => q.taskDone()).toThrow(SyncError);
  });
});

describe('Semaphore and Lock', () => {
  test('acquire() waits when no permit is free and wakes waiters first come, first served', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map((n) => s.acquire().then(() => order.push(n)));
    expect(s.tryAcquire()).toBe(false);
    for (let i = 0; i < 3; i++) {
      s.release();
      await turn();
    }
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(s.value).toBe(0);
  });

  test('a releaser hands the permit to the oldest waiter, not to a newcomer', async () => {
    const s = new Semaphore(1);
    await s.acquire();
    const waiting = s.acquire();
    s.release();
    // The permit already belongs to the waiter, even before its promise callbacks run.
    expect(s.tryAcquire()).toBe(false);
    await waiting;
  });

  test('BoundedSemaphore and Lock refuse a release without an acquire', async () => {
    const b = new BoundedSemaphore(2);
    expect(() => b.release()).toThrow(ReleaseError);
    const lock = new Lock();
    expect(() => lock.release()).toThrow('lock released more times than it was acquired');
    await lock.acquire();
    expect(lock.locked()).toBe(true);
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  test('a lock keeps 200 contending tasks out of each other across awaits, in arrival order', async () => {
    const lock = new Lock();
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    const worker = (n: number) =>
      lock.with(async () => {
        inside++;
        maxInside = Math.max(maxInside, inside);
        order.push(n);
        await turn();
        inside--;
      });
    await within(Promise.all(Array.from({ length: 200 }, (_, n) => worker(n))), 10_000, 'the lock');
    expect(maxInside).toBe(1);
    expect(order).toEqual(Array.from({ length: 200 }, (_, n) => n));
  });

  test('acquire with a timeout rejects with WaitTimeoutError and leaves the count unchanged', async () => {
    const s = new Semaphore(0);
    await expect(s.acquire({ timeoutMs: 2 })).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(s.waiting).toBe(0);
    s.release();
    expect(s.value).toBe(1);
  });
});

describe('Event and AsyncResult', () => {
  test('Event.set() wakes every waiter and later waits pass at once', async () => {
    const e = new Event();
    const woken = Promise.all([e.wait(), e.wait(), e.wait()]);
    e.set();
    await within(woken, 1_000, 'three waiters on a set event');
    await within(e.wait(), 1_000, 'a wait on a set event');
    e.clear();
    await expect(e.wait({ timeoutMs: 1 })).rejects.toBeInstanceOf(WaitTimeoutError);
  });

  test('AsyncResult delivers one value to readers before and after it is set', async () => {
    const r = new AsyncResult<number>();
    const early = r.get();
    expect(r.ready()).toBe(false);
    r.set(42);
    expect([await early, await r.get()]).toEqual([42, 42]);
    expect(r.successful()).toBe(true);
    expect(() => r.set(43)).toThrow('already set');
  });

  test('AsyncResult.setException rejects every reader with that error', async () => {
    const r = new AsyncResult<number>();
    const early = r.get();
    r.setException(new Error('match cancelled'));
    await expect(early).rejects.toThrow('match cancelled');
    await expect(r.get()).rejects.toThrow('match cancelled');
    expect(r.ready() && !r.successful()).toBe(true);
    await r.wait();
  });
});

describe('Group', () => {
  test('runs at most `limit` tasks at once and map keeps input order', async () => {
    const group = new Group(3);
    let peak = 0;
    const results = await group.map(
      Array.from({ length: 20 }, (_, i) => i),
      async (i) => {
        peak = Math.max(peak, group.active);
        await turn();
        return i * 10;
      },
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(peak).toBe(3);
    await within(group.join(), 1_000, 'join() of a finished group');
    expect(group.size).toBe(0);
  });

  test('join() waits for failing tasks too, and their errors stay with spawn()', async () => {
    const group = new Group(2);
    const bad = group.spawn(async () => {
      await turn();
      throw new Error('room crashed');
    });
    const good = group.spawn(() => 'ok');
    await within(group.join(), 1_000, 'join() with a failing task');
    await expect(bad).rejects.toThrow('room crashed');
    expect(await good).toBe('ok');
  });

  test('kill() aborts running tasks and rejects tasks still waiting for a slot', async () => {
    const group = new Group(1);
    const running = group.spawn(
      (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    );
    const waiting = group.spawn(() => 'never runs');
    await turn();
    expect(group.active).toBe(1);
    const reason = new Error('server shutting down');
    await within(group.kill(reason), 1_000, 'kill() of a group with a stuck task');
    await expect(running).rejects.toBe(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(group.spawn(() => 1)).rejects.toBe(reason);
  });
});

describe('cancellation and timeouts on every wait', () => {
  test('waits that share one signal add one abort listener between them; an abort still reaches each', async () => {
    const controller = new AbortController();
    const { signal } = controller;
    const q = new Queue<number>();
    const getters = Array.from({ length: 100 }, () => q.get({ signal }));
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    for (let i = 0; i < 50; i++) q.putNowait(i);
    expect(await Promise.all(getters.slice(0, 50))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
    const reason = new Error('round over');
    controller.abort(reason);
    for (const getter of getters.slice(50)) await expect(getter).rejects.toBe(reason);
    expect(q.waiting().getters).toBe(0);

    // A Group's waiting tasks all wait on the group's signal.
    const group = new Group(1);
    const gate = new Event();
    const tasks = Array.from({ length: 100 }, () => group.spawn(() => gate.wait()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(getEventListeners(group.signal, 'abort')).toHaveLength(1);
    gate.set();
    await within(Promise.all(tasks), 5_000, '100 group tasks behind one slot');
    expect(getEventListeners(group.signal, 'abort')).toHaveLength(0);
  });

  test('an aborted wait rejects with the signal reason and leaves each structure usable', async () => {
    const abortWith = async (wait: (signal: AbortSignal) => Promise<unknown>, what: string) => {
      const controller = new AbortController();
      const waiting = wait(controller.signal);
      await turn();
      const reason = new Error(`stop ${what}`);
      controller.abort(reason);
      await expect(within(waiting, 1_000, `${what} to see its abort`)).rejects.toBe(reason);
    };

    const event = new Event();
    await abortWith((signal) => event.wait({ signal }), 'event.wait()');
    event.set();
    await within(event.wait(), 1_000, 'event.wait() after set()');

    const result = new AsyncResult<number>();
    await abortWith((signal) => result.get({ signal }), 'asyncResult.get()');
    result.set(5);
    expect(await result.get()).toBe(5);

    const queue = new JoinableQueue<number>(1);
    await queue.put(1);
    await abortWith((signal) => queue.put(2, { signal }), 'queue.put()');
    await abortWith((signal) => queue.join({ signal }), 'joinableQueue.join()');
    expect(queue.getNowait()).toBe(1);
    expect(queue.empty()).toBe(true); // the aborted put left no item behind
    queue.taskDone();
    await within(queue.join(), 1_000, 'join() once the one item is done');

    const lock = new Lock();
    await lock.acquire();
    let ranInside = false;
    await abortWith(
      (signal) => lock.with(() => (ranInside = true), { signal }),
      'lock.with() while held',
    );
    lock.release();
    // The aborted waiter took nothing: the lock is free, not handed to a ghost.
    expect(ranInside).toBe(false);
    expect(lock.locked()).toBe(false);

    const group = new Group(1);
    const gate = new Event();
    const blocker = group.spawn(() => gate.wait());
    await abortWith((signal) => group.waitAvailable({ signal }), 'group.waitAvailable()');
    await abortWith((signal) => group.join({ signal }), 'group.join()');
    gate.set();
    await blocker;
    await within(group.join(), 1_000, 'group.join() after the blocker finished');
    expect(group.size).toBe(0);
  });

  test('a timed-out wait rejects with WaitTimeoutError naming what waited', async () => {
    const timedOut = async (wait: Promise<unknown>, message: string) => {
      const error = await within(wait, 1_000, message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WaitTimeoutError);
      expect((error as Error).message).toBe(message);
    };
    await timedOut(new Event().wait({ timeoutMs: 1 }), 'event.wait() timed out after 1 ms');
    await timedOut(
      new AsyncResult().get({ timeoutMs: 1 }),
      'asyncResult.get() timed out after 1 ms',
    );
    const queue = new JoinableQueue<number>(1);
    await timedOut(
      queue.get({ timeoutMs: 1 }),
      'queue.get() on an empty queue timed out after 1 ms',
    );
    await queue.put(1);
    await timedOut(
      queue.put(2, { timeoutMs: 1 }),
      'queue.put() on a full queue (maxsize 1) timed out after 1 ms',
    );
    await timedOut(queue.join({ timeoutMs: 1 }), 'joinableQueue.join() timed out after 1 ms');
    const group = new Group(1);
    const gate = new Event();
    const blocker = group.spawn(() => gate.wait());
    await timedOut(group.join({ timeoutMs: 1 }), 'group.join() timed out after 1 ms');
    gate.set();
    await blocker;
    const lock = new Lock();
    await lock.acquire();
    await timedOut(lock.acquire({ timeoutMs: 1 }), 'lock.acquire() timed out after 1 ms');
    const bounded = new BoundedSemaphore(1);
    await bounded.acquire();
    await timedOut(
      bounded.acquire({ timeoutMs: 1 }),
      'boundedSemaphore.acquire() timed out after 1 ms',
    );
    bounded.release();
    expect(() => bounded.release()).toThrow(ReleaseError);
  });
});
