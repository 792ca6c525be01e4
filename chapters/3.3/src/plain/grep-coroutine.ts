/**
 * 3.3.2 The grep coroutine — a generator that consumes the values sent to it.
 * Shows:  prime it with next() (it runs to its first yield), send lines with next(line),
 *         close it with return() (its finally block runs); unprimed, the first line is lost.
 * Run:    npx tsx chapters/3.3/src/plain/grep-coroutine.ts
 * Expect: one match, "I love coroutine instead!", then "closed"; the unprimed run misses it.
 */
import { pathToFileURL } from 'node:url';

// #region grep
export function* grep(
  pattern: string,
  print: (text: string) => void,
): Generator<void, void, string> {
  print(`searching for "${pattern}"`);
  try {
    for (;;) {
      const line = yield; // paused here until someone calls next(line)
      if (line.includes(pattern)) print(`match: ${line}`);
    }
  } finally {
    print('closed'); // runs on return(), Python's close()
  }
}
// #endregion grep

// #region use
export function searchLines(lines: string[], print: (text: string) => void, prime = true): void {
  const search = grep('coroutine', print);
  if (prime) search.next(); // run to the first yield; Python: next(search)
  for (const line of lines) search.next(line); // Python: search.send(line)
  search.return(); // Python: search.close()
}
// #endregion use

function main(): void {
  const lines = ['I love coroutine instead!', 'I love you', "Don't you love me?"];
  console.log('-- primed with next():');
  searchLines(lines, console.log);
  console.log('-- not primed: the first next(line) only starts the body, and that line is lost');
  searchLines(lines, console.log, false);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
