import { describe, expect, it } from 'vitest';
import { AsyncQueue, QueueTimeout } from './04-async-queue.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('3.3/04 AsyncQueue', () => {
  it('gives items back first in, first out', async () => {
    const queue = new AsyncQueue<number>(5);
    for (const n of [1, 2, 3]) await queue.put(n);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual([1, 2, 3]);
  });

  it('makes get wait for an item, and serves waiting getters in arrival order', async () => {
    const queue = new AsyncQueue<string>(2);
    const first = queue.get();
    const second = queue.get();
    await queue.put('a');
    await queue.put('b');
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
  });

  it('makes put wait while the queue is full (backpressure)', async () => {
    const queue = new AsyncQueue<number>(1);
    await queue.put(1);
    let putDone = false;
    const pending = queue.put(2).then(() => {
      putDone = true;
    });
    await tick();
    expect(putDone, 'put into a full queue finished early').toBe(false);
    expect(queue.size).toBe(1);
    expect(await queue.get()).toBe(1);
    await pending;
    expect(await queue.get()).toBe(2);
  });

  it('rejects get and put with QueueTimeout when the time runs out', async () => {
    const queue = new AsyncQueue<number>(1);
    await expect(queue.get(15)).rejects.toBeInstanceOf(QueueTimeout);
    await queue.put(1);
    await expect(queue.put(2, 15)).rejects.toBeInstanceOf(QueueTimeout);
    expect(queue.size).toBe(1);
  });

  it('loses nothing after a timeout: a timed-out getter never takes a later item', async () => {
    const queue = new AsyncQueue<number>(3);
    await expect(queue.get(10)).rejects.toBeInstanceOf(QueueTimeout);
    await queue.put(42);
    expect(queue.size, 'the item stays in the queue').toBe(1);
    expect(await queue.get(100)).toBe(42);
  });

  it('keeps a timed-out put out of the queue', async () => {
    const queue = new AsyncQueue<number>(1);
    await queue.put(1);
    await expect(queue.put(2, 10)).rejects.toBeInstanceOf(QueueTimeout);
    expect(await queue.get()).toBe(1);
    await expect(queue.get(10), 'the timed-out item must not appear').rejects.toBeInstanceOf(
      QueueTimeout,
    );
  });

  it('passes 1000 items through 10 producers and 10 consumers with none lost or doubled', async () => {
    const queue = new AsyncQueue<number>(4);
    const producers = Array.from({ length: 10 }, async (_, p) => {
      for (let i = 0; i < 100; i++) await queue.put(p * 100 + i);
    });
    const received: number[] = [];
    const consumers = Array.from({ length: 10 }, async () => {
      for (let i = 0; i < 100; i++) received.push(await queue.get());
    });
    await Promise.all([...producers, ...consumers]);
    expect(received.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
