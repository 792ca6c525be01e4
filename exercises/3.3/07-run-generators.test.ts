import { describe, expect, it } from 'vitest';
import { run } from './07-run-generators.ts';

/** A promise that resolves with `value` after `ms`, and notes when it does. */
function later<T>(ms: number, value: T, log: string[]): Promise<T> {
  return new Promise((resolve) =>
    setTimeout(() => {
      log.push(`resolved ${String(value)}`);
      resolve(value);
    }, ms),
  );
}

describe('3.3/07 run(): async/await from generators', () => {
  it('runs the generator up to its first yield at once, as an async function runs to its first await', async () => {
    const log: string[] = [];
    const done = run(function* () {
      log.push('before the yield');
      yield Promise.resolve();
      log.push('after the yield');
    });
    expect(log, 'right after run() returned').toEqual(['before the yield']);
    await done;
    expect(log, 'once run() resolved').toEqual(['before the yield', 'after the yield']);
  });

  it("resumes with each promise's value, one after another, and resolves with the return value", async () => {
    const log: string[] = [];
    const sum = await run(
      function* (a: number, b: number) {
        log.push('start');
        const first = (yield later(20, a, log)) as number;
        log.push(`got ${first}`);
        // Created only now, so it resolves after the first although it is quicker.
        const second = (yield later(1, b, log)) as number;
        log.push(`got ${second}`);
        return first + second;
      },
      2,
      3,
    );
    expect(log).toEqual(['start', 'resolved 2', 'got 2', 'resolved 3', 'got 3']);
    expect(sum, 'what run() resolved with').toBe(5);
  });

  it("throws a rejection in at the yield, where the generator's try/catch catches it", async () => {
    const outcome = await run(function* () {
      try {
        yield Promise.reject(new Error('score server down'));
        return 'the rejection was not thrown in';
      } catch (error) {
        const next = yield Promise.resolve('recovered');
        return `caught "${(error as Error).message}", then ${String(next)}`;
      }
    });
    expect(outcome).toBe('caught "score server down", then recovered');
  });

  it('rejects with what the generator does not catch, after its finally, and never throws itself', async () => {
    const log: string[] = [];
    const uncaught = run(function* () {
      try {
        yield Promise.reject(new Error('lost connection'));
      } finally {
        log.push('finally ran');
      }
    });
    await expect(uncaught, 'an uncaught rejection').rejects.toThrow('lost connection');
    expect(log).toEqual(['finally ran']);

    const thrown = run(function* () {
      yield 1;
      throw new RangeError('bad move');
    });
    await expect(thrown, 'an error the generator throws').rejects.toThrow(RangeError);

    let immediate: Promise<unknown> | undefined;
    expect(() => {
      // biome-ignore lint/correctness/useYield: the point is a generator that fails before any yield
      immediate = run(function* () {
        throw new Error('failed before any yield');
      });
    }, 'run() itself must not throw: it returns a rejected promise').not.toThrow();
    await expect(immediate).rejects.toThrow('failed before any yield');
  });

  it('gives a yielded non-promise back as it is, a turn later (as await 5 does), and awaits a thenable', async () => {
    const log: string[] = [];
    const done = run(function* () {
      const five = yield 5;
      log.push(`got ${String(five)}`);
      // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose; await accepts one too
      const thenable = { then: (resolve: (value: string) => void) => resolve('from a thenable') };
      return yield thenable;
    });
    expect(log, 'resumed before run() returned: await never resumes synchronously').toEqual([]);
    expect(await done).toBe('from a thenable');
    expect(log).toEqual(['got 5']);
  });
});
