/**
 * Start TypeScript modules as worker threads or child processes.
 *
 * Why: Node 20 refuses `new Worker('./x.ts')`, even under tsx or vitest. Both helpers
 * start a tiny `.mjs` entry that imports the module through tsx, so samples, tests and
 * benchmarks can all name `*.worker.ts` / `*.child.ts` files directly.
 */
import { type ChildProcess, type ForkOptions, fork } from 'node:child_process';
import { Worker, type WorkerOptions } from 'node:worker_threads';

const TS_ENTRY = new URL('./ts-entry.mjs', import.meta.url);

/** Starts `moduleUrl` (a `.ts` file URL) in a worker thread; `workerData.data` carries `data`. */
export function startTsWorker(
  moduleUrl: URL | string,
  data?: unknown,
  options: Omit<WorkerOptions, 'workerData'> = {},
): Worker {
  return new Worker(TS_ENTRY, { ...options, workerData: { tsModule: String(moduleUrl), data } });
}

/** Forks `moduleUrl` (a `.ts` file URL) as a child process with an IPC channel. */
export function forkTs(
  moduleUrl: URL | string,
  args: string[] = [],
  options: ForkOptions = {},
): ChildProcess {
  return fork(TS_ENTRY, args, {
    ...options,
    env: { ...process.env, ...options.env, COURSE_TS_MODULE: String(moduleUrl) },
  });
}
