/**
 * 3.2/05 — Calls over a forked child's IPC channel, answered out of order.
 *
 * child_process.fork gives parent and child a message channel, but no memory in common and
 * no notion of "the answer to my question". Tag every request with an id and match replies
 * by id: replies may arrive in any order. When the child exits, every call still waiting
 * must be rejected (saying how it exited) instead of hanging, and later calls fail at once.
 * Check: npm run exercise -- watch   (or npm run grade -- 3.2/05)
 */

/** What RpcClient needs of a ChildProcess (so tests can also pass a fake). */
export interface Channel {
  send(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal: string | null) => void): unknown;
}

export class RpcError extends Error {
  override name = 'RpcError';
}

export class RpcClient {
  constructor(readonly channel: Channel) {
    // TODO: listen for 'message' (settle the call with that id) and 'exit' (reject all).
  }

  /** Sends { id, method, params } and resolves with the reply's result, or rejects with its error. */
  call(method: string, params?: unknown): Promise<unknown> {
    // TODO: give each call a new id, remember its resolve/reject, send the request.
    return Promise.reject(new Error(`TODO: call ${method}(${JSON.stringify(params)})`));
  }

  /** Calls waiting for a reply. */
  get pending(): number {
    // TODO: how many calls still wait for their reply.
    return -1;
  }
}
