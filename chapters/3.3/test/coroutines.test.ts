/** Generators as producers and consumers, async generators, and the cooperative scheduler. */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  compareLazyAndEager,
  FIB_MODULUS,
  fibonacci,
  fibonacciArray,
  grep,
  grepLines,
  io,
  pause,
  primed,
  Scheduler,
  type SwitchEvent,
  sleep,
  splitLines,
  type Task,
  take,
  VirtualClock,
} from '../src/coroutines/index.ts';

describe('fibonacci', () => {
  test('the generator and the array agree on the first 100 numbers', () => {
    expect(take(fibonacci(), 10)).toEqual([0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
    expect(take(fibonacci(), 100)).toEqual(fibonacciArray(100));
    expect(Math.max(...take(fibonacci(), 1000))).toBeLessThan(FIB_MODULUS);
  });

  test('an endless generator is safe because values are computed only when asked for', () => {
    const gen = fibonacci();
    expect(gen.next().value).toBe(0);
    expect(gen.next().value).toBe(1);
    expect(take(gen, 3)).toEqual([1, 2, 3]);
    // take() left through `break`, which calls return(): the generator is finished.
    expect(gen.next().done).toBe(true);
  });

  test('lazy and eager sums agree; only the array grows with the count', () => {
    const [generator, array, loop] = compareLazyAndEager(300_000);
    expect(generator?.checksum).toBe(array?.checksum);
    expect(loop?.checksum).toBe(array?.checksum);
    // 300,000 doubles are 2.3 MiB; the generator keeps two numbers.
    expect(array?.peakHeapMiB).toBeGreaterThan(2);
  });
});

describe('the grep coroutine (the original chapter names it gerp)', () => {
  function collect() {
    const events: string[] = [];
    return {
      events,
      report: {
        started: (p: string) => events.push(`searching for ${p}`),
        match: (line: string) => events.push(`match: ${line}`),
        closed: (p: string) => events.push(`closed ${p}`),
      },
    };
  }

  test('primed, it receives each line through next(line) and reports matches', () => {
    const { events, report } = collect();
    const search = primed(grep('coroutine', report));
    search.next('I love you');
    search.next("Don't you love me?");
    search.next('I love coroutine instead!');
    expect(events).toEqual(['searching for coroutine', 'match: I love coroutine instead!']);
  });

  test('without priming, the first value sent is silently lost (Python raises TypeError)', () => {
    const { events, report } = collect();
    const search = grep('coroutine', report);
    search.next('coroutine #1 is lost'); // only runs the body up to the first yield
    search.next('coroutine #2 arrives');
    expect(events).toEqual(['searching for coroutine', 'match: coroutine #2 arrives']);
  });

  test('next() and next(undefined) prime alike: Python send(None) is next()', () => {
    const a = collect();
    const b = collect();
    const one = grep('x', a.report);
    const two = grep('x', b.report);
    one.next();
    two.next(undefined as unknown as string);
    one.next('x1');
    two.next('x1');
    expect(a.events).toEqual(b.events);
  });

  test('return() closes it and its finally block runs (Python close())', () => {
    const { events, report } = collect();
    const search = primed(grep('coroutine', report));
    expect(search.return()).toEqual({ done: true, value: undefined });
    expect(events.at(-1)).toBe('closed coroutine');
    expect(search.next('coroutine after close').done).toBe(true);
    expect(events).not.toContain('match: coroutine after close');
  });

  test('return() on a never-started coroutine skips its body, finally included', () => {
    const { events, report } = collect();
    grep('coroutine', report).return();
    expect(events).toEqual([]);
  });
});

describe('async generators', () => {
  const text = 'first line\nsecond coroutine line\r\nthird\nlast coroutine';

  async function linesOf(chunks: string[]): Promise<string[]> {
    const out: string[] = [];
    for await (const line of splitLines(chunks)) out.push(line);
    return out;
  }

  test('splitLines gives the same lines whether the text is cut anywhere or byte by byte', async () => {
    const whole = await linesOf([text]);
    expect(whole).toEqual(['first line', 'second coroutine line', 'third', 'last coroutine']);
    expect(await linesOf([...text])).toEqual(whole);
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await linesOf([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(text.length), { maxLength: 8 }), async (cuts) => {
        const sorted = [0, ...cuts.sort((a, b) => a - b), text.length];
        const chunks = sorted.slice(1).map((end, i) => text.slice(sorted[i], end));
        expect(await linesOf(chunks)).toEqual(whole);
      }),
    );
  });

  test('splitLines refuses a line longer than its limit instead of buffering forever', async () => {
    await expect(splitLines(['y'.repeat(50)], 10).next()).rejects.toThrow(
      'line longer than 10 characters without a newline',
    );
  });

  test('grepLines composes with for await', async () => {
    const found: string[] = [];
    for await (const line of grepLines('coroutine', splitLines([text]))) found.push(line);
    expect(found).toEqual(['second coroutine line', 'last coroutine']);
  });
});

describe('the cooperative scheduler', () => {
  test('runs ready tasks round-robin, one step each, at every pause', async () => {
    const order: string[] = [];
    function* worker(name: string): Task<void> {
      for (let i = 0; i < 3; i++) {
        order.push(`${name}${i}`);
        yield* pause();
      }
    }
    const scheduler = new Scheduler(new VirtualClock());
    void scheduler.spawn('a', worker('a'));
    void scheduler.spawn('b', worker('b'));
    await scheduler.run();
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  test('sleepers wake in deadline order, and virtual time ends at the longest sleep', async () => {
    const clock = new VirtualClock();
    const woke: string[] = [];
    function* sleeper(name: string, ms: number): Task<number> {
      yield* sleep(ms);
      woke.push(name);
      return clock.now();
    }
    const scheduler = new Scheduler(clock);
    const results = [
      scheduler.spawn('slow', sleeper('slow', 30)),
      scheduler.spawn('fast', sleeper('fast', 10)),
      scheduler.spawn('mid', sleeper('mid', 20)),
      scheduler.spawn('tie', sleeper('tie', 10)),
    ];
    await scheduler.run();
    expect(woke).toEqual(['fast', 'tie', 'mid', 'slow']);
    expect(await Promise.all(results)).toEqual([30, 10, 20, 10]);
  });

  test('an io trap resumes the task with the value, or throws the rejection into it', async () => {
    function* reader(): Task<string> {
      const value = yield* io(Promise.resolve('score 7'));
      try {
        yield* io(Promise.reject(new Error('connection reset')));
        return 'unreachable';
      } catch (error) {
        return `${value}; then ${(error as Error).message}`;
      }
    }
    const scheduler = new Scheduler(new VirtualClock());
    const result = scheduler.spawn('reader', reader());
    await scheduler.run();
    expect(await result).toBe('score 7; then connection reset');
  });

  test('a task that throws fails alone; the others run to the end', async () => {
    function* bad(): Task<never> {
      yield* pause();
      throw new Error('bad task');
    }
    function* good(): Task<string> {
      yield* sleep(5);
      yield* pause();
      return 'good';
    }
    const events: SwitchEvent[] = [];
    const scheduler = new Scheduler(new VirtualClock(), (e) => events.push(e));
    const failing = scheduler.spawn('bad', bad());
    const fine = scheduler.spawn('good', good());
    failing.catch(() => {});
    await scheduler.run();
    await expect(failing).rejects.toThrow('bad task');
    expect(await fine).toBe('good');
    expect(events.filter((e) => e.event === 'failed' || e.event === 'done')).toEqual([
      { at: 0, task: 'bad', event: 'failed' },
      { at: 5, task: 'good', event: 'done' },
    ]);
  });
});
