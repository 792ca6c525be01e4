/**
 * Worker side of `callInWorker`: imports the named module, calls one export with the given
 * arguments and posts back { ok, value } or { ok: false, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';

interface CallRequest {
  module: string;
  exportName: string;
  args: unknown[];
}

const { module, exportName, args } = (workerData as { data: CallRequest }).data;
try {
  const loaded = (await import(module)) as Record<string, unknown>;
  const fn = loaded[exportName];
  if (typeof fn !== 'function')
    throw new Error(`${module} does not export a function "${exportName}"`);
  const value = await fn(...args);
  parentPort?.postMessage({ ok: true, value });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: (error as Error).message ?? String(error) });
}
