/**
 * The worker's (or child's) side of a Peer: answer each request with the handler's result,
 * or with the error it threw — never stay silent, so the parent never waits forever.
 */
import { connectToParent, type RemoteError, toRemoteError } from '@course/course-kit/workers';

export interface Request {
  id: number;
  payload: unknown;
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: RemoteError };

/** Serves requests with `handler` until the parent ends us (or, for a child, goes away). */
export function serve(handler: (payload: never) => unknown): void {
  const parent = connectToParent<Request, Reply>();
  parent.onMessage(async ({ id, payload }) => {
    try {
      parent.post({ id, ok: true, value: await handler(payload as never) });
    } catch (error) {
      // toRemoteError never throws: a value it cannot read is still reported.
      parent.post({ id, ok: false, error: toRemoteError(error) });
    }
  });
  parent.signalReady();
}
