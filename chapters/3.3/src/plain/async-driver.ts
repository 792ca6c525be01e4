/**
 * Generators → async/await — an async function is a generator plus a driver.
 * Shows:  run(genFn) resumes the generator with each yielded promise's value and throws each
 *         rejection back in at the yield, so try/catch works just as it does around await.
 * Run:    npx tsx chapters/3.3/src/plain/async-driver.ts
 * Expect: the generator version and the async version print the same two lines.
 */
import { pathToFileURL } from 'node:url';

// #region run
/** Drives a generator that yields promises, the way the engine drives an async function. */
export function run<R>(genFn: () => Generator<unknown, R, unknown>): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const gen = genFn();
    const step = (resume: () => IteratorResult<unknown, R>): void => {
      let result: IteratorResult<unknown, R>;
      try {
        result = resume(); // runs the generator up to its next yield (or its end)
      } catch (error) {
        reject(error); // the generator threw and did not catch it
        return;
      }
      if (result.done) resolve(result.value);
      else
        Promise.resolve(result.value).then(
          (value) => step(() => gen.next(value)), // `await p` gives p's value…
          (error: unknown) => step(() => gen.throw(error)), // …or throws p's reason
        );
    };
    step(() => gen.next());
  });
}
// #endregion run

// #region compare
const delay = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const fail = (ms: number, message: string) =>
  new Promise<never>((_, reject) => setTimeout(() => reject(new Error(message)), ms));

/** With a generator and run(): `yield` stands where `await` will stand. */
export function loadPlayerWithGenerator(id: number): Promise<string> {
  return run(function* () {
    const name = (yield delay(5, `player ${id}`)) as string; // yield cannot know the type
    try {
      yield fail(5, 'score server down');
    } catch (error) {
      return `${name}, score unknown (${(error as Error).message})`;
    }
    return `${name}, scored`;
  });
}

/** The same with async/await: the engine is the driver. */
export async function loadPlayerWithAsync(id: number): Promise<string> {
  const name = await delay(5, `player ${id}`);
  try {
    await fail(5, 'score server down');
  } catch (error) {
    return `${name}, score unknown (${(error as Error).message})`;
  }
  return `${name}, scored`;
}
// #endregion compare

async function main(): Promise<void> {
  console.log(`generator + run(): ${await loadPlayerWithGenerator(7)}`);
  console.log(`async function:    ${await loadPlayerWithAsync(7)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
