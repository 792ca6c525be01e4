/**
 * The worker's (or child's) side of a Peer: answer each request with the handler's result,
 * or with the error it threw — never stay silent, so the parent never waits forever.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface Request {
  id: number;
  payload: unknown;
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** The data the parent passed: workerData for a thread, a JSON argument for a child. */
export function peerInput<T>(): T {
  if (!isMainThread) return (workerData as { data: T }).data;
  return JSON.parse(process.argv[2] ?? 'null') as T;
}

/**
 * What the parent is told about a thrown value. It must not throw itself: a value with no
 * usable toString (`Object.create(null)`), or an Error whose `message` getter throws, would
 * otherwise crash the worker from here.
 */
function describeError(thrown: unknown): { name: string; message: string } {
  try {
    if (thrown instanceof Error)
      return { name: String(thrown.name), message: String(thrown.message) };
    return { name: 'Error', message: String(thrown) };
  } catch {
    return { name: 'NonError', message: Object.prototype.toString.call(thrown) };
  }
}

/** Serves requests with `handler` until the parent ends us (or, for a child, goes away). */
export function serve(handler: (payload: never) => unknown): void {
  const post = (reply: Reply) => {
    if (parentPort) parentPort.postMessage(reply);
    else process.send?.(reply);
  };
  const onRequest = async ({ id, payload }: Request) => {
    try {
      post({ id, ok: true, value: await handler(payload as never) });
    } catch (error) {
      post({ id, ok: false, error: describeError(error) });
    }
  };
  if (parentPort) {
    parentPort.on('message', onRequest);
    parentPort.postMessage('ready');
  } else {
    // A child whose parent died (crash, SIGKILL) must not live on as an orphan.
    process.on('disconnect', () => process.exit(0));
    process.on('message', onRequest);
    process.send?.('ready');
  }
}
