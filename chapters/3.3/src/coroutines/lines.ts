/**
 * Async generators: the pull-based version of the grep pipeline. Chunks arrive the way a
 * socket delivers them — cut anywhere — and `splitLines` turns them into whole lines.
 */

/** Yields complete lines from arbitrarily cut chunks; a last unterminated line is yielded too. */
export async function* splitLines(
  chunks: AsyncIterable<string> | Iterable<string>,
  maxLineLength = 64 * 1024,
): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      yield pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    // A limit before buffering more: a peer that never sends '\n' must not grow memory forever.
    if (pending.length > maxLineLength) {
      throw new RangeError(`line longer than ${maxLineLength} characters without a newline`);
    }
  }
  if (pending.length > 0) yield pending;
}

/** The async counterpart of grep: passes on the lines that contain `pattern`. */
export async function* grepLines(
  pattern: string,
  lines: AsyncIterable<string>,
): AsyncGenerator<string> {
  for await (const line of lines) if (line.includes(pattern)) yield line;
}
