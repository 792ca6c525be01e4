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
  // TODO: return a new Promise. Inside it, create the generator, then write one `step`
  // function that resumes it (gen.next(value) or gen.throw(reason)) inside try/catch:
  //   - it threw      → reject with what it threw;
  //   - done          → resolve with result.value;
  //   - it yielded    → Promise.resolve(result.value).then(step with next, step with throw).
  // Start with a first step that calls gen.next() — synchronously, before run returns.
  return Promise.reject(
    new Error(`TODO: drive ${genFn.name || 'the generator'}(${args.length} args)`),
  );
}
