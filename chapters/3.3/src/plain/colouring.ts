/**
 * Stackless coroutines and "function colouring" — why async spreads up the call stack.
 * Shows:  a JavaScript coroutine (generator or async function) can pause only at its own
 *         yield or await, so every function between the caller and the wait must be a
 *         coroutine too; a plain function in between (forEach here) cannot wait.
 * Run:    npx tsx chapters/3.3/src/plain/colouring.ts
 * Expect: "forEach: 0 greetings when it returns", then three greetings from the async loop.
 */
import { pathToFileURL } from 'node:url';

const NAMES = ['alice', 'bob', 'carol'];

// #region generators
/** The bottom of the stack: its yield is the only place this coroutine can pause. */
function* readNameStep(id: number): Generator<'wait', string, void> {
  yield 'wait'; // a driver resumes us when the data is there
  return NAMES[id] ?? 'nobody';
}

/** To pause inside readNameStep, the caller must be a generator too, and use yield*. */
export function* greetStep(id: number): Generator<'wait', string, void> {
  return `hello ${yield* readNameStep(id)}`;
}

/** A plain function can only create the generator object; none of its body runs. */
export function greetPlain(id: number): string {
  return `hello ${String(readNameStep(id))}`; // "hello [object Generator]"
}
// #endregion generators

// #region async
/** The same with async functions: a timer stands in for a database or a socket. */
async function readName(id: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return NAMES[id] ?? 'nobody';
}

/** No waiting of its own, but it calls something that waits, so it is async as well. */
async function greet(id: number): Promise<string> {
  return `hello ${await readName(id)}`;
}

/** forEach is a plain function: it starts each async callback and does not wait for it. */
export function greetAllWithForEach(ids: number[], greetings: string[]): void {
  ids.forEach(async (id) => {
    greetings.push(await greet(id));
  });
}

/** A caller that waits has to be async itself: the colour climbs one more level. */
export async function greetAllInOrder(ids: number[]): Promise<string[]> {
  const greetings: string[] = [];
  for (const id of ids) greetings.push(await greet(id));
  return greetings;
}
// #endregion async

async function main(): Promise<void> {
  const step = greetStep(1);
  console.log(`generator: first step yields "${step.next().value}", then "${step.next().value}"`);
  console.log(`plain function calling a generator: "${greetPlain(1)}"`);

  const late: string[] = [];
  greetAllWithForEach([0, 1, 2], late);
  console.log(`forEach: ${late.length} greetings when it returns`);
  console.log(`async loop: ${(await greetAllInOrder([0, 1, 2])).join(', ')}`);
  console.log(`(and the forEach callbacks finished later: ${late.length} greetings)`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
