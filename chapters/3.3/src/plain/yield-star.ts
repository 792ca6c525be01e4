/**
 * 3.3.2 yield* — one generator hands control to another (Python's `yield from`).
 * Shows:  a parser for "<2-digit length><text>" messages built from a readExact() step;
 *         values sent with next(chunk) go straight to the inner generator, and its return
 *         value comes back out of yield*. Chunks may be cut anywhere, as a socket cuts them.
 * Run:    npx tsx chapters/3.3/src/plain/yield-star.ts
 * Expect: messages "hello", "hi", "coroutines" from chunks cut in odd places.
 */
import { pathToFileURL } from 'node:url';

// #region parser
/** Text received but not yet used, shared by the parser's steps. */
interface Input {
  pending: string;
}

/** Waits (yields) until `n` characters have arrived, then takes and returns them. */
function* readExact(input: Input, n: number): Generator<void, string, string> {
  while (input.pending.length < n) input.pending += yield;
  const taken = input.pending.slice(0, n);
  input.pending = input.pending.slice(n);
  return taken;
}

/** Reads messages such as "05hello" for ever; each complete one goes to `onMessage`. */
export function* parseMessages(onMessage: (text: string) => void): Generator<void, never, string> {
  const input: Input = { pending: '' };
  for (;;) {
    const header = yield* readExact(input, 2); // pauses inside readExact, as often as needed
    if (!/^\d\d$/.test(header)) throw new SyntaxError(`bad length "${header}"`);
    onMessage(yield* readExact(input, Number(header)));
  }
}
// #endregion parser

/** Feeds `chunks` to a fresh parser and collects the messages. */
export function parseAll(chunks: string[]): string[] {
  const messages: string[] = [];
  const parser = parseMessages((text) => messages.push(text));
  parser.next(); // prime: run to the first yield
  for (const chunk of chunks) parser.next(chunk);
  return messages;
}

function main(): void {
  const chunks = ['05he', 'llo02', 'hi1', '0corou', 'tines'];
  console.log(`chunks:   ${chunks.map((c) => JSON.stringify(c)).join(' ')}`);
  console.log(`messages: ${parseAll(chunks).join(', ')}`);
  const error = (() => {
    try {
      parseAll(['x5hello']);
    } catch (thrown) {
      return String(thrown);
    }
  })();
  console.log(`bad input: ${error}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
