/**
 * 3.3/07 — async/await rebuilt from generators: a run() driver.
 *
 * Before async functions existed, libraries (co in JavaScript, asyncio's @coroutine in
 * Python) let you write `yield promise` where we now write `await promise`, and a driver did
 * the rest. run(genFn, ...args) calls genFn(...args) and runs the generator up to its first
 * `yield` at once, as an async function runs up to its first `await`. Each time the
 * generator yields a promise, run waits for it: a value goes back in with gen.next(value); a
 * rejection is thrown in at the `yield` with gen.throw(reason), so a try/catch around it
 * catches it. A yielded non-promise comes back as it is, one turn later, as `await 5` gives 5.
 * run's promise resolves with what the generator returns and rejects with what it throws.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.3/07)
 */

export function run<R, A extends unknown[]>(
  genFn: (...args: A) => Generator<unknown, R, unknown>,
  ...args: A
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    const gen = genFn(...args);
    /** Resumes the generator one step: with a value, or by throwing an error in. */
    const step = (resume: () => IteratorResult<unknown, R>): void => {
      let result: IteratorResult<unknown, R>;
      try {
        result = resume(); // runs the generator up to its next yield, or its end
      } catch (error) {
        reject(error); // the generator threw and did not catch it
        return;
      }
      if (result.done) {
        resolve(result.value);
        return;
      }
      // Promise.resolve takes a promise, a thenable or a plain value alike; a plain value
      // still comes back a turn later, as it does after `await`.
      Promise.resolve(result.value).then(
        (value) => step(() => gen.next(value)),
        (reason: unknown) => step(() => gen.throw(reason)),
      );
    };
    step(() => gen.next());
  });
}
