import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onceWithin } from '../src/waits.ts';

describe('onceWithin', () => {
  it("resolves with the event's arguments", async () => {
    const emitter = new EventEmitter();
    const waiting = onceWithin<[number, string]>(emitter, 'exit', 1_000, 'the exit');
    emitter.emit('exit', 0, 'done');
    expect(await waiting).toEqual([0, 'done']);
  });

  it('names what it waited for when time runs out, and leaves no listener behind', async () => {
    const emitter = new EventEmitter();
    await expect(onceWithin(emitter, 'exit', 20, 'the child to exit')).rejects.toThrow(
      'timed out after 20 ms waiting for the child to exit',
    );
    expect(emitter.listenerCount('exit')).toBe(0);
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it("rejects with the emitter's error", async () => {
    const emitter = new EventEmitter();
    const waiting = onceWithin(emitter, 'exit', 1_000, 'the exit');
    emitter.emit('error', new Error('spawn failed'));
    await expect(waiting).rejects.toThrow('spawn failed');
  });
});
