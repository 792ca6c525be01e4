import { describe, expect, it } from 'vitest';
import { type GrepReport, grep, grepLines, primed } from './06-grep-coroutine.ts';

/** A report that remembers what grep told it. */
function recordingReport(): GrepReport & { matches: string[]; closes: number } {
  const report = {
    matches: [] as string[],
    closes: 0,
    match(line: string) {
      report.matches.push(line);
    },
    closed() {
      report.closes++;
    },
  };
  return report;
}

const ORIGINAL_LINES = ['I love coroutine instead!', 'I love you', "Don't you love me?"];

describe('3.3/06 the grep coroutine', () => {
  it('primed() runs a coroutine to its first yield and hands back the same generator', () => {
    const log: string[] = [];
    function* listener(): Generator<void, void, string> {
      log.push('started');
      for (;;) log.push(`received ${yield}`);
    }
    const coroutine = listener();
    expect(log, 'a generator runs nothing before its first next()').toEqual([]);
    expect(primed(coroutine), 'primed() returns the generator it was given').toBe(coroutine);
    expect(log, 'after primed(): the body ran up to its first yield').toEqual(['started']);
    coroutine.next('hello');
    expect(log, 'the first line sent after priming arrives').toEqual(['started', 'received hello']);
  });

  it('reports each line that contains the pattern, in the order sent, and no other', () => {
    const report = recordingReport();
    const search = grep('coroutine', report);
    search.next(); // primed by hand, so this test needs only grep
    const lines = [...ORIGINAL_LINES, 'Coroutine with a capital C', 'coroutines, plural', ''];
    for (const line of lines) {
      expect(search.next(line), `next(${JSON.stringify(line)}) leaves grep waiting`).toEqual({
        value: undefined,
        done: false,
      });
    }
    expect(report.matches).toEqual(['I love coroutine instead!', 'coroutines, plural']);
    expect(report.closes, 'closed before return() was called').toBe(0);
  });

  it('closes on return(): its finally reports it once, and it takes no more lines', () => {
    const report = recordingReport();
    const search = grep('love', report);
    search.next();
    search.next('I love you');
    expect(search.return(), 'return() finishes the generator').toEqual({
      value: undefined,
      done: true,
    });
    expect(report.closes, 'closed() calls after return()').toBe(1);
    expect(search.next('love, after closing'), 'next() on a closed coroutine').toEqual({
      value: undefined,
      done: true,
    });
    search.return();
    expect(report.matches, 'a closed coroutine matches nothing').toEqual(['I love you']);
    expect(report.closes, 'closed() calls after a second return()').toBe(1);
  });

  it('runs its finally too when an error is thrown in with throw(), and lets the error out', () => {
    const report = recordingReport();
    const search = grep('x', report);
    search.next();
    expect(() => search.throw(new Error('reader failed'))).toThrow('reader failed');
    expect(report.closes, 'closed() calls after throw()').toBe(1);
  });

  it("grepLines primes, sends and closes: the original chapter's lines give one match", () => {
    expect(grepLines('coroutine', ORIGINAL_LINES)).toEqual(['I love coroutine instead!']);
    expect(grepLines('love', ORIGINAL_LINES), 'the first line is kept (priming)').toEqual(
      ORIGINAL_LINES,
    );
    expect(grepLines('anything', [])).toEqual([]);
  });
});
