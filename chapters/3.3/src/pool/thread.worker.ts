/** Worker-thread entry for ThreadPool: the shared task runner, plus the cells it shares. */
import { connectToParent, workerInput } from '@course/course-kit/workers';
import type { FromWorker, ToWorker } from './messages.ts';
import { serveTasks } from './task-runner.ts';
import { beginImport, endImport, RUNNING_TASK } from './thread-cells.ts';

// Shared with the pool: the running task (read after a crash) and imports in flight.
const cells = new Int32Array(workerInput<{ cells: SharedArrayBuffer }>().cells);

serveTasks({
  ...connectToParent<ToWorker, FromWorker>(),
  markRunning: (id) => Atomics.store(cells, RUNNING_TASK, id),
  beginImport: () => beginImport(cells),
  endImport: () => endImport(cells),
});
