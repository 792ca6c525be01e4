/**
 * 3.3/06 — The grep coroutine: a generator that consumes lines.
 *
 * The original chapter's grep is a coroutine the caller *sends* values to. Prime it with
 * next(), which runs its body up to the first `yield`; from then on every next(line) resumes
 * it with `line` as the value of that `yield`, and it reports the lines that contain the
 * pattern. return() closes it (Python's close()): the generator finishes at the `yield`
 * where it waits, its `finally` block runs, and it reports that it closed.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/06)
 */

/** What a grep coroutine tells the world. */
export interface GrepReport {
  /** A line that contains the pattern, as it was sent. */
  match(line: string): void;
  /** The coroutine was closed; called exactly once, from its `finally`. */
  closed(): void;
}

/** A coroutine that receives lines: next(line) sends one, return() closes it. */
export type LineConsumer = Generator<void, void, string>;

export function* grep(pattern: string, report: GrepReport): LineConsumer {
  try {
    for (;;) {
      const line = yield; // paused here until someone calls next(line)
      if (line.includes(pattern)) report.match(line);
    }
  } finally {
    report.closed(); // runs on return(), and on throw() too
  }
}

/**
 * Runs a fresh coroutine to its first `yield` and returns it, ready to receive. Unprimed, the
 * first next(value) only starts the body and the value is lost: JavaScript drops it silently
 * where Python raises "can't send non-None value to a just-started generator".
 */
export function primed<G extends Generator<unknown, unknown, never>>(coroutine: G): G {
  (coroutine.next as () => unknown)();
  return coroutine;
}

/** Greps `lines` with one coroutine — prime, send each line, close — and returns the matches. */
export function grepLines(pattern: string, lines: Iterable<string>): string[] {
  const matches: string[] = [];
  const search = primed(grep(pattern, { match: (line) => matches.push(line), closed() {} }));
  for (const line of lines) search.next(line);
  search.return();
  return matches;
}
