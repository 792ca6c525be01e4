/** Runs pool workers as worker threads (`node:worker_threads`). */
import { startTsWorker } from '@course/course-kit';
import type { FromWorker } from './messages.ts';
import type { Runtime } from './runtime.ts';
import { createThreadCells, RUNNING_TASK, stopImports } from './thread-cells.ts';

const ENTRY = new URL('./thread.worker.ts', import.meta.url);
/** Longest wait for a thread to finish loading a module before it is terminated anyway. */
const LOAD_GRACE_MS = 2_000;
const RECHECK_MS = 5;

export const threadRuntime: Runtime = {
  kind: 'thread',
  start(events) {
    const cells = createThreadCells();
    const worker = startTsWorker(ENTRY, { cells: cells.buffer });
    let ready = false;
    let killing = false;
    /** A thread let go while still starting has nothing to say that the pool asked for. */
    let killedWhileStarting = false;
    let recheck: NodeJS.Timeout | undefined;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') ready = true;
      if (!killedWhileStarting) events.message(message);
    });
    // An uncaught exception in the thread emits 'error' (the thrown value, stack included)
    // and then 'exit' (code 1). The listener keeps the parent alive; the pool acts on 'exit',
    // which carries the error so the failed task can name what killed its worker.
    let uncaught: unknown;
    worker.on('error', (error) => {
      uncaught = error;
    });
    worker.on('exit', (code) => {
      clearTimeout(recheck);
      events.exit(code, null, uncaught);
    });
    return {
      id: worker.threadId,
      send: (message) => worker.postMessage(message),
      kill: () => {
        if (killing) return;
        killing = true;
        killedWhileStarting = !ready;
        // Terminating a thread while V8 still evaluates a module can crash the process
        // (nodejs/node#53238): wait until the thread has loaded its entry and no task module
        // import is in flight (none can start now), for at most LOAD_GRACE_MS.
        const giveUpAt = performance.now() + LOAD_GRACE_MS;
        const terminateWhenLoaded = () => {
          const loaded = ready && stopImports(cells);
          if (loaded || performance.now() >= giveUpAt) void worker.terminate();
          else recheck = setTimeout(terminateWhenLoaded, RECHECK_MS);
        };
        terminateWhenLoaded();
      },
      runningTaskId: () => Atomics.load(cells, RUNNING_TASK),
    };
  },
};
