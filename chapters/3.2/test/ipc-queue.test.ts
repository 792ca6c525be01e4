import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { QueueClosedError } from '../src/errors.ts';
import { IpcQueue } from '../src/ipc-queue.ts';
import { runMemoryDemo, runQueueDemo } from '../src/processes-demo.ts';
import { within } from './helpers.ts';

/** Two in-memory endpoints that copy messages like an IPC channel does (serialize, rebuild). */
function channelPair() {
  const a = new EventEmitter() as EventEmitter & {
    send: (m: unknown, cb?: (e: Error | null) => void) => boolean;
  };
  const b = new EventEmitter() as typeof a;
  const wire = (from: typeof a, to: typeof a) => {
    from.send = (message, callback) => {
      const copy = structuredClone(message);
      setImmediate(() => {
        to.emit('message', copy);
        callback?.(null);
      });
      return true;
    };
  };
  wire(a, b);
  wire(b, a);
  return { a, b };
}

describe('IpcQueue', () => {
  it('delivers items in the order they were put, whether get() came first or not', async () => {
    const { a, b } = channelPair();
    const sender = new IpcQueue<number>(a);
    const receiver = new IpcQueue<number>(b);
    const early = receiver.get(1_000);
    await sender.put(1);
    await sender.put(2);
    await sender.put(3);
    expect(await early).toBe(1);
    expect(await receiver.get(1_000)).toBe(2);
    expect(await receiver.get(1_000)).toBe(3);
  });

  it('ignores messages that are not queue items', async () => {
    const { a, b } = channelPair();
    const receiver = new IpcQueue<string>(b);
    a.send('ready');
    await new IpcQueue<string>(a).put('item');
    expect(await receiver.get(1_000)).toBe('item');
  });

  it('fails a waiting get() when the other process goes away', async () => {
    const { b } = channelPair();
    const receiver = new IpcQueue<number>(b);
    const waiting = receiver.get();
    b.emit('disconnect');
    await expect(waiting).rejects.toThrow(QueueClosedError);
    await expect(receiver.get()).rejects.toThrow('ipc queue: the other process went away');
  });

  it('fails get() after its timeout with a message that says how long it waited', async () => {
    const { b } = channelPair();
    await expect(new IpcQueue<number>(b).get(20)).rejects.toThrow(
      'ipc queue: nothing arrived within 20 ms',
    );
  });

  it('carries the seed’s [4031, 1024, "my data"] from a real child, which then exits cleanly', async () => {
    const { item, exitCode } = await within(
      runQueueDemo(),
      20_000,
      'the queue child to put its item and exit',
    );
    expect(item).toEqual([4031, 1024, 'my data']);
    expect(exitCode).toBe(0);
  });
});

describe('memory between processes and threads', () => {
  it('leaves the parent’s counter alone while a SharedArrayBuffer cell is seen by both', async () => {
    const report = await within(runMemoryDemo(), 20_000, 'the memory child and worker to answer');
    expect(report).toEqual({ childSees: 1, workerSees: 1, parentCounter: 0, sharedCell: 1 });
  });
});
