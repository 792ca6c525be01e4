/**
 * A task names a module and one of its exports, the way Python's pickle sends a function
 * by reference. The type parameters remember the function's signature, so `pool.apply`
 * checks arguments and result types at compile time.
 */

// biome-ignore lint/suspicious/noExplicitAny: the widest function type, only used as a bound
type AnyFunction = (...args: any[]) => unknown;

export interface TaskRef<A extends unknown[] = unknown[], R = unknown> {
  readonly module: string;
  readonly exportName: string;
  /** Compile-time only: never set. */
  readonly signature?: (...args: A) => R;
}

/**
 * Names `exportName` in `module` as a task. Pass the export's type to get checked calls:
 * `taskRef<typeof import('./tasks.ts').fib>(new URL('./tasks.ts', import.meta.url), 'fib')`.
 */
export function taskRef<F extends AnyFunction>(
  module: URL | string,
  exportName: string,
): TaskRef<Parameters<F>, Awaited<ReturnType<F>>> {
  const url = String(module);
  if (!url.startsWith('file:')) {
    throw new TypeError(
      `task module must be a file: URL (new URL('./x.ts', import.meta.url)), got "${url}"`,
    );
  }
  return { module: url, exportName };
}
