/**
 * The worker's end of `startWorker`: the same calls in a worker thread and in a forked child,
 * so a module that serves its parent does not care which one runs it.
 */
import { isMainThread, parentPort, type Transferable, workerData } from 'node:worker_threads';
import { READY } from './ready.ts';

export interface ParentLink<In, Out> {
  post(message: Out, transfer?: readonly Transferable[]): void;
  onMessage(listener: (message: In) => void): void;
  /** Tells the parent this worker listens: its `ready` event fires. */
  signalReady(): void;
  /** Leaves: a thread stops listening and ends once idle; a child disconnects, which ends it. */
  close(): void;
}

/** The `data` the parent passed to startWorker: workerData for a thread, argv for a child. */
export function workerInput<T>(): T {
  if (!isMainThread) return (workerData as { data: T }).data;
  return JSON.parse(process.argv[2] ?? 'null') as T;
}

export function connectToParent<In, Out>(): ParentLink<In, Out> {
  if (parentPort) {
    const port = parentPort;
    return {
      post: (message, transfer = []) => port.postMessage(message, transfer),
      onMessage: (listener) => port.on('message', listener),
      signalReady: () => port.postMessage(READY),
      // Closing the port lets the thread's event loop empty.
      close: () => port.close(),
    };
  }
  if (!process.send) {
    throw new Error('connectToParent() needs a worker thread or a child forked with IPC');
  }
  const send = process.send.bind(process);
  // A child whose parent died (crash, SIGKILL) must not live on as an orphan.
  process.on('disconnect', () => process.exit(0));
  return {
    post: (message) => send(message),
    onMessage: (listener) => process.on('message', (message) => listener(message as In)),
    signalReady: () => send(READY),
    close: () => process.disconnect(),
  };
}
