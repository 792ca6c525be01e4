/** Runs pool workers as worker threads (`node:worker_threads`). */
import { startTsWorker } from '@course/course-kit';
import type { FromWorker } from './messages.ts';
import type { Runtime } from './runtime.ts';

const ENTRY = new URL('./thread.worker.ts', import.meta.url);

export const threadRuntime: Runtime = {
  kind: 'thread',
  start(events) {
    // One shared cell: the id of the task the worker is running, readable after it dies.
    const progress = new Int32Array(new SharedArrayBuffer(4));
    const worker = startTsWorker(ENTRY, { progress: progress.buffer });
    worker.on('message', (message: FromWorker) => events.message(message));
    // An uncaught exception in the thread emits 'error' and then 'exit' (code 1); the pool
    // acts on 'exit' alone, so 'error' only needs a listener to keep the parent alive.
    worker.on('error', () => {});
    worker.on('exit', (code) => events.exit(code, null));
    return {
      id: worker.threadId,
      send: (message) => worker.postMessage(message),
      kill: () => void worker.terminate(),
      runningTaskId: () => Atomics.load(progress, 0),
    };
  },
};
