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

interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class RpcClient {
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #closed: string | undefined;

  constructor(channel: Channel) {
    this.channel = channel;
    channel.on('message', (message) => this.#settle(message as Reply));
    channel.on('exit', (code, signal) => {
      this.#closed = `the child exited (${signal ?? `code ${code}`})`;
      for (const { reject } of this.#pending.values())
        reject(new RpcError(`${this.#closed} before answering`));
      this.#pending.clear();
    });
  }

  readonly channel: Channel;

  /** Sends { id, method, params } and resolves with the reply's result, or rejects with its error. */
  call(method: string, params?: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(new RpcError(`cannot call ${method}: ${this.#closed}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.channel.send({ id, method, params });
    });
  }

  /** Calls waiting for a reply. */
  get pending(): number {
    return this.#pending.size;
  }

  #settle(reply: Reply): void {
    const waiting = this.#pending.get(reply.id);
    if (!waiting) return; // a reply nobody waits for (e.g. duplicated): ignore it
    this.#pending.delete(reply.id);
    if (reply.error !== undefined) waiting.reject(new RpcError(reply.error));
    else waiting.resolve(reply.result);
  }
}
