/** Worker-thread entry for ThreadPool: wires `parentPort` to the shared task runner. */
import { parentPort, workerData } from 'node:worker_threads';
import type { ToWorker } from './messages.ts';
import { serveTasks } from './task-runner.ts';

if (!parentPort) throw new Error('thread.worker.ts must run inside a worker thread');
const port = parentPort;
// The pool reads this cell after a crash to learn which task was running (see runtime.ts).
const progress = new Int32Array(
  (workerData as { data: { progress: SharedArrayBuffer } }).data.progress,
);

serveTasks({
  post: (message) => port.postMessage(message),
  markRunning: (id) => Atomics.store(progress, 0, id),
  onMessage: (listener) => port.on('message', (message: ToWorker) => listener(message)),
  // Closing the port lets the thread's event loop empty, so the thread ends by itself.
  exit: () => port.close(),
});
