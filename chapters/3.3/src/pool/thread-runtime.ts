/** Runs pool workers as worker threads (`node:worker_threads`). */
import { startWorker } from '@course/course-kit/workers';
import type { FromWorker, ToWorker } from './messages.ts';
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
    let killing = false;
    /** A thread let go while still starting has nothing to say that the pool asked for. */
    let killedWhileStarting = false;
    let recheck: NodeJS.Timeout | undefined;
    const link = startWorker<FromWorker, ToWorker>(
      'thread',
      ENTRY,
      {
        ready: () => {
          if (!killedWhileStarting) events.ready();
        },
        message: (message) => {
          if (!killedWhileStarting) events.message(message);
        },
        // A thread that died of an uncaught exception hands it over with its exit, so the
        // failed task can name what killed its worker.
        exit: (code, signal, error) => {
          clearTimeout(recheck);
          events.exit(code, signal, error);
        },
      },
      { data: { cells: cells.buffer } },
    );
    return {
      id: link.id,
      send: (message) => link.send(message),
      kill: () => {
        if (killing) return;
        killing = true;
        killedWhileStarting = !link.started;
        // Terminating a thread while V8 still evaluates a module can crash the process
        // (nodejs/node#53238): wait until the thread has loaded its entry and no task module
        // import is in flight (none can start now), for at most LOAD_GRACE_MS. A thread that
        // has not said ready by then is left to link.kill(), which waits for that (course-kit's
        // own bound) before it terminates.
        const giveUpAt = performance.now() + LOAD_GRACE_MS;
        const terminateWhenLoaded = () => {
          const loaded = link.started && stopImports(cells);
          if (loaded || performance.now() >= giveUpAt) link.kill();
          else recheck = setTimeout(terminateWhenLoaded, RECHECK_MS);
        };
        terminateWhenLoaded();
      },
      runningTaskId: () => Atomics.load(cells, RUNNING_TASK),
    };
  },
};
