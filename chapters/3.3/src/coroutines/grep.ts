/**
 * The original chapter's `gerp` coroutine, spelled `grep`: a generator that *consumes* values. Each
 * `next(line)` resumes it at `yield` with `line` as the yield expression's value.
 *
 *   const search = primed(grep('coroutine', report));   // runs to the first yield
 *   search.next('I love coroutine instead!');            // Python: search.send(...)
 *   search.return();                                      // Python: search.close()
 */

export type Consumer<T> = Generator<void, void, T>;

export interface GrepReport {
  started?(pattern: string): void;
  match(line: string): void;
  closed?(pattern: string): void;
}

export function* grep(pattern: string, report: GrepReport): Consumer<string> {
  report.started?.(pattern);
  try {
    while (true) {
      const line = yield;
      if (line.includes(pattern)) report.match(line);
    }
  } finally {
    // Runs on return() (Python's close()), and when an error is thrown in with throw().
    report.closed?.(pattern);
  }
}

/**
 * Runs a fresh coroutine up to its first `yield`, so it can receive a value. Without this,
 * the first `next(value)` only starts the body and the value is lost: JavaScript drops it
 * silently where Python raises "can't send non-None value to a just-started generator".
 */
export function primed<G extends Generator<unknown, unknown, never>>(coroutine: G): G {
  (coroutine.next as () => unknown)();
  return coroutine;
}
