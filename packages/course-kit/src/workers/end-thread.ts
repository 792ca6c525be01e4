/**
 * Ending a worker thread without crashing the process. On Node 20, terminating a thread while
 * V8 still evaluates a module in it (its entry, a top-level await in it, or a dynamic import in
 * flight) can abort the whole process with "FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal"
 * (nodejs/node#53238). So a thread is terminated only once it has shown that it loaded — it
 * said so, or it exited — and one that never does is terminated after LOAD_GRACE_MS anyway.
 *
 *   const worker = startTsWorker(url);
 *   const loaded = firstMessageOrExit(worker);   // right away, before any message can arrive
 *   …
 *   await terminateWhenLoaded(worker, loaded);
 */
import type { Worker } from 'node:worker_threads';

/** Longest wait for a thread to finish loading before it is terminated anyway. */
export const LOAD_GRACE_MS = 5_000;

/**
 * Resolves at the worker's first message or at its exit. That is "loaded" for a worker whose
 * first message leaves once its module has run: a ready message posted last, or an answer.
 */
export function firstMessageOrExit(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.once('message', () => resolve());
    worker.once('exit', () => resolve());
  });
}

/** Terminates `worker` once `loaded` settles (or after `graceMs`); resolves once it is gone. */
export async function terminateWhenLoaded(
  worker: Worker,
  loaded: Promise<unknown>,
  graceMs = LOAD_GRACE_MS,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  try {
    await Promise.race([loaded.catch(() => {}), grace]);
  } finally {
    clearTimeout(timer);
  }
  await worker.terminate();
}
