/**
 * The plain TypeScript files the lesson shows (src/plain/): each one's functions on their
 * own, and each file run the way the page tells a student to run it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until, within } from '@course/course-kit/testing/waits';
import { afterEach, describe, expect, test } from 'vitest';
import { loadPlayerWithAsync, loadPlayerWithGenerator, run } from '../src/plain/async-driver.ts';
import {
  greetAllInOrder,
  greetAllWithForEach,
  greetPlain,
  greetStep,
} from '../src/plain/colouring.ts';
import { Event } from '../src/plain/event.ts';
import { averager, countdown, fibonacci, take } from '../src/plain/generators.ts';
import { searchLines } from '../src/plain/grep-coroutine.ts';
import { AsyncQueue, runProducerConsumer } from '../src/plain/producer-consumer.ts';
import { FIB_WORKER, MAX_START_FAILURES, TinyPool } from '../src/plain/tiny-pool.ts';
import { parseAll } from '../src/plain/yield-star.ts';

/** One full turn of the event loop: every promise callback already due has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Tracks whether a promise has settled, without waiting for it. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('producer-consumer.ts', () => {
  test('two producers and three consumers move every item exactly once through a queue of 4', async () => {
    const { consumed, maxSeen } = await within(runProducerConsumer(2, 3, 200), 5_000, 'the run');
    expect([...consumed].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(maxSeen).toBeLessThanOrEqual(4);
  });

  test('put() waits while the queue is full and goes on once a get() makes room', async () => {
    const queue = new AsyncQueue<number>(2);
    await queue.put(1);
    await queue.put(2);
    const third = watch(queue.put(3));
    await settle();
    expect(third.settled).toBe(false); // backpressure: the producer is parked
    expect(await queue.get()).toBe(1);
    await within(
      until(() => third.settled, 1_000, 'put(3)'),
      2_000,
      'put(3) to finish',
    );
    expect([await queue.get(), await queue.get()]).toEqual([2, 3]);
  });

  test('get() on an empty queue waits for the next put(), which hands the item over', async () => {
    const queue = new AsyncQueue<string>(1);
    const got = watch(queue.get());
    await settle();
    expect(got.settled).toBe(false);
    await queue.put('e4');
    await settle();
    expect(got.value).toBe('e4');
  });

  test('a capacity below 1 is a RangeError', () => {
    expect(() => new AsyncQueue(0)).toThrow(RangeError);
  });

  test('no consumers is a RangeError, not a run that waits for ever on a full queue', async () => {
    await expect(runProducerConsumer(2, 0, 10)).rejects.toThrow(
      new RangeError('consumers must be a whole number ≥ 1, got 0'),
    );
    await expect(runProducerConsumer(2, 1.5, 10)).rejects.toThrow(RangeError);
  });
});

describe('tiny-pool.ts', () => {
  const pools: TinyPool[] = [];
  const open = (script: URL, size: number) => {
    const pool = new TinyPool(script, size);
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
  });

  /** A worker that doubles its input and exits with code 3 on 'exit', as a crash would. */
  const CRASHING_WORKER = new URL(
    `data:text/javascript,${encodeURIComponent(`
      import { parentPort } from 'node:worker_threads';
      parentPort.on('message', ({ id, input }) => {
        if (input === 'exit') process.exit(3);
        parentPort.postMessage({ id, value: input * 2 });
      });
      parentPort.postMessage({ ready: true });`)}`,
  );

  test('runs tasks on worker threads and gives each task its own answer', async () => {
    const pool = open(FIB_WORKER, 2);
    const answers = await within(
      Promise.all([20, 1, 25, 0, 10].map((n) => pool.run(n))),
      10_000,
      'five fib tasks',
    );
    expect(answers).toEqual([6765, 1, 75025, 0, 55]);
  });

  test('a task that throws fails alone and the pool keeps answering', async () => {
    const pool = open(FIB_WORKER, 1);
    await expect(pool.run(99)).rejects.toThrow('fib expects a whole number from 0 to 40, got 99');
    await expect(pool.run(-1)).rejects.toThrow(RangeError.name);
    expect(await within(pool.run(12), 10_000, 'fib(12)')).toBe(144);
  });

  test('a worker that dies fails only the task it was running, and a new worker takes its place', async () => {
    const pool = open(CRASHING_WORKER, 1);
    const queued = [pool.run('exit'), pool.run(21)];
    await expect(queued[0]).rejects.toThrow('worker exited with code 3 while running task 0');
    expect(await within(queued[1] as Promise<unknown>, 10_000, 'the task queued behind')).toBe(42);
    expect(pool.started).toBe(2);
  });

  test('a worker script that cannot load stops the restarts and fails the tasks with the cause', async () => {
    const pool = open(new URL('./no-such.worker.mjs', import.meta.url), 2);
    const tasks = [pool.run(1), pool.run(2)];
    for (const task of tasks) {
      const error = await within(
        task.catch((e: Error) => e),
        10_000,
        'the pool to give up',
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(
        `the worker script failed to start ${MAX_START_FAILURES} times in a row (${((error as Error).cause as Error).message})`,
      );
      expect(((error as Error).cause as Error).message).toMatch(
        /Cannot find module .*no-such\.worker\.mjs/,
      );
    }
    // Two first workers, then one replacement for each death until the third: no more.
    expect(pool.started).toBe(2 + MAX_START_FAILURES - 1);
    await expect(pool.run(3)).rejects.toThrow('failed to start');
  });

  test('terminate() fails the running and the queued tasks, ends the workers and refuses new tasks', async () => {
    const pool = open(FIB_WORKER, 1);
    expect(await within(pool.run(1), 10_000, 'a first task')).toBe(1); // the worker is ready
    const running = pool.run(35); // sent at once to the idle worker: task 1 is running
    const queued = pool.run(5); // no idle worker: task 2 waits in the queue
    const failures = Promise.all([
      expect(running).rejects.toThrow('the pool is terminated while running task 1'),
      expect(queued).rejects.toThrow('the pool is terminated'),
    ]);
    await pool.terminate();
    await failures;
    await expect(pool.run(1)).rejects.toThrow('the pool is terminated');
  });

  test('terminate() lets a worker that is still loading its script finish loading before ending it', async () => {
    // The worker's script stays in its top-level await until the test says "go", so terminate()
    // is called while the thread is certainly still evaluating it.
    const LOADING_WORKER = new URL(
      `data:text/javascript,${encodeURIComponent(`
        import { parentPort } from 'node:worker_threads';
        const channel = new BroadcastChannel('tiny-pool-loading');
        const go = new Promise((resolve) => { channel.onmessage = (event) => resolve(event.data); });
        channel.postMessage('loading');
        const loadedFlag = new Int32Array(await go);
        channel.close();
        Atomics.store(loadedFlag, 0, 1);
        parentPort.postMessage({ ready: true });`)}`,
    );
    const channel = new BroadcastChannel('tiny-pool-loading');
    try {
      const loading = new Promise((resolve) => {
        channel.onmessage = resolve;
      });
      const pool = open(LOADING_WORKER, 1);
      await within(loading, 10_000, 'the worker to start loading');
      const terminating = pool.terminate();
      const loadedFlag = new SharedArrayBuffer(4);
      channel.postMessage(loadedFlag);
      await within(terminating, 10_000, 'terminate()');
      // The script ran to its end: the thread was not ended in the middle of it.
      expect(Atomics.load(new Int32Array(loadedFlag), 0)).toBe(1);
    } finally {
      channel.close();
    }
  });
});

describe('generators.ts', () => {
  test('fibonacci() yields one value per next(), computed only when asked for', () => {
    const fib = fibonacci();
    expect([fib.next(), fib.next(), fib.next()]).toEqual([
      { value: 0, done: false },
      { value: 1, done: false },
      { value: 1, done: false },
    ]);
    expect(take(fibonacci(), 10)).toEqual([0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
  });

  test('for...of over the endless generator ends only through break, which finishes it', () => {
    const fib = fibonacci();
    expect(take(fib, 3)).toEqual([0, 1, 1]);
    expect(fib.next()).toEqual({ value: undefined, done: true });
  });

  test('next(value) sends a value in once primed; before that, the value is lost', () => {
    const avg = averager();
    avg.next();
    expect([10, 20, 30].map((n) => avg.next(n).value)).toEqual([10, 15, 20]);
    const unprimed = averager();
    expect(unprimed.next(10).value).toBeNaN(); // started the body; 10 went nowhere
    expect(unprimed.next(20).value).toBe(20);
  });

  test('return() ends a started generator and runs its finally; a fresh one runs nothing', () => {
    const log: string[] = [];
    const down = countdown(5, log);
    expect(down.next().value).toBe(5);
    expect(down.return()).toEqual({ value: undefined, done: true });
    expect(log).toEqual(['finally ran']);
    countdown(5, log).return();
    expect(log).toEqual(['finally ran']);
  });
});

describe('grep-coroutine.ts', () => {
  const lines = ['I love coroutine instead!', 'I love you', "Don't you love me?"];

  test('primed, it reports the matching line and its finally block runs on return()', () => {
    const printed: string[] = [];
    searchLines(lines, (text) => printed.push(text));
    expect(printed).toEqual([
      'searching for "coroutine"',
      'match: I love coroutine instead!',
      'closed',
    ]);
  });

  test('not primed, the first line only starts the body and is lost', () => {
    const printed: string[] = [];
    searchLines(lines, (text) => printed.push(text), false);
    expect(printed).toEqual(['searching for "coroutine"', 'closed']);
  });
});

describe('yield-star.ts', () => {
  const stream = '05hello02hi10coroutines00';
  const expected = ['hello', 'hi', 'coroutines', ''];

  test.each(Array.from({ length: stream.length + 1 }, (_, cut) => cut))(
    'gives the same messages with the stream cut at offset %i',
    (cut) => {
      expect(parseAll([stream.slice(0, cut), stream.slice(cut)])).toEqual(expected);
    },
  );

  test('gives the same messages one character at a time', () => {
    expect(parseAll([...stream])).toEqual(expected);
  });

  test('a length that is not two digits is a SyntaxError naming it', () => {
    expect(() => parseAll(['x5hello'])).toThrow('bad length "x5"');
  });
});

describe('async-driver.ts', () => {
  test('run() gives back each promise value at its yield and resolves with the return value', async () => {
    const result = await run(function* () {
      const a = (yield Promise.resolve(2)) as number;
      const b = (yield 3) as number; // a plain value, as `await 3` allows
      return a * b;
    });
    expect(result).toBe(6);
  });

  test('a rejection is thrown in at the yield, where try/catch can catch it', async () => {
    const result = await run(function* () {
      try {
        yield Promise.reject(new Error('lost connection'));
        return 'not reached';
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    });
    expect(result).toBe('caught lost connection');
  });

  test('an error the generator does not catch rejects the promise run() returned', async () => {
    await expect(
      run(function* () {
        yield Promise.reject(new TypeError('bad reply'));
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      run(function* () {
        yield JSON.parse('{'); // throws before the first yield is reached
      }),
    ).rejects.toThrow(SyntaxError);
  });

  test('like await, run() resumes later, never in the same turn', async () => {
    const order: string[] = [];
    const done = run(function* () {
      order.push('start');
      yield 1;
      order.push('resumed');
    });
    order.push('after run()');
    await done;
    expect(order).toEqual(['start', 'after run()', 'resumed']);
  });

  test('the generator version and the async version give the same answer', async () => {
    const [withGenerator, withAsync] = await within(
      Promise.all([loadPlayerWithGenerator(7), loadPlayerWithAsync(7)]),
      5_000,
      'both versions',
    );
    expect(withGenerator).toBe('player 7, score unknown (score server down)');
    expect(withAsync).toBe(withGenerator);
  });
});

describe('colouring.ts', () => {
  test('a generator pauses inside the helper it calls with yield*', () => {
    const step = greetStep(1);
    expect(step.next()).toEqual({ value: 'wait', done: false });
    expect(step.next()).toEqual({ value: 'hello bob', done: true });
  });

  test('a plain function calling a generator gets an unstarted generator, not the name', () => {
    expect(greetPlain(1)).toBe('hello [object Generator]');
  });

  test('forEach returns before its async callbacks are done; an async loop waits for each', async () => {
    const late: string[] = [];
    greetAllWithForEach([0, 1, 2], late);
    expect(late).toEqual([]);
    expect(await greetAllInOrder([0, 1, 2])).toEqual(['hello alice', 'hello bob', 'hello carol']);
    await until(() => late.length === 3, 2_000, 'the forEach callbacks');
    expect([...late].sort()).toEqual(['hello alice', 'hello bob', 'hello carol']);
  });
});

describe('event.ts', () => {
  test('set() wakes every waiter; later waiters pass at once; clear() makes them wait again', async () => {
    const event = new Event();
    const waiters = [watch(event.wait()), watch(event.wait())];
    await settle();
    expect(waiters.map((w) => w.settled)).toEqual([false, false]);
    event.set();
    await settle();
    expect(waiters.map((w) => w.settled)).toEqual([true, true]);
    await within(event.wait(), 1_000, 'a wait on a set event');
    event.clear();
    const after = watch(event.wait());
    await settle();
    expect(after.settled).toBe(false);
    event.set();
    await within(
      until(() => after.settled, 1_000, 'the wait after clear()'),
      2_000,
      'wake-up',
    );
  });
});

describe('each plain file, run as the page says', () => {
  const exec = promisify(execFile);
  test.each([
    ['producer-consumer.ts', 'consumed 20 items, each once; the queue never held more than 4'],
    [
      'tiny-pool.ts',
      'and the pool still answers: fib(20) = 6765\na missing worker script: gave up after 4 starts',
    ],
    ['generators.ts', 'averages: 10 15 20'],
    ['grep-coroutine.ts', 'match: I love coroutine instead!\nclosed\n-- not primed'],
    ['yield-star.ts', 'messages: hello, hi, coroutines'],
    ['async-driver.ts', 'async function:    player 7, score unknown (score server down)'],
    ['colouring.ts', 'forEach: 0 greetings when it returns'],
    ['event.ts', 'the match is ready\nalice starts\nbob starts\ncarol starts'],
  ])(
    'npx tsx chapters/3.3/src/plain/%s prints what its header promises',
    async (file, expected) => {
      const path = fileURLToPath(new URL(`../src/plain/${file}`, import.meta.url));
      const { stdout } = await exec(process.execPath, ['--import', 'tsx', path], {
        timeout: 20_000,
      });
      expect(stdout).toContain(expected);
    },
  );
});
