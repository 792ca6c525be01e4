/**
 * Worker side of `callInWorker`: imports the named module, calls one export with the given
 * arguments and posts back { ok, value } or { ok: false, message }. The call runs after this
 * module has finished evaluating, not in a top-level await: a thread stuck in the call (a
 * deadlock) is then no longer loading a module, and terminating it cannot crash the process.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface CallRequest {
  module: string;
  exportName: string;
  args: unknown[];
}

async function call({ module, exportName, args }: CallRequest): Promise<unknown> {
  const loaded = (await import(module)) as Record<string, unknown>;
  const fn = loaded[exportName];
  if (typeof fn !== 'function')
    throw new Error(`${module} does not export a function "${exportName}"`);
  return await fn(...args);
}

/** Posts the call's outcome; an answer that cannot be posted (a function, say) is a failure too. */
async function answer(request: CallRequest): Promise<void> {
  try {
    const value = await call(request);
    parentPort?.postMessage({ ok: true, value });
  } catch (error) {
    parentPort?.postMessage({ ok: false, message: (error as Error)?.message ?? String(error) });
  }
}

void answer((workerData as { data: CallRequest }).data);
