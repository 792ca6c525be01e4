/** Runs pool workers as worker threads (`node:worker_threads`). */
import { startTsWorker } from '@course/course-kit';
import type { FromWorker } from './messages.ts';
import type { Runtime } from './runtime.ts';

const ENTRY = new URL('./thread.worker.ts', import.meta.url);
/** Longest wait for a starting thread to finish loading before it is terminated anyway. */
const START_GRACE_MS = 2_000;

export const threadRuntime: Runtime = {
  kind: 'thread',
  start(events) {
    // One shared cell: the id of the task the worker is running, readable after it dies.
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const worker = startTsWorker(ENTRY, { progress: progress.buffer });
    let ready = false;
    let killWhenReady: NodeJS.Timeout | undefined;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') ready = true;
      if (killWhenReady !== undefined) {
        // The pool is done with this thread: it only waited to finish loading.
        clearTimeout(killWhenReady);
        void worker.terminate();
        return;
      }
      events.message(message);
    });
    // An uncaught exception in the thread emits 'error' and then 'exit' (code 1); the pool
    // acts on 'exit' alone, so 'error' only needs a listener to keep the parent alive.
    worker.on('error', () => {});
    worker.on('exit', (code) => {
      clearTimeout(killWhenReady);
      events.exit(code, null);
    });
    return {
      id: worker.threadId,
      send: (message) => worker.postMessage(message),
      kill: () => {
        if (ready) {
          void worker.terminate();
          return;
        }
        // Terminating a thread while it still evaluates its modules can crash V8 itself
        // (nodejs/node#53238, seen once in CI here): a starting thread is ended once loaded.
        killWhenReady ??= setTimeout(() => void worker.terminate(), START_GRACE_MS);
      },
      runningTaskId: () => Atomics.load(progress, 0),
    };
  },
};
