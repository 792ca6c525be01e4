import { describe, expect, it } from 'vitest';
import { within } from '../src/testing/waits.ts';
import {
  describeThrown,
  startWorker,
  toRemoteError,
  type WorkerEvents,
  WorkerExitedError,
  type WorkerKind,
  type WorkerLink,
} from '../src/workers/index.ts';

const FIXTURE = new URL('./fixtures-link.ts', import.meta.url);

interface Exit {
  code: number | null;
  signal: string | null;
  error?: unknown;
}

/** Starts the fixture and records what the link reports, as promises a test can wait on. */
function startFixture(kind: WorkerKind, onStderr?: (text: string) => void) {
  const messages: unknown[] = [];
  const exits: Exit[] = [];
  let markReady: () => void = () => {};
  let markExited: (exit: Exit) => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const exited = new Promise<Exit>((resolve) => (markExited = resolve));
  let nextMessage: (message: unknown) => void = () => {};
  const events: WorkerEvents<unknown> = {
    ready: () => markReady(),
    message: (message) => {
      messages.push(message);
      nextMessage(message);
    },
    exit: (code, signal, error) => {
      exits.push({ code, signal, error });
      markExited({ code, signal, error });
    },
  };
  const options = { data: { seed: 7 }, ...(onStderr ? { onStderr } : {}) };
  const link: WorkerLink<unknown> = startWorker(kind, FIXTURE, events, options);
  const ask = (message: unknown, what: string) => {
    const answer = new Promise<unknown>((resolve) => (nextMessage = resolve));
    link.send(message);
    return within(answer, 10_000, `the ${kind} to answer ${what}`);
  };
  return { link, ready, exited, exits, messages, ask };
}

describe.each(['thread', 'process'] as const)('startWorker: a %s', (kind) => {
  it('says ready once, then answers with the data it was started with', async () => {
    const { link, ready, exited, ask, messages } = startFixture(kind);
    try {
      expect(link.kind).toBe(kind);
      await within(ready, 15_000, `the ${kind} to say ready`);
      expect(link.started).toBe(true);
      expect(await ask('hello', 'hello')).toEqual({ data: { seed: 7 }, message: 'hello' });
      expect(messages).toHaveLength(1); // READY is the link's own: never passed on as a message
    } finally {
      link.kill();
      await within(exited, 10_000, `the ${kind} to exit`);
    }
  });

  it('refuses what structured clone cannot carry, synchronously, and stays usable', async () => {
    const { link, ready, exited, ask } = startFixture(kind);
    try {
      await within(ready, 15_000, `the ${kind} to say ready`);
      expect(() => link.send({ move: () => 'a function' })).toThrow(/could not be cloned/);
      const rich = { big: 10n, map: new Map([['k', new Date(0)]]) };
      expect(await ask(rich, 'a bigint and a Map')).toEqual({ data: { seed: 7 }, message: rich });
    } finally {
      link.kill();
      await within(exited, 10_000, `the ${kind} to exit`);
    }
  });

  it('reports an exit exactly once, with its code, and is dead afterwards', async () => {
    const { link, ready, exited, exits } = startFixture(kind);
    await within(ready, 15_000, `the ${kind} to say ready`);
    link.send('exit');
    expect(await within(exited, 10_000, `the ${kind} to exit`)).toEqual({
      code: 5,
      signal: null,
      error: undefined,
    });
    expect(link.exited).toBe(true);
    link.kill(); // a no-op now
    link.send('after the end'); // dropped: the exit has been reported
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exits).toHaveLength(1);
  });
});

describe('startWorker: how a worker died', () => {
  it("hands over a thread's uncaught exception with its exit", async () => {
    const { link, ready, exited } = startFixture('thread');
    await within(ready, 15_000, 'the thread to say ready');
    link.send('throw');
    const { code, error } = await within(exited, 10_000, 'the thread to die of its exception');
    expect(code).toBe(1);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('boom');
  });

  it("leaves a child's uncaught exception on its stderr, and a kill names the signal", async () => {
    let stderr = '';
    const child = startFixture('process', (text) => (stderr += text));
    await within(child.ready, 15_000, 'the child to say ready');
    child.link.send('throw');
    const crash = await within(child.exited, 10_000, 'the child to die of its exception');
    expect(crash).toEqual({ code: 1, signal: null, error: undefined });
    expect(stderr).toContain('TypeError: boom');

    const killed = startFixture('process');
    await within(killed.ready, 15_000, 'the second child to say ready');
    killed.link.kill();
    const exit = await within(killed.exited, 10_000, 'the killed child to exit');
    expect(exit).toEqual({ code: null, signal: 'SIGKILL', error: undefined });
  });
});

describe('WorkerExitedError', () => {
  it.each([
    [
      'echo process',
      null,
      'SIGKILL',
      {},
      'echo process exited with signal SIGKILL before answering',
    ],
    ['quitter', 3, null, {}, 'quitter exited with code 3 before answering'],
    [
      'task 3 (square): its worker',
      7,
      null,
      { after: 'the pool replaced the worker' },
      'task 3 (square): its worker exited with code 7 before answering (the pool replaced the worker)',
    ],
    [
      'task 3 (square): its worker',
      1,
      null,
      { cause: new TypeError('boom'), after: 'the pool replaced the worker' },
      'task 3 (square): its worker exited with code 1: TypeError: boom (before answering; the pool replaced the worker)',
    ],
    [
      'map loader',
      1,
      null,
      { cause: 'a string' },
      'map loader exited with code 1: NonError: a string (before answering)',
    ],
  ] as const)('%s, code %s, signal %s, %o reads "%s"', (who, code, signal, options, message) => {
    const error = new WorkerExitedError(who, code, signal, options);
    expect(error.message).toBe(message);
    expect([error.name, error.exitCode, error.signal]).toEqual(['WorkerExitedError', code, signal]);
    expect('cause' in error).toBe('cause' in options);
  });
});

describe('describing what a worker threw', () => {
  const unreadable = new Error('never seen');
  Object.defineProperty(unreadable, 'message', {
    get() {
      throw new Error('the message getter threw');
    },
  });

  it.each([
    ['an Error', new RangeError('bad move 42'), 'RangeError', 'bad move 42'],
    ['a string', 'plain', 'NonError', 'plain'],
    ['a value String() cannot convert', Object.create(null), 'NonError', '[object Object]'],
    [
      'an Error whose message getter throws',
      unreadable,
      'NonError',
      'an Error whose fields cannot be read',
    ],
  ])('%s becomes plain strings, without throwing', (_what, thrown, name, message) => {
    const remote = toRemoteError(thrown);
    expect([remote.name, remote.message]).toEqual([name, message]);
    expect(structuredClone(remote)).toEqual(remote);
  });

  it('describeThrown gives a message, or a type tag when there is none to read', () => {
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown(42)).toBe('42');
    expect(describeThrown(Object.create(null))).toBe('[object Object]');
    expect(describeThrown(unreadable)).toBe('[object Error]');
  });
});
