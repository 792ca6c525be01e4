/** Child-process entry for ProcessPool: wires the IPC channel to the shared task runner. */
import type { FromWorker, ToWorker } from './messages.ts';
import { serveTasks } from './task-runner.ts';

if (!process.send) throw new Error('process.child.ts must be forked with an IPC channel');
const send = process.send.bind(process);

serveTasks({
  post: (message: FromWorker) => send(message),
  onMessage: (listener) => process.on('message', (message) => listener(message as ToWorker)),
  // Disconnecting the channel lets the event loop empty, so the child ends by itself.
  exit: () => process.disconnect(),
});
