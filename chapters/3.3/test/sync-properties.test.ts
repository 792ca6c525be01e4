/**
 * Property tests: random interleavings of waits, hand-offs, aborts and timeouts. Whatever
 * the order, nothing is lost or duplicated, waiters are served first come first served,
 * and no task is left waiting while what it waits for is available (a lost wake-up).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Queue, QueueEmptyError, QueueFullError, Semaphore } from '../src/sync/index.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

type QueueOp =
  | { kind: 'put' | 'get'; abortable: boolean; timeoutMs?: number }
  | { kind: 'abort'; pick: number }
  | { kind: 'putNowait' | 'getNowait' | 'settle' };

const queueOp = (withTimeouts: boolean): fc.Arbitrary<QueueOp> =>
  fc.oneof(
    fc.record({
      kind: fc.constantFrom('put' as const, 'get' as const),
      abortable: fc.boolean(),
      ...(withTimeouts ? { timeoutMs: fc.integer({ min: 0, max: 3 }) } : {}),
    }),
    fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
    fc.record({
      kind: fc.constantFrom('putNowait' as const, 'getNowait' as const, 'settle' as const),
    }),
  );

async function runQueueScript(maxsize: number, ops: QueueOp[]): Promise<void> {
  const q = new Queue<number>(maxsize);
  let nextValue = 0;
  const puts: { value: number; state: 'pending' | 'in' | 'gone' }[] = [];
  const received: { call: number; value: number }[] = [];
  const controllers: AbortController[] = [];
  let calls = 0;

  const checkNoLostWakeUp = () => {
    const { getters, putters } = q.waiting();
    if (getters > 0) expect(q.qsize()).toBe(0);
    if (putters > 0) expect(q.full()).toBe(true);
    expect(q.qsize()).toBeLessThanOrEqual(maxsize);
  };

  for (const op of ops) {
    const call = calls++;
    if (op.kind === 'put' || op.kind === 'get') {
      const controller = op.abortable ? new AbortController() : undefined;
      if (controller) controllers.push(controller);
      const options = { signal: controller?.signal, timeoutMs: op.timeoutMs };
      if (op.kind === 'put') {
        const entry = { value: nextValue++, state: 'pending' as 'pending' | 'in' | 'gone' };
        puts.push(entry);
        q.put(entry.value, options).then(
          () => (entry.state = 'in'),
          () => (entry.state = 'gone'),
        );
      } else {
        q.get(options).then(
          (value) => received.push({ call, value }),
          () => {},
        );
      }
    } else if (op.kind === 'abort') {
      controllers.splice(op.pick % Math.max(1, controllers.length), 1)[0]?.abort();
    } else if (op.kind === 'putNowait') {
      const value = nextValue++;
      try {
        q.putNowait(value);
        puts.push({ value, state: 'in' });
      } catch (error) {
        expect(error).toBeInstanceOf(QueueFullError);
      }
    } else if (op.kind === 'getNowait') {
      try {
        received.push({ call, value: q.getNowait() });
      } catch (error) {
        expect(error).toBeInstanceOf(QueueEmptyError);
      }
    } else {
      await settle();
    }
    checkNoLostWakeUp();
  }

  // Let timers and hand-offs finish, cancel whoever still waits, then empty the queue.
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (const controller of controllers) controller.abort();
  await settle();
  const drained: number[] = [];
  while (!q.empty()) drained.push(q.getNowait());
  await settle();
  checkNoLostWakeUp();

  // FIFO: getters served in call order receive values in put order, then the leftovers.
  const delivered = received.sort((a, b) => a.call - b.call).map((r) => r.value);
  const accepted = puts.filter((p) => p.state === 'in').map((p) => p.value);
  expect([...delivered, ...drained]).toEqual(accepted);
  // Still pending: only puts that could not be aborted and found no room (none remain).
  expect(puts.filter((p) => p.state === 'pending')).toEqual([]);
}

describe('Queue under random interleavings', () => {
  test('hands every accepted item out exactly once, in FIFO order, with aborts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(queueOp(false), { maxLength: 60 }),
        runQueueScript,
      ),
      { numRuns: 150 },
    );
  });

  test('stays consistent when waits time out at random', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(queueOp(true), { maxLength: 30 }),
        runQueueScript,
      ),
      { numRuns: 25 },
    );
  });
});

type SemaphoreOp =
  | { kind: 'acquire'; abortable: boolean }
  | { kind: 'release' }
  | { kind: 'abort'; pick: number }
  | { kind: 'settle' };

describe('Semaphore under random interleavings', () => {
  test('grants permits first come first served and never more than it has', async () => {
    const op: fc.Arbitrary<SemaphoreOp> = fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), abortable: fc.boolean() }),
      fc.record({ kind: fc.constant('release' as const) }),
      fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('settle' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(op, { maxLength: 60 }),
        async (permits, ops) => {
          const s = new Semaphore(permits);
          const granted: number[] = [];
          const controllers: AbortController[] = [];
          let held = 0;
          let released = 0;
          for (const [call, o] of ops.entries()) {
            if (o.kind === 'acquire') {
              const controller = o.abortable ? new AbortController() : undefined;
              if (controller) controllers.push(controller);
              s.acquire({ signal: controller?.signal }).then(
                () => granted.push(call),
                () => {},
              );
            } else if (o.kind === 'release') {
              // Release only what was granted, as a correct program would.
              if (granted.length - released > 0) {
                s.release();
                released++;
              }
            } else if (o.kind === 'abort') {
              controllers.splice(o.pick % Math.max(1, controllers.length), 1)[0]?.abort();
            } else {
              await settle();
            }
            await Promise.resolve();
            held = granted.length - released;
            if (s.waiting > 0) expect(s.value).toBe(0);
            expect(s.value).toBeLessThanOrEqual(permits);
          }
          await settle();
          held = granted.length - released;
          expect(held + s.value).toBe(permits);
          expect(held).toBeLessThanOrEqual(permits);
          expect(granted).toEqual([...granted].sort((a, b) => a - b));
        },
      ),
      { numRuns: 150 },
    );
  });
});
