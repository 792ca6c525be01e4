/** Worker-thread entry for ThreadPool: wires `parentPort` to the shared task runner. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ToWorker } from './messages.ts';
import { serveTasks } from './task-runner.ts';
import { beginImport, endImport, RUNNING_TASK } from './thread-cells.ts';

if (!parentPort) throw new Error('thread.worker.ts must run inside a worker thread');
const port = parentPort;
// Shared with the pool: the running task (read after a crash) and imports in flight.
const cells = new Int32Array((workerData as { data: { cells: SharedArrayBuffer } }).data.cells);

serveTasks({
  post: (message) => port.postMessage(message),
  markRunning: (id) => Atomics.store(cells, RUNNING_TASK, id),
  beginImport: () => beginImport(cells),
  endImport: () => endImport(cells),
  onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
  // Closing the port lets the thread's event loop empty, so the thread ends by itself.
  exit: () => port.close(),
});
