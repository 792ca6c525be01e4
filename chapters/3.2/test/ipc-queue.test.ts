import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { QueueClosedError } from '../src/errors.ts';
import { IpcQueue } from '../src/ipc-queue.ts';

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
});
